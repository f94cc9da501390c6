import * as z from 'zod/mini';
import { StatusUpdateResponse } from '../core/contract.ts';
import {
  CredentialsRejectedError,
  failure,
  type OutboundStatusError,
  ThuliumRefusedError,
  type ThuliumErrorDetail,
  ThuliumUnavailableError,
} from '../core/errors.ts';
import { maskPhoneNumbersIn } from '../core/phone-number.ts';
import { parseRetryAfterMs } from '../shared/backoff.ts';
import { headerValue } from '../shared/headers.ts';
import { truncate } from '../shared/text.ts';
import type { GateSignal } from './budget/gate.ts';

const MAX_MESSAGE_LENGTH = 500;
/** A Retry-After beyond this is treated as this: a queue message can wait at most 12 h anyway. */
const MAX_RETRY_AFTER_SECONDS = 3_600;

const ErrorEnvelope = z.object({
  request_id: z.optional(z.union([z.string(), z.number()])),
  errors: z.optional(
    z.array(z.object({ message: z.optional(z.unknown()), code: z.optional(z.union([z.string(), z.number()])) })),
  ),
});

/** What one call to Thulium came to: its answer, or an error with whether to try again and what the gate learns. */
export type Attempt = { gate: GateSignal } & (
  | { ok: true; body: StatusUpdateResponse; requestId?: string }
  | { ok: false; error: OutboundStatusError; retry: boolean; retryAfterMs?: number }
);

export type ResponseHeaders = Record<string, string | string[] | undefined>;

export function classify(status: number, headers: ResponseHeaders, text: string): Attempt {
  const json = parseJson(text);
  const success = status >= 200 && status < 300;
  if (success) {
    const body = StatusUpdateResponse.safeParse(json);
    if (body.success) {
      const requestId = requestIdOf(idIn(body.data.request_id), headers);
      return { ok: true, body: body.data, requestId, gate: 'accepted' };
    }
  }
  // Only a failure needs Thulium's error envelope and request id.
  const envelope = ErrorEnvelope.safeParse(json);
  const requestId = requestIdOf(envelope.success ? envelope.data.request_id : undefined, headers);
  if (success) {
    const error = failure('THULIUM_BAD_RESPONSE', `Thulium answered HTTP ${status} without {"outbound_id": [...]}`, {
      thuliumRequestId: requestId,
    });
    return { ok: false, error, retry: true, gate: 'accepted' };
  }
  if (status === 401 || status === 403) {
    return { ok: false, error: new CredentialsRejectedError(status, requestId), retry: false, gate: 'accepted' };
  }
  const retryAfterMs = parseRetryAfterMs(headerValue(headers, 'retry-after'));
  if (status === 429 || status === 408 || status === 425 || status >= 500) {
    const rateLimited = status === 429;
    const error = new ThuliumUnavailableError(
      rateLimited ? 'Thulium is rate limiting requests (HTTP 429)' : `Thulium is unavailable (HTTP ${status})`,
      {
        retryAfterSeconds: Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, Math.ceil((retryAfterMs ?? 1000) / 1000))),
        rateLimited,
        thuliumRequestId: requestId,
      },
    );
    // A 429, or a 503 that says when to come back: the whole container waits, not only this call.
    const pauseMs = rateLimited ? (retryAfterMs ?? 1000) : status === 503 ? retryAfterMs : undefined;
    const gate: GateSignal =
      pauseMs === undefined ? 'unknown' : { limitedMs: Math.min(pauseMs, MAX_RETRY_AFTER_SECONDS * 1000), rateLimited };
    return { ok: false, error, retry: true, retryAfterMs, gate };
  }
  const details = envelope.success ? detailsOf(envelope.data.errors) : [];
  if (status >= 400 && details.length > 0) {
    return { ok: false, error: new ThuliumRefusedError(status, details, requestId), retry: false, gate: 'accepted' };
  }
  // A 4xx without Thulium's envelope (a proxy, a firewall, a wrong base URL) or a 1xx/3xx is not
  // Thulium judging the update: it stays retryable across deliveries rather than dead-lettered.
  const error = failure(
    'THULIUM_BAD_RESPONSE',
    `Thulium answered HTTP ${status} without ${status >= 400 ? 'its error envelope' : 'a usable answer'}`,
    { thuliumRequestId: requestId },
  );
  return { ok: false, error, retry: false, gate: 'accepted' };
}

export function networkFailure(error: unknown, timedOut: boolean): Attempt {
  const { code, name } = (error ?? {}) as { code?: unknown; name?: string };
  const reason = typeof code === 'string' ? code : (name ?? 'unknown');
  if (timedOut || /TIMEOUT/i.test(reason)) {
    return {
      ok: false,
      error: failure('THULIUM_TIMEOUT', `Thulium did not answer in time (${reason})`),
      retry: true,
      gate: 'unknown',
    };
  }
  const unreachable = new ThuliumUnavailableError(`Could not reach Thulium (${reason})`, {
    retryAfterSeconds: 1,
    rateLimited: false,
  });
  return { ok: false, error: unreachable, retry: true, gate: 'unknown' };
}

function detailsOf(errors: { message?: unknown; code?: string | number }[] | undefined): ThuliumErrorDetail[] {
  return (errors ?? []).slice(0, 10).map((e) => {
    const message = truncate(maskPhoneNumbersIn(String(e.message ?? '')), MAX_MESSAGE_LENGTH);
    return e.code === undefined ? { message } : { message, code: e.code };
  });
}

function requestIdOf(fromBody: string | number | undefined, headers: ResponseHeaders): string | undefined {
  const id = fromBody ?? headerValue(headers, 'x-request-id');
  return id === undefined ? undefined : truncate(String(id), 128);
}

const idIn = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? value : undefined);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
