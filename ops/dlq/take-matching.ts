import { DeleteMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { EXIT_INTERRUPTED } from './cli-error.ts';
import { readDeadLetter, type DeadLetter } from './dead-letter.ts';
import type { Interrupt } from './interrupt.ts';
import { pacer } from './pace.ts';
import { Progress } from './progress.ts';
import { depthOf, type Depth, type QueueRef } from './queues.ts';
import { matchesReasons } from './reasons.ts';
import { scanQueue, type ScanResult } from './scan.ts';
import { formatTally, type TallyContext } from './summary.ts';

export interface Tally {
  before: Depth;
  done: DeadLetter[];
  /** Read and left in the DLQ: other reasons. */
  left: DeadLetter[];
  scan?: ScanResult;
}

export interface MatchingOptions {
  reasons: string[];
  visibilityTimeout: number;
  rate?: number;
  interrupt: Interrupt;
  verb: string;
  onDone?: (letter: DeadLetter) => void;
}

/**
 * Takes the DLQ's messages of the chosen reasons one at a time: `act` first, then the delete.
 * Interrupted between the two, a message is still in the DLQ and comes back after its visibility
 * timeout, so a crash can repeat an act but never lose a message. The tally is filled as it goes,
 * so a failed run can still say what it did.
 */
async function takeMatching(
  sqs: SQSClient,
  dlq: QueueRef,
  options: MatchingOptions,
  act: (message: Message) => Promise<void>,
  tally: Tally,
): Promise<void> {
  const pace = pacer(options.rate);
  const progress = new Progress();
  const status = () => `${options.verb} ${tally.done.length}, read ${tally.done.length + tally.left.length} of ~${tally.before.visible}`;
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
      if (options.interrupt.requested()) return 'keep';
      await act(message);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: dlq.url, ReceiptHandle: message.ReceiptHandle }));
      tally.done.push(letter);
      options.onDone?.(letter);
      progress.update(tally.done.length, status());
      return 'gone';
    },
    { visibilityTimeout: options.visibilityTimeout, stopRequested: options.interrupt.requested },
  );
  if (tally.done.length > 0) progress.done(status());
}

const newTally = async (sqs: SQSClient, dlq: QueueRef): Promise<Tally> => ({ before: await depthOf(sqs, dlq.url), done: [], left: [] });

/** `takeMatching`, its tally printed on stdout however it ended; the exit code. */
export async function takeMatchingAndReport(
  sqs: SQSClient,
  dlq: QueueRef,
  options: MatchingOptions,
  act: (message: Message) => Promise<void>,
  context: Omit<TallyContext, 'cut' | 'verb' | 'dlq'>,
): Promise<number> {
  const tally = await newTally(sqs, dlq);
  const full = { ...context, verb: options.verb, dlq };
  try {
    await takeMatching(sqs, dlq, options, act, tally);
  } catch (error) {
    process.stdout.write(formatTally(tally, { ...full, cut: 'failed' }));
    throw error;
  }
  const interrupted = tally.scan?.interrupted === true;
  process.stdout.write(formatTally(tally, { ...full, cut: interrupted ? 'interrupted' : undefined }));
  return interrupted ? EXIT_INTERRUPTED : 0;
}
