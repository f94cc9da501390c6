import type { SQSClient } from '@aws-sdk/client-sqs';
import { adviseByReason } from './by-reason.ts';
import { dryRun } from './dry-run.ts';
import type { Interrupt } from './interrupt.ts';
import { MoveTaskUnavailableError, redriveWithMoveTask } from './move-task.ts';
import type { Options } from './options.ts';
import { resolveDeadLetterQueue, resolveMainQueue } from './queues.ts';
import { failsAgain, kindOf } from './reasons.ts';
import { takeMatching } from './take-matching.ts';

/**
 * `redrive`: a dry run unless --apply. All reasons go by an SQS move task; chosen reasons are
 * moved here, message by message, as SQS cannot filter.
 */
export async function redriveCommand(sqs: SQSClient, options: Options, interrupt: Interrupt): Promise<number> {
  const dlq = await resolveDeadLetterQueue(sqs, options);
  const main = await resolveMainQueue(sqs, options, dlq);
  if (!options.apply) return dryRun(sqs, dlq, main, options, interrupt);
  if (options.reasons.length === 0) {
    process.stderr.write(
      'every reason goes back, also those that fail again as sent; a dry run (without --apply) shows them\n',
    );
    return redriveWithMoveTask(sqs, dlq, main, options.rate, interrupt).catch((error: unknown) => {
      if (!(error instanceof MoveTaskUnavailableError)) throw error;
      return adviseByReason(sqs, dlq, options, interrupt, error);
    });
  }
  for (const reason of options.reasons.filter((code) => failsAgain(kindOf(code, undefined)))) {
    process.stderr.write(
      `⚠ ${reason} fails again as sent unless its cause was fixed: these messages will come back to the DLQ\n`,
    );
  }
  return takeMatching(sqs, dlq, main, options, interrupt);
}
