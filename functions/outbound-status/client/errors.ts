import type { ErrorBody } from '../faces/answers.ts';
import type { ErrorKind } from '../core/errors.ts';

/** An entry of a batch that SQS still refused after the retries. */
export interface FailedEntry {
  /** Position in the array given to sendStatusUpdates. */
  index: number;
  code: string;
  message: string;
  /** SQS's verdict: true means sending it again as is cannot succeed. */
  senderFault: boolean;
}

/**
 * Some updates of a batch are not on the queue. Those in `sent` are; nothing else was sent, so the
 * caller can retry exactly `failed`.
 */
export class QueueSendError extends Error {
  readonly kind: ErrorKind;
  readonly failed: FailedEntry[];
  readonly sent: { index: number; messageId: string }[];
  constructor(failed: FailedEntry[], sent: { index: number; messageId: string }[]) {
    super(
      `${failed.length} of ${failed.length + sent.length} updates were not queued: ${failed
        .map((f) => `[${f.index}] ${f.code}`)
        .slice(0, 5)
        .join(', ')}`,
    );
    this.name = 'QueueSendError';
    this.kind = failed.every((f) => f.senderFault) ? 'invalid-request' : 'transient';
    this.failed = failed;
    this.sent = sent;
  }
}

/** The function (or API Gateway in front of it) answered an error: its envelope, typed. */
export class StatusUpdateError extends Error {
  readonly kind: ErrorKind;
  readonly status: number;
  /** The contract's `error.code`, e.g. THULIUM_REFUSED, or API Gateway's, e.g. ACCESS_DENIED. */
  readonly code: string;
  readonly requestId?: string;
  readonly retryAfterSeconds?: number;
  readonly fields?: ErrorBody['fields'];
  constructor(status: number, envelope: ErrorEnvelope | undefined, retryAfterSeconds?: number) {
    const code = envelope?.code ?? `HTTP_${status}`;
    super(`${code} (HTTP ${status}): ${envelope?.message ?? 'no error envelope in the answer'}`);
    this.name = 'StatusUpdateError';
    this.status = status;
    this.code = code;
    this.kind = kindOf(status, code);
    this.requestId = envelope?.request_id;
    this.retryAfterSeconds = retryAfterSeconds;
    this.fields = envelope?.fields;
  }
}

/** The contract's error envelope, as far as an answer kept to it (a proxy's page need not). */
export type ErrorEnvelope = Partial<ErrorBody>;

function kindOf(status: number, code: string): ErrorKind {
  if (status === 422) return 'refused';
  if (status === 409) return 'superseded';
  if (status === 429 || status === 503 || status === 504 || code === 'THULIUM_BAD_RESPONSE') return 'transient';
  if (status === 403 || status === 500 || code === 'THULIUM_CREDENTIALS_REJECTED') return 'configuration';
  return status < 500 ? 'invalid-request' : 'transient';
}
