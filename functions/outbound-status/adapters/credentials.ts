import { GetParameterError, TransformParameterError } from '@aws-lambda-powertools/parameters/errors';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { AWS_CLIENT_LIMITS, beforeDeadline } from '../shared/deadline.ts';
import { failure, CredentialsRejectedError, OutboundStatusError } from '../core/errors.ts';
import { sameCredentials, type Credentials, type CredentialsSource } from '../core/ports.ts';

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
export function secretsManagerCredentials(
  secretId: string,
  ttlSeconds: number,
  rejectionHoldSeconds: number,
  provider = secretsProvider(),
): CredentialsSource {
  let reading: Promise<Credentials> | undefined;
  // What the provider's cache holds, kept here too: a warm call then costs no promise chain or timer.
  let cached: { credentials: Credentials; until: number } | undefined;
  let refreshing: Promise<Credentials> | undefined;
  // Repeated bad logins can lock a Thulium account: a rejected user is held back, not retried per message.
  let rejection: { credentials: Credentials; until: number; error: CredentialsRejectedError } | undefined;

  const read = (forceFetch: boolean) =>
    provider.get(secretId, { maxAge: ttlSeconds, transform: 'json', forceFetch }).then(
      (value) => {
        const credentials = toCredentials(secretId, value);
        cached = { credentials, until: Date.now() + ttlSeconds * 1000 };
        return credentials;
      },
      (error: unknown) => {
        throw classifySecretError(secretId, error);
      },
    );
  const inTime = (work: Promise<Credentials>, deadline: number) =>
    beforeDeadline(work, deadline, () =>
      failure('SECRET_UNAVAILABLE', `Secrets Manager did not answer in time for secret ${secretId}`),
    );
  const current = () => {
    reading ??= read(false).finally(() => {
      reading = undefined;
    });
    return reading;
  };
  /** The credentials within their TTL as they are, else a (shared) read. */
  const latest = (deadline: number): Credentials | Promise<Credentials> =>
    cached && Date.now() < cached.until ? cached.credentials : inTime(current(), deadline);

  return {
    async get(deadline) {
      const credentials = await latest(deadline);
      if (rejection && Date.now() < rejection.until && sameCredentials(credentials, rejection.credentials)) {
        const { thuliumStatus, thuliumRequestId } = rejection.error;
        const note = `; held back for up to ${rejectionHoldSeconds} s unless the secret changes`;
        throw new CredentialsRejectedError(thuliumStatus, thuliumRequestId, note);
      }
      return credentials;
    },
    async refresh(rejected, deadline) {
      const known = await latest(deadline);
      if (!sameCredentials(known, rejected)) return known;
      refreshing ??= read(true).finally(() => {
        refreshing = undefined;
      });
      return inTime(refreshing, deadline);
    },
    reject(credentials, error) {
      if (rejectionHoldSeconds > 0) rejection = { credentials, until: Date.now() + rejectionHoldSeconds * 1000, error };
    },
  };
}

function toCredentials(secretId: string, value: unknown): Credentials {
  const secret = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const missing = ['username', 'password'].filter((key) => typeof secret[key] !== 'string' || secret[key] === '');
  if (missing.length > 0) {
    // Name the keys only: the values are the secret.
    throw failure(
      'CONFIGURATION_INVALID',
      `Secret ${secretId} must be a JSON object with non-empty string fields: missing or invalid ${missing.join(', ')}`,
    );
  }
  return { username: secret.username as string, password: secret.password as string };
}

/** One Secrets Manager client for every secret of the container, with the function's limits. */
export const secretsProvider = () => new SecretsProvider({ clientConfig: AWS_CLIENT_LIMITS });

/** A failed secret read: configuration when only a change of the secret or its policy helps, else transient. */
export function classifySecretError(secretId: string, error: unknown): OutboundStatusError {
  if (error instanceof OutboundStatusError) return error;
  if (error instanceof TransformParameterError) {
    return failure('CONFIGURATION_INVALID', `Secret ${secretId} is not valid JSON`);
  }
  const cause = error instanceof GetParameterError ? error.cause : error;
  const name = (cause as { name?: string } | undefined)?.name ?? 'UnknownError';
  if (CONFIGURATION_FAULTS.has(name)) {
    return failure('CONFIGURATION_INVALID', `Cannot read secret ${secretId}: ${name}`);
  }
  return failure('SECRET_UNAVAILABLE', `Secrets Manager is unavailable for secret ${secretId}: ${name}`);
}
