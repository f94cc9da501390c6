import type { SQSClient } from '@aws-sdk/client-sqs';
import { readDeadLetter, type DeadLetter } from './dead-letter.ts';
import type { Interrupt } from './interrupt.ts';
import { depthOf, type Depth, type QueueRef } from './queues.ts';
import { matchesReasons } from './reasons.ts';
import { scanQueue, type ScanResult } from './scan.ts';

export interface Survey {
  /** The DLQ's depth before reading. */
  before: Depth;
  /** The messages of the chosen reasons (all when none were chosen). */
  letters: DeadLetter[];
  scan: ScanResult;
}

export interface SurveyOptions {
  reasons: string[];
  visibilityTimeout: number;
  limit?: number;
  interrupt?: Interrupt;
  /** Each matching message as soon as it is read, for output that streams. */
  onLetter?: (letter: DeadLetter) => void;
}

/** Every message of the DLQ read once and left where it was. */
export async function surveyDeadLetters(sqs: SQSClient, dlq: QueueRef, options: SurveyOptions): Promise<Survey> {
  const before = await depthOf(sqs, dlq.url);
  const letters: DeadLetter[] = [];
  const scan = await scanQueue(
    sqs,
    dlq.url,
    async (message) => {
      const letter = readDeadLetter(message);
      if (matchesReasons(options.reasons, letter.reason)) {
        letters.push(letter);
        options.onLetter?.(letter);
      }
      return 'keep';
    },
    {
      visibilityTimeout: options.visibilityTimeout,
      expected: before.visible,
      enough: () => options.limit !== undefined && letters.length >= options.limit,
      stopRequested: options.interrupt?.requested,
    },
  );
  return { before, letters, scan };
}

/** What the reading could not see, and why, so nobody takes a partial view for the whole queue. */
export function coverageNotes(dlq: QueueRef, survey: Survey, limit?: number): string[] {
  const notes: string[] = [];
  const { before, scan } = survey;
  notes.push(`${dlq.name}: ~${before.visible} visible, ${before.inFlight} in flight, ${before.delayed} delayed when read; ${scan.seen} read`);
  if (scan.interrupted) notes.push('interrupted: only part of the DLQ was read');
  if (limit !== undefined && survey.letters.length >= limit) notes.push(`stopped at --limit ${limit}`);
  if (scan.unreached > 0 && dlq.fifo) {
    notes.push(`~${scan.unreached} not read: a FIFO message group's later messages cannot be received while its first one is held, and reading holds it`);
  } else if (scan.unreached > 0) {
    notes.push(`~${scan.unreached} not read: they arrived or became visible while reading; run again to see them`);
  }
  if (before.inFlight > 0) {
    notes.push(`${before.inFlight} in flight were not read: another reader holds them, or an interrupted run did; they are visible again after their visibility timeout`);
  }
  return notes;
}
