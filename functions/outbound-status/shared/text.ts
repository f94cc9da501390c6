/**
 * At most `max` characters of `value`, cut between whole code points, then `marker` if anything
 * was cut. Cutting UTF-16 units could split an emoji, and a lone surrogate makes strict JSON
 * parsers refuse a whole answer or log line.
 */
export function truncate(value: string, max: number, marker = ''): string {
  let count = 0;
  let end = 0;
  for (const char of value) {
    if (count === max) return `${value.slice(0, end)}${marker}`;
    count++;
    end += char.length;
  }
  return value;
}

/** Whatever was thrown, as one line for a log field: its name and message. */
export const describeError = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);
