import { DeleteMessageCommand, SendMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { EXIT_INTERRUPTED } from './cli-error.ts';
import { readDeadLetter, senderAttributes, type DeadLetter } from './dead-letter.ts';
import { formatCounts, formatLetter, plural } from './format.ts';
import { pause, type Interrupt } from './interrupt.ts';
import type { Options } from './options.ts';
import { Progress } from './progress.ts';
import type { QueueRef } from './queues.ts';
import { matchesReasons } from './reasons.ts';
import { scanQueue, type ScanResult } from './scan.ts';

interface Tally {
  done: DeadLetter[];
  /** Read and left in the DLQ: other reasons. */
  left: DeadLetter[];
  scan?: ScanResult;
}

/**
 * `redrive --reason` (to `main`) or `discard` (without it), applied: takes the DLQ's messages of
 * the chosen reasons one at a time, sends each to `main` first, then deletes it. Interrupted between
 * the two, a message is still in the DLQ and comes back after its visibility timeout, so a crash can
 * repeat a send but never lose a message. The tally is filled as it goes and printed on stdout
 * however the run ended; returns the exit code.
 */
export async function takeMatching(
  sqs: SQSClient,
  dlq: QueueRef,
  main: QueueRef | undefined,
  options: Options,
  interrupt: Interrupt,
): Promise<number> {
  const tally: Tally = { done: [], left: [] };
  const pace = pacer(options.rate);
  const progress = new Progress();
  const status = () =>
    `${verbFor(main)} ${tally.done.length}, read ${tally.done.length + tally.left.length} of ~${dlq.depth.visible}`;
  try {
    tally.scan = await scanQueue(
      sqs,
      dlq.url,
      async (message) => {
        const letter = readDeadLetter(message);
        if (!matchesReasons(options.reasons, letter.reason)) {
          tally.left.push(letter);
          return 'keep';
        }
        await pace();
        if (interrupt.requested()) return 'keep';
        if (main !== undefined) await sendBack(sqs, main, message);
        await sqs.send(new DeleteMessageCommand({ QueueUrl: dlq.url, ReceiptHandle: message.ReceiptHandle }));
        tally.done.push(letter);
        // A discarded message is gone for good: this line, masked, is the record of what went.
        if (main === undefined) process.stdout.write(`discarded ${letter.reason}\n${formatLetter(letter)}\n`);
        progress.update(tally.done.length, status());
        return 'gone';
      },
      { visibilityTimeout: options.visibilityTimeout, stopRequested: interrupt.requested },
    );
  } catch (error) {
    process.stdout.write(formatTally(tally, dlq, main, 'failed'));
    throw error;
  }
  if (tally.done.length > 0) progress.done(status());
  const { interrupted } = tally.scan;
  process.stdout.write(formatTally(tally, dlq, main, interrupted ? 'interrupted' : undefined));
  return interrupted ? EXIT_INTERRUPTED : 0;
}

/**
 * The body exactly as it was, the sender's attributes without the function's reason. On FIFO the
 * message keeps its group, and its deduplication id comes from its DLQ message id: a resend after
 * an interruption within SQS's five minutes is dropped as the duplicate it is.
 */
async function sendBack(sqs: SQSClient, main: QueueRef, message: Message): Promise<void> {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: main.url,
      MessageBody: message.Body,
      MessageAttributes: senderAttributes(message),
      MessageGroupId: main.fifo ? (message.Attributes?.MessageGroupId ?? 'dead-letters') : undefined,
      MessageDeduplicationId: main.fifo ? `redrive-${message.MessageId}` : undefined,
    }),
  );
}

/** Waits as needed so calls run at most `rate` a second; without a rate, never waits. */
function pacer(rate: number | undefined): () => Promise<void> {
  let next = 0;
  return async () => {
    if (rate === undefined) return;
    const now = Date.now();
    if (next > now) await pause(next - now);
    next = Math.max(now, next) + 1_000 / rate;
  };
}

const verbFor = (main: QueueRef | undefined) => (main === undefined ? 'discarded' : 'moved');

/** What the run did, and what it left; `cut` says why it ended before the DLQ was through, if it did. */
function formatTally(tally: Tally, dlq: QueueRef, main: QueueRef | undefined, cut?: 'interrupted' | 'failed'): string {
  const lines: string[] = [];
  if (cut === 'interrupted') lines.push('interrupted: stopped after the message in hand');
  if (cut === 'failed') lines.push('stopped by the error below');
  const where = main === undefined ? `from ${dlq.name}` : `from ${dlq.name} to ${main.name}`;
  lines.push(`${verbFor(main)} ${plural(tally.done.length, 'message')} ${where}${tally.done.length > 0 ? ':' : ''}`);
  if (tally.done.length > 0) lines.push(formatCounts(tally.done));
  if (tally.left.length > 0) lines.push(`${plural(tally.left.length, 'message')} of other reasons left in the DLQ`);
  if (cut !== undefined) lines.push(`the rest is still in the DLQ: run the same command again to go on`);
  // An interrupted run did not try to reach the rest; "the rest is still in the DLQ" says it.
  const unreached = cut === undefined ? (tally.scan?.unreached ?? 0) : 0;
  if (unreached > 0 && dlq.fifo) {
    lines.push(
      `~${unreached} not reached: each waits behind an earlier message of its FIFO message group that stays in the DLQ`,
    );
  } else if (unreached > 0) {
    lines.push(`~${unreached} not reached: they became visible during the run; run again for them`);
  }
  if (dlq.depth.inFlight > 0) {
    lines.push(
      `${dlq.depth.inFlight} in flight when the run started were not reached: they are visible again after their visibility timeout (an interrupted run's, or another reader's)`,
    );
  }
  return `${lines.join('\n')}\n`;
}
