/**
 * How a phone number is turned into what Thulium matches against. Thulium compares the campaign's
 * stored main number as it is, so any rewriting changes which records match: the default sends the
 * number exactly as received.
 */
export type PhoneNormalisation = 'as-is' | 'strip-separators' | 'national';

export const PHONE_NORMALISATIONS: readonly PhoneNormalisation[] = ['as-is', 'strip-separators', 'national'];

export interface PhonePolicy {
  normalisation: PhoneNormalisation;
  /** Country calling code removed by `national`, e.g. "48" turns "+48 111 222 333" into "111222333". */
  countryCode: string;
}

export function normalisePhoneNumber(phone: string, policy: PhonePolicy): string {
  if (policy.normalisation === 'as-is') return phone;
  const compact = phone.replace(/[\s\-()./]/g, '');
  if (policy.normalisation === 'strip-separators') return compact;
  for (const prefix of [`+${policy.countryCode}`, `00${policy.countryCode}`]) {
    if (compact.startsWith(prefix) && compact.length > prefix.length) return compact.slice(prefix.length);
  }
  return compact;
}

/**
 * Phone numbers are personal data: every digit but the last three becomes `*` (all of them when
 * there are three or fewer). Separators stay, they tell nothing about the person.
 */
export function maskPhoneNumber(phone: string): string {
  let digitsLeft = (phone.match(/\d/g) ?? []).length;
  const keep = digitsLeft > 3 ? 3 : 0;
  return phone.replace(/\d/g, (digit) => (digitsLeft-- > keep ? '*' : digit));
}

/**
 * Masks anything in free text that looks like a phone number (six or more digits, separators
 * allowed), for text we do not control, such as Thulium's error messages.
 */
export function maskPhoneNumbersIn(text: string): string {
  return text.replace(/\+?\d(?:[\d\s\-()./]*\d){5,}/g, (match) => maskPhoneNumber(match));
}
