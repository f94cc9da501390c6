import { countByReason, formatCounts, plural } from './format.ts';
import type { QueueRef } from './queues.ts';
import type { Tally } from './take-matching.ts';

export interface TallyContext {
  /** "moved" or "discarded". */
  verb: string;
  dlq: QueueRef;
  main?: QueueRef;
  /** Why the run ended before the DLQ was through, if it did. */
  cut?: 'interrupted' | 'failed';
}

/** What a run by reason did, and what it left: printed on success, interruption and failure alike. */
export function formatTally(tally: Tally, context: TallyContext): string {
  const { verb, dlq, main, cut } = context;
  const lines: string[] = [];
  if (cut === 'interrupted') lines.push('interrupted: stopped after the message in hand');
  if (cut === 'failed') lines.push('stopped by the error below');
  const where = main === undefined ? `from ${dlq.name}` : `from ${dlq.name} to ${main.name}`;
  lines.push(`${verb} ${plural(tally.done.length, 'message')} ${where}${tally.done.length > 0 ? ':' : ''}`);
  if (tally.done.length > 0) lines.push(formatCounts(countByReason(tally.done)));
  if (tally.left.length > 0) lines.push(`${plural(tally.left.length, 'message')} of other reasons left in the DLQ`);
  if (cut !== undefined) lines.push(`the rest is still in the DLQ: run the same command again to go on`);
  // An interrupted run did not try to reach the rest; "the rest is still in the DLQ" says it.
  const unreached = cut === undefined ? (tally.scan?.unreached ?? 0) : 0;
  if (unreached > 0 && dlq.fifo) {
    lines.push(`~${unreached} not reached: each waits behind an earlier message of its FIFO message group that stays in the DLQ`);
  } else if (unreached > 0) {
    lines.push(`~${unreached} not reached: they became visible during the run; run again for them`);
  }
  if (tally.before.inFlight > 0) {
    lines.push(`${tally.before.inFlight} in flight when the run started were not reached: they are visible again after their visibility timeout (an interrupted run's, or another reader's)`);
  }
  return `${lines.join('\n')}\n`;
}
