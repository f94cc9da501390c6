import type { SQSClient } from '@aws-sdk/client-sqs';
import { CliError, EXIT_INTERRUPTED } from './cli-error.ts';
import type { DeadLetter } from './dead-letter.ts';
import { groupByReason } from './format.ts';
import type { Interrupt } from './interrupt.ts';
import type { MoveTaskUnavailableError } from './move-task.ts';
import type { Options } from './options.ts';
import type { QueueRef } from './queues.ts';
import { failsAgain } from './reasons.ts';
import { surveyDeadLetters } from './survey.ts';

/**
 * What to run instead of a move task, from what the DLQ holds: its reasons that can succeed when
 * sent again, largest group first. Those that would only come back are named, not offered.
 */
export function insteadByReason(dlqName: string, letters: DeadLetter[]): string {
  const worth: string[] = [];
  const hopeless: string[] = [];
  for (const [reason, group] of groupByReason(letters)) (failsAgain(group[0].kind) ? hopeless : worth).push(reason);
  if (worth.length > 0) {
    const leftOut =
      hopeless.length === 0 ? '' : ` (left out, as they fail again when sent unchanged: ${hopeless.join(', ')})`;
    return `move the messages of ${dlqName} by reason instead: redrive --reason ${worth.join(',')} --apply${leftOut}`;
  }
  if (hopeless.length > 0) {
    return `nothing in ${dlqName} is worth moving by reason: ${hopeless.join(', ')} fail again when sent unchanged (list shows them; discard --reason ${hopeless.join(',')} --apply once their cause is dealt with)`;
  }
  return `no message of ${dlqName} could be read for its reason; run again later`;
}

/**
 * `redrive --apply` where no move task can run: reads the DLQ, leaving every message where it was,
 * and fails with the `redrive --reason` to run instead.
 */
export async function adviseByReason(
  sqs: SQSClient,
  dlq: QueueRef,
  options: Options,
  interrupt: Interrupt,
  unavailable: MoveTaskUnavailableError,
): Promise<number> {
  if (dlq.depth.visible === 0) {
    process.stdout.write(`nothing to move: ${dlq.name} has no visible messages\n`);
    return 0;
  }
  process.stderr.write(`reading ${dlq.name} for its reasons (~${dlq.depth.visible} messages, none moved)…\n`);
  const { letters, scan } = await surveyDeadLetters(sqs, dlq, options, interrupt);
  const partial = scan.interrupted
    ? ` (interrupted: from the ${scan.seen} messages read)`
    : scan.unreached > 0
      ? ` (from the ${scan.seen} messages read, not all: a dry run says why)`
      : '';
  throw new CliError(
    `${unavailable.situation}; ${insteadByReason(dlq.name, letters)}${partial}`,
    scan.interrupted ? EXIT_INTERRUPTED : 1,
  );
}
