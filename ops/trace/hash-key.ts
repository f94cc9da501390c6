import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describeError } from '../dlq/cli-error.ts';
import { type AwsClients, isNotFound, SERVICES } from './aws.ts';
import type { Target } from './targets.ts';

/** As the function requires of it (adapters/ordering-key.ts). */
const MIN_KEY_CHARACTERS = 32;

/**
 * The key, why it could not be read, or (`none`) why the deployment has none. Never printed, never
 * part of an error.
 */
export type HashKey = { key: Buffer } | { error: string } | { none: string };

/** The secret's SecretString as utf8 bytes: the bytes the function keys the numbers' hashes with. */
export async function readHashKey(aws: AwsClients, secret: Target): Promise<HashKey> {
  if ('none' in secret) return { none: secret.none };
  if ('missing' in secret) return { error: `the key's secret is ${secret.missing}` };
  const secretId = secret.value;
  try {
    const { SecretString } = await aws.secrets().send(new GetSecretValueCommand({ SecretId: secretId }));
    if (SecretString === undefined || SecretString.length < MIN_KEY_CHARACTERS) {
      return {
        error: `secret ${secretId} holds no key of at least ${MIN_KEY_CHARACTERS} characters as its SecretString`,
      };
    }
    return { key: Buffer.from(SecretString, 'utf8') };
  } catch (error) {
    if (isNotFound(error)) return { error: `secret ${secretId} not found` };
    return { error: `secret ${secretId}: ${describeError(error, SERVICES.secrets)}` };
  }
}
