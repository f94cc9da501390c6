import type { SQSClient } from '@aws-sdk/client-sqs';
import { dryRun } from './dry-run.ts';
import type { Interrupt } from './interrupt.ts';
import type { Options } from './options.ts';
import { resolveDeadLetterQueue } from './queues.ts';
import { takeMatching } from './take-matching.ts';

/**
 * `discard --reason`: deletes messages that can never succeed, once their sender is fixed. A dry
 * run unless --apply; with it, each deleted message is printed (masked) as the record of what went.
 */
export async function discardCommand(sqs: SQSClient, options: Options, interrupt: Interrupt): Promise<number> {
  const dlq = await resolveDeadLetterQueue(sqs, options);
  return options.apply
    ? takeMatching(sqs, dlq, undefined, options, interrupt)
    : dryRun(sqs, dlq, undefined, options, interrupt);
}
