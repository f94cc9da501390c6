import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod/mini';
import { fullJitterDelay, parseRetryAfterMs } from '../shared/backoff.ts';
import type { Config } from '../config.ts';
import { ENDPOINT_PATH, StatusUpdateResponse } from '../core/contract.ts';
import type { ThuliumClient } from '../core/ports.ts';
import { MIN_ATTEMPT_MS } from '../shared/deadline.ts';
import {
  failure,
  CredentialsRejectedError,
  ThuliumRefusedError,
  ThuliumUnavailableError,
  type OutboundStatusError,
  type ThuliumErrorDetail,
} from '../core/errors.ts';
import { headerValue } from '../shared/headers.ts';
import { maskPhoneNumbersIn } from '../core/phone-number.ts';
import { truncate } from '../shared/text.ts';
import { createPool } from './undici-pool.ts';
import { createThuliumGate, type GateOptions, type GateSignal } from './thulium-gate.ts';

const MAX_RESPONSE_BYTES = 64 * 1024;
const MAX_MESSAGE_LENGTH = 500;
/** A Retry-After beyond this is treated as this: a queue message can wait at most 12 h anyway. */
const MAX_RETRY_AFTER_SECONDS = 3_600;

const ErrorEnvelope = z.object({
  request_id: z.optional(z.union([z.string(), z.number()])),
  errors: z.optional(
    z.array(z.object({ message: z.optional(z.unknown()), code: z.optional(z.union([z.string(), z.number()])) })),
  ),
});

type Attempt = { gate: GateSignal } & (
  | { ok: true; body: StatusUpdateResponse }
  | { ok: false; error: OutboundStatusError; retry: boolean; retryAfterMs?: number }
);

export function createThuliumClient(
  config: Config['thulium'],
  gateOptions: Pick<GateOptions, 'onLimited'> = {},
): ThuliumClient {
  const base = new URL(config.baseUrl);
  const path = `${base.pathname.replace(/\/+$/, '')}${ENDPOINT_PATH}`;
  // One keep-alive pool per container; TLS verification stays on (undici's default).
  const pool = createPool(base.origin, {
    connections: config.connections,
    connect: { timeout: config.connectTimeoutMs },
    headersTimeout: config.requestTimeoutMs,
    bodyTimeout: config.requestTimeoutMs,
    keepAliveTimeout: 30_000,
  });
  // Shared by both faces: an HTTP call during a pause is answered 503 rather than sent to be refused.
  const gate = createThuliumGate({ maxInFlight: config.connections, ...gateOptions });

  async function attempt(
    request: { headers: Record<string, string>; body: string },
    deadline: number,
  ): Promise<Attempt> {
    const budget = Math.min(config.requestTimeoutMs, deadline - Date.now());
    // Cleared as soon as the answer is read: an AbortSignal.timeout would keep its timer, and the
    // memory it holds, for the whole budget after every call.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), Math.max(1, budget));
    try {
      const response = await pool.request({ path, method: 'POST', ...request, signal: timeout.signal });
      const text = await readBody(response);
      return classify(response.statusCode, response.headers, text);
    } catch (error) {
      return networkFailure(error, timeout.signal.aborted);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    refusalNow: (deadline, { onPause = 'wait' } = {}) => gate.refusalNow(deadline, onPause),
    async setStatusByPhoneNumber(update, credentials, deadline, stats = { attempts: 0 }, { onPause = 'wait' } = {}) {
      if (deadline - Date.now() < MIN_ATTEMPT_MS) throw failure('DEADLINE_EXCEEDED');
      const request = {
        headers: {
          'content-type': 'application/json; charset=utf-8',
          accept: 'application/json',
          authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`,
        },
        body: JSON.stringify({ phone_number: update.phoneNumber, status_id: update.statusId }),
      };
      let failed: OutboundStatusError | undefined;
      for (let n = 0; ; n++) {
        // A call told to wait waits (within its deadline); only callers arriving during a pause are
        // refused at once. A retry the gate cannot start in time ends with the longer of the two waits.
        const pass = await gate
          .enter(deadline, n === 0 ? onPause : 'wait')
          .catch((refusal: ThuliumUnavailableError) => {
            throw longerWait(failed, refusal);
          });
        stats.waitedMs = (stats.waitedMs ?? 0) + pass.waitedMs;
        stats.attempts++;
        let result: Attempt | undefined;
        try {
          result = await attempt(request, deadline);
        } finally {
          pass.done(result?.gate ?? 'unknown');
        }
        if (result.ok) return result.body;
        failed = result.error;
        if (!result.retry || n + 1 >= config.maxAttempts) throw result.error;
        // Limited: the gate holds the retry until Thulium's pause is over, behind the calls already waiting.
        if (typeof result.gate === 'object' && result.gate.limitedMs > 0) continue;
        const delay = Math.max(fullJitterDelay(n, config.retryBaseMs, config.retryMaxMs), result.retryAfterMs ?? 0);
        // An attempt squeezed in before the deadline would turn a clear 503 into a timeout.
        if (Date.now() + delay + MIN_ATTEMPT_MS > deadline) throw result.error;
        await sleep(delay);
      }
    },
  };
}

/** Thulium's own 429 when it asked for at least the gate's wait (it has the request id), else the gate's refusal. */
function longerWait(
  failed: OutboundStatusError | undefined,
  refusal: ThuliumUnavailableError,
): ThuliumUnavailableError {
  const limited = failed instanceof ThuliumUnavailableError && failed.code === 'THULIUM_RATE_LIMITED';
  return limited && failed.retryAfterSeconds >= refusal.retryAfterSeconds ? failed : refusal;
}

/** A body that says it fits is read whole (no async iterator: about 0.1 ms a call); any other, bounded. */
function readBody(response: {
  headers: ResponseHeaders;
  body: AsyncIterable<Buffer> & { text(): Promise<string> };
}): Promise<string> {
  const length = Number(headerValue(response.headers, 'content-length') ?? Number.NaN);
  return length >= 0 && length <= MAX_RESPONSE_BYTES ? response.body.text() : readBounded(response.body);
}

/** Reads at most MAX_RESPONSE_BYTES; leaving the loop early destroys the rest of the body. */
async function readBounded(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_RESPONSE_BYTES) break;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

type ResponseHeaders = Record<string, string | string[] | undefined>;

function classify(status: number, headers: ResponseHeaders, text: string): Attempt {
  const json = parseJson(text);
  const success = status >= 200 && status < 300;
  if (success) {
    const body = StatusUpdateResponse.safeParse(json);
    if (body.success) return { ok: true, body: body.data, gate: 'accepted' };
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

function networkFailure(error: unknown, timedOut: boolean): Attempt {
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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
