/**
 * What must never leave the function: passwords, the Authorization value, full phone numbers.
 * Test files register what they saw (log lines, answers, dead-letter attributes) with `expose`;
 * the suite-wide guard (`leak-guard.setup.ts`) scans all of it after every file.
 */
const exposed: string[][] = [];
const secrets = new Set<string>();
const phones = new Set<string>();

/** Keeps `texts` (the same array, still growing) for the scan after the file. */
export function expose<T extends string[]>(texts: T): T {
  exposed.push(texts);
  return texts;
}

/** Values the scan looks for, in addition to those already guarded. */
export function guard({ secrets: s = [], phones: p = [] }: { secrets?: string[]; phones?: string[] }): void {
  for (const value of s) secrets.add(value);
  for (const value of p) phones.add(value);
}

export const exposedTexts = (): string[] => exposed.flat();

/** A finder of everything guarded so far. */
export const guardedLeakFinder = () => leakFinder({ secrets: [...secrets], phones: [...phones] });

/**
 * Finds the watched values in a text. A phone number counts even when separators or the escapes of
 * a JSON string stand between its digits (up to six characters). Letters and masking stars end a
 * number, so ids and hex strings do not chain into false alarms.
 */
export function leakFinder(watched: { secrets: string[]; phones: string[] }): (text: string) => string[] {
  const wanted = new Set(watched.phones);
  const lengths = new Set(watched.phones.map((phone) => phone.length));
  return (text) => {
    const found = new Set(watched.secrets.filter((value) => text.includes(value)));
    const unescaped = text.replace(/\\[nrt"\\/]/g, ' ');
    for (const [chain] of unescaped.matchAll(/[0-9](?:[^0-9A-Za-z*]{0,6}[0-9])*/g)) {
      const digits = chain.replace(/[^0-9]/g, '');
      for (const length of lengths) {
        for (let i = 0; i + length <= digits.length; i++) {
          const candidate = digits.slice(i, i + length);
          if (wanted.has(candidate)) found.add(`phone ${candidate.slice(0, 3)}…`);
        }
      }
    }
    return [...found];
  };
}
