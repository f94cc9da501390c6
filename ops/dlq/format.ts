import type { DeadLetter } from './dead-letter.ts';
import { failsAgain, UNRECORDED } from './reasons.ts';

/** Reasons with their messages, the largest group first. */
export function groupByReason(letters: DeadLetter[]): [string, DeadLetter[]][] {
  const groups = new Map<string, DeadLetter[]>();
  for (const letter of letters) {
    const group = groups.get(letter.reason);
    if (group === undefined) groups.set(letter.reason, [letter]);
    else group.push(letter);
  }
  return [...groups].sort(([a, x], [b, y]) => y.length - x.length || a.localeCompare(b));
}

export const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** `--reason` as the output names it: nothing when every reason was chosen. */
export const withReasons = (reasons: string[]) => (reasons.length === 0 ? '' : ` with reason ${reasons.join(' or ')}`);

/** What an operator should know about a reason before moving its messages. */
function reasonNote(reason: string, kind: string | undefined): string {
  if (reason === UNRECORDED)
    return "moved by SQS's redrive policy, no reason recorded: the function's error log says why";
  if (kind === 'refused')
    return 'refused: Thulium refuses it as sent (no such record or status); decide with the business, then discard';
  if (failsAgain(kind)) return `${kind}: fails again as sent; fix the sender, then discard`;
  return kind ?? '';
}

/** Counts per reason as an aligned table, `⚠` on reasons that will only come back. */
export function formatCounts(letters: DeadLetter[]): string {
  const groups = groupByReason(letters);
  const width = Math.max(0, ...groups.map(([reason]) => reason.length));
  return groups
    .map(([reason, group]) => {
      const kind = group[0].kind;
      const warn = failsAgain(kind)
        ? `  ⚠ ${reasonNote(reason, kind)}`
        : reason === UNRECORDED
          ? `  (${reasonNote(reason, kind)})`
          : '';
      return `  ${reason.padEnd(width)}  ${String(group.length).padStart(6)}${warn}`;
    })
    .join('\n');
}

export function formatLetter(letter: DeadLetter): string {
  const fields = [
    letter.failedAt ?? 'failed at -',
    `receives ${letter.receiveCount ?? '-'}`,
    `phone ${letter.phone ?? '-'}`,
    `status ${letter.statusId ?? '-'}`,
    `version ${letter.updateVersion ?? '-'}`,
    letter.envelope === 'sns' || letter.envelope === 'eventbridge' ? `via ${letter.envelope}` : undefined,
    letter.messageGroupId === undefined ? undefined : `group ${letter.messageGroupId}`,
    `id ${letter.messageId}`,
  ];
  const lines = [`  ${fields.filter(Boolean).join('  ')}`];
  if (letter.kind !== undefined || letter.errorMessage !== undefined)
    lines.push(`    ${letter.kind ?? '-'}: ${letter.errorMessage ?? '-'}`);
  if (letter.bodyPreview !== undefined) lines.push(`    body (not an update): ${JSON.stringify(letter.bodyPreview)}`);
  if (letter.thuliumRequestId !== undefined) lines.push(`    Thulium request id ${letter.thuliumRequestId}`);
  if (letter.reference !== undefined) lines.push(`    reference ${letter.reference}`);
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
