import { setTimeout as sleep } from 'node:timers/promises';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { request } from 'undici';
import { fullJitterDelay, parseRetryAfterMs } from '../shared/backoff.ts';
import { StatusUpdateResponse } from '../core/contract.ts';
import { headerValue } from '../shared/headers.ts';
import { StatusUpdateError, type ErrorEnvelope } from './errors.ts';
import { toRequestBody, type StatusUpdateInput } from './request-body.ts';

export interface UpdateOptions {
  /** Defaults to the region in an execute-api host name, then AWS_REGION. */
  region?: string;
  /** Defaults to the SDK's credential chain (environment, SSO, profile, container, instance role). */
  credentials?: Credentials | CredentialProvider;
  /** Calls in all while the answer is worth retrying (429, 503, 504, a bad answer from Thulium, no answer); default 3. */
  maxAttempts?: number;
  /** Per call; API Gateway itself gives up after 29 s. Default 30 s. */
  timeoutMs?: number;
  /** Cap on a Retry-After the helper will wait for; a longer one ends the retries. Default 10 s. */
  maxRetryDelayMs?: number;
}

type CredentialProvider = ReturnType<typeof defaultProvider>;
type Credentials = Awaited<ReturnType<CredentialProvider>>;
let chain: CredentialProvider | undefined;

/**
 * Sets the status over HTTP and answers Thulium's `{"outbound_id": [...]}`. The request is signed
 * with SigV4 for execute-api; setting a status twice is harmless, so transient answers are retried.
 * Without `updatedAt`, the update is stamped with the time of this call. A newer update for the
 * number applied first ends it as a StatusUpdateError of kind `superseded` (HTTP 409), not retried.
 */
export async function updateStatus(
  apiUrl: string,
  input: StatusUpdateInput,
  options: UpdateOptions = {},
): Promise<StatusUpdateResponse> {
  // Stamped once, before the first attempt: a retry is the same decision, not a newer one, and must
  // not overwrite an update decided after it (API Gateway's request time would make it new).
  const { body } = toRequestBody({ ...input, updatedAt: input.updatedAt ?? new Date() });
  const url = new URL(apiUrl);
  const signer = new SignatureV4({
    service: 'execute-api',
    region: regionOf(url, options.region),
    credentials: options.credentials ?? (chain ??= defaultProvider()),
    sha256: Sha256,
  });
  const maxAttempts = options.maxAttempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    // Signed per attempt: a signature is valid for five minutes, and credentials may have been refreshed.
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port === '' ? undefined : Number(url.port),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { host: url.host, 'content-type': 'application/json' },
      body,
    });
    let failure: Error;
    try {
      const answer = await request(url, {
        method: 'POST',
        headers: signed.headers,
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
      const text = await answer.body.text();
      if (answer.statusCode === 200) return StatusUpdateResponse.parse(JSON.parse(text));
      const retryAfterMs = parseRetryAfterMs(headerValue(answer.headers, 'retry-after'));
      failure = new StatusUpdateError(
        answer.statusCode,
        envelopeOf(text),
        retryAfterMs === undefined ? undefined : retryAfterMs / 1000,
      );
    } catch (error) {
      // No answer, or a 200 that is not the contract's: the update may or may not have applied.
      failure = error as Error;
    }
    const retryable = failure instanceof StatusUpdateError ? failure.kind === 'transient' : true;
    const delayMs = backoffMs(attempt, failure);
    if (!retryable || attempt >= maxAttempts || delayMs > (options.maxRetryDelayMs ?? 10_000)) throw failure;
    await sleep(delayMs);
  }
}

/** https://abc123.execute-api.eu-central-1.amazonaws.com/v1/... → eu-central-1 */
function regionOf(url: URL, explicit: string | undefined): string {
  const region =
    explicit ?? /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com/.exec(url.hostname)?.[1] ?? process.env.AWS_REGION;
  if (!region) throw new Error(`No region for ${url.host}: pass options.region or set AWS_REGION`);
  return region;
}

function envelopeOf(text: string): ErrorEnvelope | undefined {
  try {
    const error = (JSON.parse(text) as { error?: ErrorEnvelope }).error;
    return typeof error === 'object' && error !== null ? error : undefined;
  } catch {
    return undefined;
  }
}

/** Thulium's (or API Gateway's) Retry-After when given, else back-off with full jitter from 200 ms. */
const backoffMs = (attempt: number, failure: Error) =>
  failure instanceof StatusUpdateError && failure.retryAfterSeconds !== undefined
    ? failure.retryAfterSeconds * 1000
    : fullJitterDelay(attempt, 200, Number.POSITIVE_INFINITY);
