import type { ListMessageMoveTasksResultEntry, SQSClient } from '@aws-sdk/client-sqs';
import { CliError } from './cli-error.ts';
import { pause } from './interrupt.ts';
import { cancel, isActive, moveTasksOf, NoMoveTasksError, taskProgress } from './move-task.ts';
import type { Options } from './options.ts';
import { resolveDeadLetterQueue, resolveMainQueue, type QueueRef } from './queues.ts';

/** `status`: both queues' depth and the DLQ's recent move tasks, to watch a redrive from anywhere. */
export async function statusCommand(sqs: SQSClient, options: Options): Promise<number> {
  const dlq = await resolveDeadLetterQueue(sqs, options);
  const main = await resolveMainQueue(sqs, options, dlq).catch(() => undefined);
  const lines: string[] = [];
  for (const { name, depth } of [dlq, main].filter((q): q is QueueRef => q !== undefined)) {
    lines.push(`${name}: ~${depth.visible} visible, ${depth.inFlight} in flight, ${depth.delayed} delayed`);
  }
  const tasks = await moveTasksOf(sqs, dlq, 10).catch((error: unknown) => {
    if (!(error instanceof NoMoveTasksError)) throw error;
    lines.push(error.message);
    return undefined;
  });
  if (tasks !== undefined) {
    lines.push(tasks.length === 0 ? 'no move tasks on the DLQ in the last 14 days' : 'move tasks, newest first:');
    lines.push(...tasks.map((task) => `  ${describeTask(task)}`));
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

/** `cancel`: stops the DLQ's running move task; what it moved stays moved. */
export async function cancelCommand(sqs: SQSClient, options: Options): Promise<number> {
  const dlq = await resolveDeadLetterQueue(sqs, options);
  let task: ListMessageMoveTasksResultEntry | undefined;
  try {
    [task] = await moveTasksOf(sqs, dlq);
  } catch (error) {
    if (!(error instanceof NoMoveTasksError)) throw error;
    process.stdout.write(`nothing to cancel: ${error.message}\n`);
    return 0;
  }
  if (task?.Status !== 'RUNNING' || task.TaskHandle === undefined) {
    process.stdout.write(
      `no move task is running on ${dlq.name}${task === undefined ? '' : `; the latest: ${describeTask(task)}`}\n`,
    );
    return 0;
  }
  await cancel(sqs, task.TaskHandle);
  for (let polls = 0; isActive(task) && polls < 60; polls++) {
    await pause(1_000);
    [task] = await moveTasksOf(sqs, dlq);
  }
  if (task === undefined) throw new CliError(`the move task on ${dlq.name} is no longer listed by SQS`);
  process.stdout.write(`${describeTask(task)}\n`);
  return 0;
}

function describeTask(task: ListMessageMoveTasksResultEntry): string {
  const started = task.StartedTimestamp === undefined ? 'start unknown' : new Date(task.StartedTimestamp).toISOString();
  const to =
    task.DestinationArn === undefined ? 'to the original queues' : `to ${task.DestinationArn.split(':').pop()}`;
  const rate =
    task.MaxNumberOfMessagesPerSecond === undefined ? '' : `, at most ${task.MaxNumberOfMessagesPerSecond}/s`;
  const failure = task.FailureReason === undefined ? '' : `: ${task.FailureReason}`;
  return `${started}  ${task.Status}  ${taskProgress(task)} ${to}${rate}${failure}`;
}
