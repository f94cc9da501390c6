import type { DeadLetter } from './dead-letter.ts';
import { failsAgain, UNRECORDED } from './reasons.ts';

/** Reasons with their messages, the largest group first. */
export function groupByReason(letters: DeadLetter[]): [string, DeadLetter[]][] {
  const groups = new Map<string, DeadLetter[]>();
  for (const letter of letters) groups.set(letter.reason, [...(groups.get(letter.reason) ?? []), letter]);
  return [...groups].sort(([a, x], [b, y]) => y.length - x.length || a.localeCompare(b));
}

export const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** What an operator should know about a reason before moving its messages. */
export function reasonNote(reason: string, kind: string | undefined): string {
  if (reason === UNRECORDED) return "moved by SQS's redrive policy, no reason recorded: the function's error log says why";
  if (kind === 'refused') return 'refused: Thulium refuses it as sent (no such record or status); decide with the business, then discard';
  if (failsAgain(kind)) return `${kind}: fails again as sent; fix the sender, then discard`;
  return kind ?? '';
}

/** Counts per reason as an aligned table, `⚠` on reasons that will only come back. */
export function formatCounts(counts: Map<string, { count: number; kind?: string }>): string {
  const rows = [...counts].sort(([a, x], [b, y]) => y.count - x.count || a.localeCompare(b));
  const width = Math.max(0, ...rows.map(([reason]) => reason.length));
  return rows
    .map(([reason, { count, kind }]) => {
      const warn = failsAgain(kind) ? `  ⚠ ${reasonNote(reason, kind)}` : reason === UNRECORDED ? `  (${reasonNote(reason, kind)})` : '';
      return `  ${reason.padEnd(width)}  ${String(count).padStart(6)}${warn}`;
    })
    .join('\n');
}

export function formatLetter(letter: DeadLetter): string {
  const fields = [
    letter.failedAt ?? 'failed at -',
    `receives ${letter.receiveCount ?? '-'}`,
    `phone ${letter.phone ?? '-'}`,
    `status ${letter.statusId ?? '-'}`,
    letter.envelope === 'sns' || letter.envelope === 'eventbridge' ? `via ${letter.envelope}` : undefined,
    letter.messageGroupId === undefined ? undefined : `group ${letter.messageGroupId}`,
    `id ${letter.messageId}`,
  ];
  const lines = [`  ${fields.filter(Boolean).join('  ')}`];
  if (letter.kind !== undefined || letter.errorMessage !== undefined) lines.push(`    ${letter.kind ?? '-'}: ${letter.errorMessage ?? '-'}`);
  if (letter.bodyPreview !== undefined) lines.push(`    body (not an update): ${JSON.stringify(letter.bodyPreview)}`);
  if (letter.thuliumRequestId !== undefined) lines.push(`    Thulium request id ${letter.thuliumRequestId}`);
  return lines.join('\n');
}

/** Every group with its messages, oldest failure first. */
export function formatListing(letters: DeadLetter[]): string {
  return groupByReason(letters)
    .map(([reason, group]) => {
      const sorted = [...group].sort((a, b) => (a.failedAt ?? '').localeCompare(b.failedAt ?? ''));
      const heading = `${reason}  ${plural(group.length, 'message')}  ${reasonNote(reason, group[0].kind)}`.trimEnd();
      return [heading, ...sorted.map(formatLetter)].join('\n');
    })
    .join('\n\n');
}

export function countByReason(letters: DeadLetter[]): Map<string, { count: number; kind?: string }> {
  const counts = new Map<string, { count: number; kind?: string }>();
  for (const letter of letters) {
    const entry = counts.get(letter.reason) ?? { count: 0, kind: letter.kind };
    entry.count++;
    counts.set(letter.reason, entry);
  }
  return counts;
}
