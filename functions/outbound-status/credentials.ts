import { GetParameterError, TransformParameterError } from '@aws-lambda-powertools/parameters/errors';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { beforeDeadline } from './deadline.ts';
import { ConfigurationError, OutboundStatusError, SecretUnavailableError } from './errors.ts';
import type { Credentials } from './thulium-client.ts';

/** Where the Thulium API user comes from. */
export interface CredentialsSource {
  /** The current credentials, cached for the TTL. */
  get(deadline: number): Promise<Credentials>;
  /** Credentials newer than `rejected`, read afresh unless another caller already did (rotation). */
  refresh(rejected: Credentials, deadline: number): Promise<Credentials>;
}

/** Secrets Manager answers that no retry will fix until someone changes the secret or its policy. */
const CONFIGURATION_FAULTS = new Set([
  'ResourceNotFoundException',
  'AccessDeniedException',
  'DecryptionFailure',
  'InvalidRequestException',
  'InvalidParameterException',
  'ValidationException',
]);

/**
 * Reads `{"username", "password"}` from a Secrets Manager secret through Powertools' cached
 * SecretsProvider. Concurrent callers share one read, so a cold batch of ten costs one GetSecretValue.
 */
export function secretsManagerCredentials(secretId: string, ttlSeconds: number): CredentialsSource {
  const provider = new SecretsProvider({
    // Bounded, so a slow Secrets Manager costs seconds, not the whole invocation.
    clientConfig: { maxAttempts: 3, requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 } },
  });
  let reading: Promise<Credentials> | undefined;
  let refreshing: Promise<Credentials> | undefined;

  const read = (forceFetch: boolean) =>
    provider.get(secretId, { maxAge: ttlSeconds, transform: 'json', forceFetch }).then(
      (value) => toCredentials(secretId, value),
      (error: unknown) => {
        throw classify(secretId, error);
      },
    );
  const inTime = (work: Promise<Credentials>, deadline: number) =>
    beforeDeadline(work, deadline, () => new SecretUnavailableError(`Secrets Manager did not answer in time for secret ${secretId}`));
  const current = () => {
    reading ??= read(false).finally(() => {
      reading = undefined;
    });
    return reading;
  };

  return {
    get: (deadline) => inTime(current(), deadline),
    async refresh(rejected, deadline) {
      const latest = await inTime(current(), deadline);
      if (latest.username !== rejected.username || latest.password !== rejected.password) return latest;
      refreshing ??= read(true).finally(() => {
        refreshing = undefined;
      });
      return inTime(refreshing, deadline);
    },
  };
}

function toCredentials(secretId: string, value: unknown): Credentials {
  const secret = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const missing = ['username', 'password'].filter((key) => typeof secret[key] !== 'string' || secret[key] === '');
  if (missing.length > 0) {
    // Name the keys only: the values are the secret.
    throw new ConfigurationError(
      `Secret ${secretId} must be a JSON object with non-empty string fields: missing or invalid ${missing.join(', ')}`,
    );
  }
  return { username: secret.username as string, password: secret.password as string };
}

function classify(secretId: string, error: unknown): OutboundStatusError {
  if (error instanceof OutboundStatusError) return error;
  if (error instanceof TransformParameterError) {
    return new ConfigurationError(`Secret ${secretId} is not valid JSON`);
  }
  const cause = error instanceof GetParameterError ? error.cause : error;
  const name = (cause as { name?: string } | undefined)?.name ?? 'UnknownError';
  if (CONFIGURATION_FAULTS.has(name)) {
    return new ConfigurationError(`Cannot read secret ${secretId}: ${name}`);
  }
  return new SecretUnavailableError(`Secrets Manager is unavailable for secret ${secretId}: ${name}`);
}
