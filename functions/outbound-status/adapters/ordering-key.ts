import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { failure } from '../core/errors.ts';
import { beforeDeadline } from '../shared/deadline.ts';
import { classifySecretError } from './credentials.ts';

const MIN_KEY_CHARACTERS = 32;

/**
 * The key of the phone-number hashes, read once per container. It is never rotated: another key
 * gives every number another hash, and the guard would forget what it had seen (docs/ordering-guard.md).
 */
export function secretsManagerKey(secretId: string, provider: SecretsProvider): (deadline: number) => Promise<Buffer> {
  let key: Promise<Buffer> | undefined;
  const read = async () => {
    let value: unknown;
    try {
      value = await provider.get(secretId);
    } catch (error) {
      throw classifySecretError(secretId, error);
    }
    if (typeof value !== 'string' || value.length < MIN_KEY_CHARACTERS) {
      throw failure(
        'CONFIGURATION_INVALID',
        `Secret ${secretId} must hold a key of at least ${MIN_KEY_CHARACTERS} characters as its SecretString`,
      );
    }
    return Buffer.from(value, 'utf8');
  };
  return (deadline) => {
    key ??= read().catch((error: unknown) => {
      key = undefined;
      throw error;
    });
    return beforeDeadline(key, deadline, () =>
      failure('SECRET_UNAVAILABLE', `Secrets Manager did not answer in time for secret ${secretId}`),
    );
  };
}
