/**
 * The queue face on a laptop: the stack's queue and DLQ (same names, redrive policy and visibility
 * timeout) and a topic subscribed to the queue on a loopback SQS and SNS, and Lambda's event source
 * mapping driving the function from it with the stack's batch size, window and concurrency.
 */
import { DEFAULT_STACK, mainQueueName } from '../../ops/dlq/queue-names.ts';
import type { Settings } from '../../infra/settings.ts';
import { LocalSqs, stackQueue, type QueuePair } from '../aws/sqs.ts';
import type { Handler } from '../aws/lambda-context.ts';
import { EventSourceMapping, stackEventSource } from '../aws/sqs-event-source.ts';

export interface LocalQueueOptions {
  port: number;
  host: string;
  /** The stack's settings: queue, event source and function timeout. */
  settings: Settings;
  stackName?: string;
}

export interface LocalQueue {
  sqs: LocalSqs;
  queue: QueuePair;
  topicArn: string;
  /** Starts the event source mapping; each poller gets a container of its own from `newContainer`. */
  drive(newContainer: () => Promise<Handler>): void;
  /** Stops polling, lets invocations in hand finish for up to `graceMs`, and closes the endpoint. */
  close(graceMs?: number): Promise<void>;
}

export async function startLocalQueue({
  port,
  host,
  settings,
  stackName = DEFAULT_STACK,
}: LocalQueueOptions): Promise<LocalQueue> {
  const sqs = await LocalSqs.start(port, host);
  // Its DLQ: the name with -dlq, as the stack (and deadLetterQueueName) has it.
  const queue = await sqs.createQueues(stackQueue(mainQueueName(stackName, false), settings));
  const topicArn = await sqs.createTopic(`${stackName}-local-updates`, queue.arn);
  const stop = new AbortController();
  let running: Promise<unknown> = Promise.resolve();
  return {
    sqs,
    queue,
    topicArn,
    drive(newContainer) {
      const mapping = new EventSourceMapping({
        emulator: sqs,
        queue,
        newContainer,
        ...stackEventSource(settings),
        // The function logs each record's outcome itself, unless the invocation failed as a whole.
        onFailedInvocation: (messages, cause) => {
          const time = new Date().toISOString().slice(11, 23);
          for (const m of messages)
            console.error(`${time} ERROR queue left for retry   message ${m.MessageId}: ${cause}`);
        },
      });
      running = mapping.run({ signal: stop.signal }).catch((error: unknown) => {
        if (!stop.signal.aborted) console.error(`the local event source mapping stopped: ${(error as Error).message}`);
      });
    },
    async close(graceMs = 2_000) {
      stop.abort();
      await Promise.race([running, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
      await sqs.close();
    },
  };
}
