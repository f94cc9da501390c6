import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetter } from './dead-letter.ts';
import { dryRun } from './dry-run.ts';
import { formatLetter } from './format.ts';
import type { Interrupt } from './interrupt.ts';
import type { Options } from './options.ts';
import { resolveDeadLetterQueue } from './queues.ts';
import { takeMatchingAndReport } from './take-matching.ts';

/**
 * `discard --reason`: deletes messages that can never succeed, once their sender is fixed. A dry
 * run unless --apply; with it, each deleted message is printed (masked) as the record of what went.
 */
export async function discardCommand(sqs: SQSClient, options: Options, interrupt: Interrupt): Promise<number> {
  const dlq = await resolveDeadLetterQueue(sqs, options);
  if (!options.apply) return dryRun(sqs, dlq, undefined, options, interrupt);
  const record = (letter: DeadLetter) => process.stdout.write(`discarded ${letter.reason}\n${formatLetter(letter)}\n`);
  return takeMatchingAndReport(sqs, dlq, { ...options, verb: 'discarded', interrupt, onDone: record }, async () => {}, {});
}
