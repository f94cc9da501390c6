import { maskPhoneNumbersIn } from '../../functions/outbound-status/core/phone-number.ts';
import { truncate } from '../../functions/outbound-status/shared/text.ts';

/** The fields of an outcome's log line that tell its story; Logs Insights finds them in the JSON itself. */
const LOG_FIELDS = [
  '@timestamp',
  'message',
  'outcome',
  'face',
  'correlation_id',
  'reference',
  'status_id',
  'error.code',
] as const;

/** Enough for one number's story within a day; a longer one is narrowed by --since. */
const LOG_LIMIT = 100;

/** Every log line of the number, newest first: the lines carry its `number_key`, never the number. */
export function logQuery(numberKey: string): string {
  return [
    `fields ${LOG_FIELDS.join(', ')}`,
    `| filter number_key = "${numberKey}"`,
    '| sort @timestamp desc',
    `| limit ${LOG_LIMIT}`,
  ].join('\n');
}

/** The query window, epoch seconds as StartQuery takes them. */
export function queryWindow(now: number, sinceMs: number): { startTime: number; endTime: number } {
  return { startTime: Math.floor((now - sinceMs) / 1000), endTime: Math.ceil(now / 1000) };
}

/** The query as the AWS CLI runs it, ready to paste: one line, each value quoted for a POSIX shell. */
export function startQueryCommand(
  logGroup: string,
  query: string,
  window: { startTime: number; endTime: number },
): string {
  return [
    'aws logs start-query',
    `--log-group-name ${shellQuoted(logGroup)}`,
    `--start-time ${window.startTime} --end-time ${window.endTime}`,
    `--query-string ${shellQuoted(query.replaceAll('\n', ' '))}`,
  ].join(' ');
}

const shellQuoted = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** One result row, by field; `@ptr` (Insights' own pointer) left out. */
export type LogRow = Record<string, string>;

/**
 * A row as printed. The lines hold masked numbers only, but a field may carry a sender's text: all
 * but the time and the correlation id (AWS's ids, which masking would break) are masked again.
 */
export function logRow(fields: { field?: string; value?: string }[]): LogRow {
  const row: LogRow = {};
  for (const { field, value } of fields) {
    if (field === undefined || value === undefined || field === '@ptr') continue;
    if (field === '@timestamp') row[field] = insightsTime(value);
    else if (field === 'correlation_id') row[field] = truncate(value, 128, '…');
    else row[field] = truncate(maskPhoneNumbersIn(value), 400, '…');
  }
  return row;
}

/**
 * Insights gives `2026-12-01 09:30:00.123` (UTC); shown as ISO 8601 like every other time here. Epoch
 * ms (as some emulators give it) too; anything else is masked like any text.
 */
export function insightsTime(value: string): string {
  if (/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/.test(value)) return `${value.replace(' ', 'T')}Z`;
  const ms = Number(value);
  if (/^\d{13}$/.test(value) && Math.abs(ms) <= 8.64e15) return new Date(ms).toISOString();
  return maskPhoneNumbersIn(value);
}
