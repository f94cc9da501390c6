import { setTimeout as sleep } from 'node:timers/promises';
import { fullJitterDelay } from '../shared/backoff.ts';
import type { Config } from '../config.ts';
import { ENDPOINT_PATH } from '../core/contract.ts';
import type { ThuliumBudget, ThuliumClient, Turn } from '../core/ports.ts';
import { MIN_ATTEMPT_MS } from '../shared/deadline.ts';
import { failure, type OutboundStatusError, ThuliumUnavailableError } from '../core/errors.ts';
import { headerValue } from '../shared/headers.ts';
import { type Attempt, classify, networkFailure, type ResponseHeaders } from './thulium-answer.ts';
import { createPool } from './undici-pool.ts';
import type { GateTurn } from './budget/gate.ts';

const MAX_RESPONSE_BYTES = 64 * 1024;
export function createThuliumClient(config: Config['thulium'], budget: ThuliumBudget<GateTurn>): ThuliumClient {
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
    async setStatusByPhoneNumber(update, credentials, deadline, stats = { attempts: 0 }, turn?: Turn) {
      if (deadline - Date.now() < MIN_ATTEMPT_MS) {
        turn?.release();
        throw failure('DEADLINE_EXCEEDED');
      }
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
        // The caller's turn for the first attempt; a retry waits its turn (within the deadline), and one
        // the budget cannot start in time ends with the longer of the two waits.
        const given = n === 0 ? (turn as GateTurn | undefined) : undefined;
        const pass =
          given ??
          (await budget.reserve(deadline, 'background').catch((refusal: ThuliumUnavailableError) => {
            throw longerWait(failed, refusal);
          }));
        stats.waitedMs = (stats.waitedMs ?? 0) + pass.waitedMs;
        stats.attempts++;
        let result: Attempt | undefined;
        try {
          result = await attempt(request, deadline);
        } finally {
          pass.done(result?.gate ?? 'unknown');
        }
        if (result.ok) {
          stats.thuliumRequestId = result.requestId;
          return result.body;
        }
        failed = result.error;
        if (!result.retry || n + 1 >= config.maxAttempts) throw result.error;
        // Limited: the budget holds the retry until Thulium's pause is over, behind the calls already waiting.
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
