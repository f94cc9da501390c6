import type { SQSClient } from '@aws-sdk/client-sqs';
import { readDeadLetter, type DeadLetter } from './dead-letter.ts';
import type { Interrupt } from './interrupt.ts';
import type { Options } from './options.ts';
import type { QueueRef } from './queues.ts';
import { matchesReasons } from './reasons.ts';
import { scanQueue, type ScanResult } from './scan.ts';

interface Survey {
  /** The messages of the chosen reasons (all when none were chosen). */
  letters: DeadLetter[];
  scan: ScanResult;
}

/**
 * Every message of the DLQ read once and left where it was, up to --limit. `onLetter` gets each
 * matching message as soon as it is read, for output that streams.
 */
export async function surveyDeadLetters(
  sqs: SQSClient,
  dlq: QueueRef,
  options: Options,
  interrupt: Interrupt,
  onLetter?: (letter: DeadLetter) => void,
): Promise<Survey> {
  const letters: DeadLetter[] = [];
  const scan = await scanQueue(
    sqs,
    dlq.url,
    async (message) => {
      const letter = readDeadLetter(message);
      if (matchesReasons(options.reasons, letter.reason)) {
        letters.push(letter);
        onLetter?.(letter);
      }
      return 'keep';
    },
    {
      visibilityTimeout: options.visibilityTimeout,
      expected: dlq.depth.visible,
      enough: () => options.limit !== undefined && letters.length >= options.limit,
      stopRequested: interrupt.requested,
    },
  );
  return { letters, scan };
}

/** What the reading could not see, and why, so nobody takes a partial view for the whole queue. */
export function coverageNotes(dlq: QueueRef, survey: Survey, limit?: number): string[] {
  const notes: string[] = [];
  const { depth } = dlq;
  const { scan } = survey;
  notes.push(
    `${dlq.name}: ~${depth.visible} visible, ${depth.inFlight} in flight, ${depth.delayed} delayed when read; ${scan.seen} read`,
  );
  if (scan.interrupted) notes.push('interrupted: only part of the DLQ was read');
  if (limit !== undefined && survey.letters.length >= limit) notes.push(`stopped at --limit ${limit}`);
  if (scan.unreached > 0 && dlq.fifo) {
    notes.push(
      `~${scan.unreached} not read: a FIFO message group's later messages cannot be received while its first one is held, and reading holds it`,
    );
  } else if (scan.unreached > 0) {
    notes.push(`~${scan.unreached} not read: they arrived or became visible while reading; run again to see them`);
  }
  if (depth.inFlight > 0) {
    notes.push(
      `${depth.inFlight} in flight were not read: another reader holds them, or an interrupted run did; they are visible again after their visibility timeout`,
    );
  }
  return notes;
}
