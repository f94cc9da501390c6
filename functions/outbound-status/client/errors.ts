import type { ErrorBody } from '../faces/answers.ts';
import { ERROR_CATALOGUE, type ErrorCode, type ErrorKind } from '../core/error-catalogue.ts';

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

/** The function's own codes by the catalogue; API Gateway's refusals and answers without an envelope by status. */
function kindOf(status: number, code: string): ErrorKind {
  if (Object.hasOwn(ERROR_CATALOGUE, code)) return ERROR_CATALOGUE[code as ErrorCode].kind;
  if (status === 429 || status > 500) return 'transient';
  if (status === 403 || status === 500) return 'configuration';
  return 'invalid-request';
}
