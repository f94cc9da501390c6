import type { DeadLetter } from '../dlq/dead-letter.ts';
import { plural } from '../dlq/format.ts';
import type { LogRow } from './log-query.ts';
import type { Source } from './phone-rule.ts';
import type { Report } from './report.ts';
import type { StoreSection } from './store.ts';

/** What "nothing recorded" can mean; docs/trace.md says the same. */
export const NOTHING_RECORDED =
  'nothing recorded for this number: no update of it was applied through the ordering guard, or its item expired after the TTL (ORDERING_TTL_SECONDS)';

/** Under "nothing recorded" when the number's form was guessed: the likelier reason. */
export const GUESSED_FORM = "or it was looked up in another form than the function's: see the WARNING above";

const SOURCES: Record<Source, string> = {
  flag: 'as given',
  environment: 'from the environment',
  stack: "from the stack's outputs",
  guess: 'GUESSED',
};

/** The whole trace as text, one section a part, for one screen. */
export function formatReport(report: Report): string {
  const guessed = report.warning !== undefined;
  return [
    [
      `number ${report.number}, looked up as ${report.lookedUpAs} (${ruleText(report)})`,
      ...(guessed ? [`WARNING: ${report.warning}`] : []),
    ].join('\n'),
    formatStore(report.store, guessed),
    formatLetters(report),
    formatLogs(report),
  ].join('\n\n');
}

/** `PHONE_NORMALISATION national, country code 48; from the stack's outputs`. */
function ruleText(report: Report): string {
  const national = report.normalisation === 'national';
  const sources = new Set([report.normalisationFrom, ...(national ? [report.countryCodeFrom ?? 'guess'] : [])]);
  const rule = `PHONE_NORMALISATION ${report.normalisation}${national ? `, country code ${report.countryCode}` : ''}`;
  return `${rule}; ${[...sources].map((source) => SOURCES[source]).join(' and ')}`;
}

/** `label  value` lines, the values aligned. */
const aligned = (rows: [string, string | undefined][]) => {
  const shown = rows.filter((row): row is [string, string] => row[1] !== undefined);
  const width = Math.max(...shown.map(([label]) => label.length));
  return shown.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
};

export function formatStore(store: StoreSection, guessed = false): string {
  const heading = `ordering store${store.table === undefined ? '' : ` (table ${store.table})`}`;
  if (store.error !== undefined) return `${heading}\n  could not be read: ${store.error}`;
  if (store.note !== undefined) return `${heading}\n  ${store.note}`;
  const item = store.item;
  if (item === null || item === undefined)
    return [heading, `  ${NOTHING_RECORDED}`, ...(guessed ? [`  ${GUESSED_FORM}`] : [])].join('\n');
  const held = item.heldUntil === undefined ? 'no' : `yes, by an update in progress, until ${item.heldUntil}`;
  if (item.version === undefined) {
    return [heading, '  nothing applied yet', ...aligned([['held now', held]])].join('\n');
  }
  return [
    heading,
    ...aligned([
      ['status applied', item.statusId ?? '-'],
      ['its version', item.version],
      ['applied at', item.appliedAt ?? '- (not recorded)'],
      ['through', item.face === undefined ? '- (not recorded)' : `the ${item.face} face`],
      ['correlation id', item.correlationId ?? '-'],
      ['reference', item.reference ?? '-'],
      ['held now', held],
      ['item expires', item.expiresAt],
    ]),
  ].join('\n');
}

function formatLetters({ deadLetters: section }: Report): string {
  const name = section.queue === undefined ? '' : ` (${section.queue})`;
  if (section.error !== undefined) return `dead-letter queue${name}\n  could not be read: ${section.error}`;
  const count =
    section.letters.length === 0
      ? 'no letters of this number'
      : `${plural(section.letters.length, 'letter')} of this number`;
  return [
    `dead-letter queue${name}: ${count}`,
    ...section.letters.map(formatLetter),
    ...section.notes.map((note) => `  ${note}`),
  ].join('\n');
}

/** A letter as `dlq list` shows it, with its reason in front and the sender's reference. */
export function formatLetter(letter: DeadLetter): string {
  const fields = [
    letter.reason,
    `failed at ${letter.failedAt ?? '-'}`,
    `receives ${letter.receiveCount ?? '-'}`,
    `status ${letter.statusId ?? '-'}`,
    `version ${letter.updateVersion ?? '-'}`,
    letter.envelope === 'sns' || letter.envelope === 'eventbridge' ? `via ${letter.envelope}` : undefined,
  ];
  const lines = [`  ${fields.filter(Boolean).join('  ')}`];
  if (letter.kind !== undefined || letter.errorMessage !== undefined)
    lines.push(`    ${letter.kind ?? '-'}: ${letter.errorMessage ?? '-'}`);
  if (letter.bodyPreview !== undefined) lines.push(`    body (not an update): ${JSON.stringify(letter.bodyPreview)}`);
  lines.push(
    `    reference ${letter.reference ?? '-'}  source message id ${letter.sourceMessageId ?? '-'}  id ${letter.messageId}`,
  );
  if (letter.thuliumRequestId !== undefined) lines.push(`    Thulium request id ${letter.thuliumRequestId}`);
  return lines.join('\n');
}

function formatLogs({ logs }: Report): string {
  if (logs.numberKey === undefined)
    return logs.error === undefined ? `logs\n  ${logs.note}` : `logs\n  could not be searched: ${logs.error}`;
  const where = logs.logGroup === undefined ? '' : `, log group ${logs.logGroup}`;
  const lines = [`logs: number_key ${logs.numberKey}${where}`];
  if (logs.note !== undefined) lines.push(`  ${logs.note}`);
  lines.push(
    `  Logs Insights query (the last ${logs.since}):`,
    ...logs.query!.split('\n').map((line) => `    ${line}`),
  );
  if (logs.command !== undefined) {
    lines.push(`  ${logs.command}`, '  then: aws logs get-query-results --query-id <the queryId it prints>');
  }
  if (logs.error !== undefined) lines.push(`  could not be run: ${logs.error}`);
  if (logs.interrupted) lines.push('  interrupted before the query finished');
  if (logs.results !== undefined) {
    lines.push(
      logs.results.length === 0
        ? `  no log lines of this number in the last ${logs.since}`
        : `  ${plural(logs.results.length, 'log line')}, newest first:`,
      ...logs.results.map(formatLogRow),
    );
  }
  return lines.join('\n');
}

/** A log line: its time and message, then what it says of the update. */
export function formatLogRow(row: LogRow): string {
  const details = [
    row.face,
    row.outcome,
    row.status_id === undefined ? undefined : `status ${row.status_id}`,
    row['error.code'],
    row.reference === undefined ? undefined : `reference ${row.reference}`,
    row.correlation_id === undefined ? undefined : `correlation id ${row.correlation_id}`,
  ].filter(Boolean);
  const head = `  ${row['@timestamp'] ?? '-'}  ${row.message ?? '-'}`;
  return details.length === 0 ? head : `${head}\n    ${details.join('  ')}`;
}
