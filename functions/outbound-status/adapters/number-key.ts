import { createHmac } from 'node:crypto';
import { normalisePhoneNumber, type PhonePolicy } from '../core/phone-number.ts';

/**
 * How many hex digits of the number's hash a log line and an outcome event carry as `number_key`:
 * 64 bits, enough that two numbers of one deployment never share one, too few to stand for the item.
 */
export const NUMBER_KEY_LENGTH = 16;

/** The number as the ordering table keys it: HMAC-SHA256 of the normalised number, hex; never in clear. */
export const numberHash = (key: Buffer, normalised: string) =>
  createHmac('sha256', key).update(normalised, 'utf8').digest('hex');

/** The searchable key of a number in logs and events: the start of its table hash. */
export const numberKeyOf = (hash: string) => hash.slice(0, NUMBER_KEY_LENGTH);

/** A number as received to its `number_key`, or undefined while the key cannot be read (the outcome never waits on it). */
export type NumberKeys = (phoneNumber: string, deadline: number) => Promise<string | undefined>;

export function numberKeys(key: ((deadline: number) => Promise<Buffer>) | undefined, policy: PhonePolicy): NumberKeys {
  if (key === undefined) return async () => undefined;
  return async (phoneNumber, deadline) => {
    try {
      return numberKeyOf(numberHash(await key(deadline), normalisePhoneNumber(phoneNumber, policy)));
    } catch {
      return undefined;
    }
  };
}
