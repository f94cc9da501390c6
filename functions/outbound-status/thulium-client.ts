import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { z } from 'zod';
import { fullJitterDelay, parseRetryAfterMs } from './backoff.ts';
import type { Config } from './config.ts';
import { StatusUpdateResponse, type StatusUpdate } from './contract.ts';
import {
  CredentialsRejectedError,
  ThuliumBadResponseError,
  ThuliumRefusedError,
  ThuliumTimeoutError,
  ThuliumUnavailableError,
  type OutboundStatusError,
  type ThuliumErrorDetail,
} from './errors.ts';
import { maskPhoneNumbersIn } from './phone-number.ts';

export const ENDPOINT_PATH = '/api/outbound_status_by_phone_number';
const MAX_RESPONSE_BYTES = 64 * 1024;
const MAX_MESSAGE_LENGTH = 500;

export interface Credentials {
  username: string;
  password: string;
}

/** Counts what one update cost, for the outcome log line and metrics. */
export interface CallStats {
  attempts: number;
}

export interface ThuliumClient {
  /** Resolves with Thulium's answer or throws an {@link OutboundStatusError}; never outlives `deadline` (epoch ms). */
  setStatusByPhoneNumber(
    update: StatusUpdate,
    credentials: Credentials,
    deadline: number,
    stats?: CallStats,
  ): Promise<StatusUpdateResponse>;
  close(): Promise<void>;
}

const ErrorEnvelope = z.object({
  request_id: z.union([z.string(), z.number()]).optional(),
  errors: z
    .array(z.object({ message: z.unknown().optional(), code: z.union([z.string(), z.number()]).optional() }))
    .optional(),
});

type Attempt =
  | { ok: true; body: StatusUpdateResponse }
  | { ok: false; error: OutboundStatusError; retry: boolean; retryAfterMs?: number };

export function createThuliumClient(config: Config['thulium']): ThuliumClient {
  const base = new URL(config.baseUrl);
  const path = `${base.pathname.replace(/\/+$/, '')}${ENDPOINT_PATH}`;
  // One keep-alive pool per container; TLS verification stays on (undici's default).
  const pool = new Pool(base.origin, {
    connections: config.connections,
    connect: { timeout: config.connectTimeoutMs },
    headersTimeout: config.requestTimeoutMs,
    bodyTimeout: config.requestTimeoutMs,
    keepAliveTimeout: 30_000,
  });

  async function attempt(update: StatusUpdate, credentials: Credentials, deadline: number): Promise<Attempt> {
    const budget = Math.min(config.requestTimeoutMs, deadline - Date.now());
    const signal = AbortSignal.timeout(Math.max(1, budget));
    try {
      const response = await pool.request({
        path,
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          accept: 'application/json',
          authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`,
        },
        body: JSON.stringify({ phone_number: update.phoneNumber, status_id: update.statusId }),
        signal,
      });
      const text = await readBounded(response.body);
      return classify(response.statusCode, response.headers, text);
    } catch (error) {
      return networkFailure(error, signal.aborted);
    }
  }

  return {
    async setStatusByPhoneNumber(update, credentials, deadline, stats = { attempts: 0 }) {
      for (let n = 0; ; n++) {
        stats.attempts++;
        const result = await attempt(update, credentials, deadline);
        if (result.ok) return result.body;
        if (!result.retry || n + 1 >= config.maxAttempts) throw result.error;
        const delay = Math.max(fullJitterDelay(n, config.retryBaseMs, config.retryMaxMs), result.retryAfterMs ?? 0);
        // Waiting past the deadline would only turn a clear answer into a timeout.
        if (Date.now() + delay >= deadline) throw result.error;
        await sleep(delay);
      }
    },
    close: () => pool.close(),
  };
}

async function readBounded(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_RESPONSE_BYTES) {
      body.destroy();
      break;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

type Headers = Record<string, string | string[] | undefined>;

function classify(status: number, headers: Headers, text: string): Attempt {
  const json = parseJson(text);
  const envelope = ErrorEnvelope.safeParse(json);
  const requestId = requestIdOf(envelope.success ? envelope.data.request_id : undefined, headers);
  if (status >= 200 && status < 300) {
    const body = StatusUpdateResponse.safeParse(json);
    if (body.success) return { ok: true, body: body.data };
    const error = new ThuliumBadResponseError(
      `Thulium answered HTTP ${status} without {"outbound_id": [...]}`,
      requestId,
    );
    return { ok: false, error, retry: true };
  }
  if (status === 401 || status === 403) {
    return { ok: false, error: new CredentialsRejectedError(status, requestId), retry: false };
  }
  const retryAfterMs = parseRetryAfterMs(header(headers, 'retry-after'));
  if (status === 429 || status === 408 || status === 425 || status >= 500) {
    const rateLimited = status === 429;
    const error = new ThuliumUnavailableError(
      rateLimited ? 'Thulium is rate limiting requests (HTTP 429)' : `Thulium is unavailable (HTTP ${status})`,
      { retryAfterSeconds: Math.max(1, Math.ceil((retryAfterMs ?? 1000) / 1000)), rateLimited, thuliumRequestId: requestId },
    );
    return { ok: false, error, retry: true, retryAfterMs };
  }
  if (status >= 400) {
    const details = envelope.success ? detailsOf(envelope.data.errors) : [];
    if (details.length === 0) details.push({ message: `Thulium answered HTTP ${status} without an error envelope` });
    return { ok: false, error: new ThuliumRefusedError(status, details, requestId), retry: false };
  }
  return { ok: false, error: new ThuliumBadResponseError(`Thulium answered unexpected HTTP ${status}`, requestId), retry: false };
}

function networkFailure(error: unknown, timedOut: boolean): Attempt {
  const code = (error as { code?: string } | undefined)?.code ?? (error as Error | undefined)?.name ?? 'unknown';
  if (timedOut || /TIMEOUT|TimeoutError/i.test(code)) {
    return { ok: false, error: new ThuliumTimeoutError(`Thulium did not answer in time (${code})`), retry: true };
  }
  const failure = new ThuliumUnavailableError(`Could not reach Thulium (${code})`, {
    retryAfterSeconds: 1,
    rateLimited: false,
  });
  return { ok: false, error: failure, retry: true };
}

function detailsOf(errors: { message?: unknown; code?: string | number }[] | undefined): ThuliumErrorDetail[] {
  return (errors ?? []).slice(0, 10).map((e) => {
    const message = maskPhoneNumbersIn(String(e.message ?? '')).slice(0, MAX_MESSAGE_LENGTH);
    return e.code === undefined ? { message } : { message, code: e.code };
  });
}

function requestIdOf(fromBody: string | number | undefined, headers: Headers): string | undefined {
  const id = fromBody ?? header(headers, 'x-request-id');
  return id === undefined ? undefined : String(id).slice(0, 128);
}

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
