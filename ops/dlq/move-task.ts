import {
  CancelMessageMoveTaskCommand,
  ListMessageMoveTasksCommand,
  StartMessageMoveTaskCommand,
  type ListMessageMoveTasksResultEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { CliError, EXIT_INTERRUPTED } from './cli-error.ts';
import { pause, type Interrupt } from './interrupt.ts';
import { Progress } from './progress.ts';
import type { QueueRef } from './queues.ts';

const POLL_MS = 1_000;
const ACTIVE = new Set(['RUNNING', 'CANCELLING']);

export const isActive = (task: ListMessageMoveTasksResultEntry | undefined) =>
  task !== undefined && ACTIVE.has(task.Status ?? '');

/** An SQS that has no message move tasks (an emulator such as fauxqs) answers their actions so. */
const WITHOUT_MOVE_TASKS = /^(AWS\.SimpleQueueService\.)?InvalidAction$/;

/**
 * No move task can redrive this DLQ. `situation` is why; redrive adds the reasons to move instead,
 * from the DLQ's content, and status and cancel, which have not read it, say how to find them.
 */
export class MoveTaskUnavailableError extends CliError {
  readonly situation: string;
  constructor(situation: string, dlq: QueueRef) {
    super(
      `${situation}; move the messages of ${dlq.name} by reason instead: a dry run (redrive without --apply) lists their reasons, redrive --reason CODE[,CODE] --apply moves them`,
    );
    this.name = 'MoveTaskUnavailableError';
    this.situation = situation;
  }
}

/** This SQS has no message move tasks at all. */
export class NoMoveTasksError extends MoveTaskUnavailableError {
  constructor(dlq: QueueRef, cause: Error) {
    super(
      `this SQS has no message move tasks (${cause.name.replace(/^AWS\.SimpleQueueService\./, '')}: ${cause.message})`,
      dlq,
    );
    this.name = 'NoMoveTasksError';
  }
}

async function sendMoveTaskCall<T>(dlq: QueueRef, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (WITHOUT_MOVE_TASKS.test((error as Error)?.name ?? '')) throw new NoMoveTasksError(dlq, error as Error);
    throw error;
  }
}

/** The most recent move tasks of the DLQ, newest first (SQS keeps those of the last 14 days). */
export async function moveTasksOf(sqs: SQSClient, dlq: QueueRef, max = 1): Promise<ListMessageMoveTasksResultEntry[]> {
  const { Results = [] } = await sendMoveTaskCall(dlq, () =>
    sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn, MaxResults: max })),
  );
  return Results;
}

export const taskProgress = (task: ListMessageMoveTasksResultEntry) =>
  `moved ${task.ApproximateNumberOfMessagesMoved ?? 0} of ~${task.ApproximateNumberOfMessagesToMove ?? '?'}`;

/**
 * Every message back to the main queue by an SQS move task: SQS does the work, at `rate` a second
 * if given. The destination is named because the function sends most dead letters itself, and
 * SQS knows no source queue for those. Ctrl-C cancels the task: what moved stays moved, the rest
 * stays in the DLQ. If this process dies instead, the task goes on in SQS (see `status`, `cancel`).
 */
export async function redriveWithMoveTask(
  sqs: SQSClient,
  dlq: QueueRef,
  main: QueueRef,
  rate: number | undefined,
  interrupt: Interrupt,
): Promise<number> {
  const [latest] = await moveTasksOf(sqs, dlq);
  if (isActive(latest)) {
    throw new CliError(
      `a move task is already ${latest.Status} on ${dlq.name} (${taskProgress(latest)}): watch it with "npm run dlq -- status", stop it with "npm run dlq -- cancel"`,
    );
  }
  const { visible } = dlq.depth;
  if (visible === 0) {
    process.stdout.write(`nothing to move: ${dlq.name} has no visible messages\n`);
    return 0;
  }
  const { TaskHandle } = await sendMoveTaskCall(dlq, () =>
    sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: dlq.arn,
        DestinationArn: main.arn,
        MaxNumberOfMessagesPerSecond: rate,
      }),
    ),
  ).catch((error: unknown) => {
    // SQS's own refusal of this task (a source that is no DLQ, an encryption it cannot use).
    if ((error as Error).name !== 'UnsupportedOperation') throw error;
    throw new MoveTaskUnavailableError(
      `SQS will not start a move task on ${dlq.name} (${(error as Error).message})`,
      dlq,
    );
  });
  interrupt.notice = 'cancelling the move task: what moved stays moved, the rest stays in the DLQ…';
  process.stderr.write(
    `started an SQS move task, ${dlq.name} → ${main.name}, ~${visible} messages; Ctrl-C cancels it\n`,
  );
  const progress = new Progress();
  let cancelled = false;
  for (;;) {
    const [task] = await moveTasksOf(sqs, dlq);
    if (task === undefined) throw new CliError(`the move task on ${dlq.name} is no longer listed by SQS`);
    if (!isActive(task)) {
      progress.done(taskProgress(task));
      return finished(task, dlq, main, cancelled);
    }
    progress.update(task.ApproximateNumberOfMessagesMoved ?? 0, taskProgress(task));
    if (interrupt.requested() && !cancelled) {
      cancelled = true;
      await cancel(sqs, TaskHandle!);
      continue;
    }
    await pause(POLL_MS, cancelled ? undefined : interrupt);
  }
}

/** Cancels; a task that ended meanwhile is no error, the next listing says how it ended. */
export async function cancel(sqs: SQSClient, taskHandle: string): Promise<void> {
  try {
    await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: taskHandle }));
  } catch (error) {
    const name = (error as Error).name;
    if (name !== 'ResourceNotFoundException' && name !== 'InvalidParameterValue' && name !== 'FailedPrecondition')
      throw error;
  }
}

function finished(
  task: ListMessageMoveTasksResultEntry,
  dlq: QueueRef,
  main: QueueRef,
  cancelledHere: boolean,
): number {
  const route = `${dlq.name} → ${main.name}`;
  switch (task.Status) {
    case 'COMPLETED':
      process.stdout.write(`move task completed, ${route}: ${taskProgress(task)}\n`);
      return 0;
    case 'CANCELLED':
      process.stdout.write(
        `move task cancelled${cancelledHere ? ' (Ctrl-C)' : ' by someone else'}, ${route}: ${taskProgress(task)}; the rest is still in the DLQ\n`,
      );
      return cancelledHere ? EXIT_INTERRUPTED : 1;
    default:
      throw new CliError(
        `move task ${task.Status}, ${route}: ${taskProgress(task)}; SQS says: ${task.FailureReason ?? 'no reason given'}`,
      );
  }
}
