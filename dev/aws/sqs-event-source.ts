/**
 * Plays Lambda's SQS event source mapping against a queue that speaks the real SQS API (the fauxqs
 * emulator on loopback), as AWS documents it for `ReportBatchItemFailures`; `npm start` and the
 * tests drive the function's bundle through it:
 * - long-poll for up to `batchSize` messages, waiting up to the batching window to fill a batch,
 *   and invoke the function with them as one SQS event;
 * - on success, delete every message not listed in `batchItemFailures`; listed ones stay in flight
 *   until their visibility timeout (or the one the function set with ChangeMessageVisibility) ends;
 * - on an error, a timeout, an answer that is not an object, or one naming a message not in the
 *   batch, delete nothing;
 * - the queue's redrive policy moves a message to the DLQ after `maxReceiveCount` receives.
 * Each poller (the mapping's maximum concurrency) drives a container of its own, one invocation at
 * a time, as Lambda does.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { fixture } from './event-fixtures.ts';
import { lambdaContext, type Handler } from './lambda-context.ts';
import { isEmpty, type LocalSqs, type QueuePair } from './sqs.ts';
import { seededRandom } from '../shared/seeded-random.ts';
import type { Settings } from '../../infra/settings.ts';

/**
 * What a container of the function needs to work `queue` on the emulator, as the stack sets it: the
 * emulator as its SQS endpoint, the pair's dead-letter queue, and the redrive policy's receive limit.
 */
export const queueEnvironment = (emulator: LocalSqs, queue: QueuePair): Record<string, string> => ({
  AWS_ENDPOINT_URL_SQS: emulator.endpoint,
  DEAD_LETTER_QUEUE_URL: queue.deadLetter.url,
  QUEUE_MAX_RECEIVE_COUNT: String(queue.maxReceiveCount),
});

/** The stack's event source mapping: its concurrency, batch size and window, and the function's timeout. */
export const stackEventSource = (settings: Settings) => ({
  pollers: settings.maxConcurrency,
  batchSize: settings.batchSize,
  batchWindowMs: settings.batchWindowSeconds * 1000,
  functionTimeoutMs: settings.timeoutSeconds * 1000,
});

export interface EventSourceOptions {
  emulator: LocalSqs;
  queue: QueuePair;
  /** A fresh container of the function: the bundle imported anew. */
  newContainer: () => Promise<Handler>;
  /** Concurrent invocations (the mapping's maximum concurrency). */
  pollers: number;
  batchSize: number;
  /** MaximumBatchingWindowInSeconds, in ms: how long a poll waits to fill a batch (0: what one receive gets). */
  batchWindowMs?: number;
  functionTimeoutMs: number;
  /**
   * Share of successful records whose deletion is lost, so SQS delivers them again: the
   * at-least-once delivery AWS documents, which a single-process emulator never shows by itself.
   * Never on a record's last delivery: its next receive would hand it to the redrive policy, which
   * dead-letters it without a reason whatever the function did.
   */
  lostDeleteRate?: number;
  seed?: number;
  /** Told of an invocation that failed as a whole (its messages all stay), as Lambda logs it: a throw, a timeout, an invalid answer. */
  onFailedInvocation?: (messages: Message[], cause: string) => void;
}

export interface EventSourceStats {
  invocations: number;
  failedInvocations: number;
  timedOutInvocations: number;
  /** Records handed to the function, redeliveries included. */
  deliveries: number;
  reportedFailures: number;
  deleted: number;
  lostDeletes: number;
}

/** The record shape AWS documents, from the same fixture the tests hold the function to. */
const recordTemplate = fixture('sqs-event.json').Records[0];

/** An SQS message as ReceiveMessage returns it, in the record shape Lambda hands the function. */
function toLambdaRecord(message: Message, queueArn: string) {
  const record = structuredClone(recordTemplate);
  const attributes: Record<string, string | undefined> = message.Attributes ?? {};
  record.messageId = message.MessageId;
  record.receiptHandle = message.ReceiptHandle;
  record.body = message.Body;
  record.md5OfBody = message.MD5OfBody;
  record.md5OfMessageAttributes = message.MD5OfMessageAttributes ?? null;
  record.eventSourceARN = queueArn;
  record.awsRegion = queueArn.split(':')[3];
  record.attributes = Object.fromEntries(
    [
      'ApproximateReceiveCount',
      'SentTimestamp',
      'SenderId',
      'ApproximateFirstReceiveTimestamp',
      'SequenceNumber',
      'MessageGroupId',
      'MessageDeduplicationId',
    ].flatMap((name) => (attributes[name] === undefined ? [] : [[name, attributes[name]]])),
  );
  record.messageAttributes = Object.fromEntries(
    Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
      name,
      {
        stringValue: value.StringValue,
        binaryValue: value.BinaryValue && Buffer.from(value.BinaryValue).toString('base64'),
        stringListValues: [],
        binaryListValues: [],
        dataType: value.DataType,
      },
    ]),
  );
  return record;
}

export class EventSourceMapping {
  readonly stats: EventSourceStats = {
    invocations: 0,
    failedInvocations: 0,
    timedOutInvocations: 0,
    deliveries: 0,
    reportedFailures: 0,
    deleted: 0,
    lostDeletes: 0,
  };
  private containers: Promise<Handler>[] = [];
  /** Invocations cut off by the function timeout, still running here; Lambda would have ended them. */
  private readonly abandoned: Promise<unknown>[] = [];
  private readonly random: () => number;
  private readonly options: EventSourceOptions;

  constructor(options: EventSourceOptions) {
    this.options = options;
    this.random = seededRandom(options.seed ?? 1);
    this.recycle();
  }

  /** Every poller gets a fresh container at its next invocation: cold starts, caches emptied. */
  recycle(): void {
    this.containers = Array.from({ length: this.options.pollers }, () => this.startContainer());
  }

  /** A container whose start may fail: that failure belongs to the invocation that awaits it, not to the process. */
  private startContainer(): Promise<Handler> {
    const container = this.options.newContainer();
    container.catch(() => {});
    return container;
  }

  /**
   * Polls until the queue holds nothing, visible, in flight or delayed, or `maxMs` passes; with a
   * `signal`, until it is aborted instead, however empty the queue. `onPoll` runs before each
   * receive, for the caller to change the world while messages flow.
   */
  async run({
    maxMs = Infinity,
    onPoll,
    signal,
  }: {
    maxMs?: number;
    onPoll?: () => void;
    signal?: AbortSignal;
  }): Promise<{ drained: boolean }> {
    const stopAt = Date.now() + maxMs;
    let done = false;
    const going = () => !done && !signal?.aborted && Date.now() < stopAt;
    const poll = async (index: number) => {
      onPoll?.();
      const received = await this.receive(signal);
      if (received.length > 0) await this.invoke(index, received);
      else if (!signal && isEmpty(await this.options.emulator.depth(this.options.queue.url))) done = true;
    };
    const poller = async (index: number) => {
      while (going()) {
        await poll(index).catch(async (error: unknown) => {
          // Draining (a test) stops at a failure; running until stopped, as Lambda's pollers do, tries again.
          if (!signal) throw error;
          if (signal.aborted) return;
          console.error(`event source mapping: ${(error as Error).message}; polling again in 1 s`);
          await sleep(1_000, undefined, { signal }).catch(() => {});
        });
      }
    };
    await Promise.all(Array.from({ length: this.options.pollers }, (_, i) => poller(i)));
    // What they still do must land before the caller counts outcomes or closes the world; a
    // function that never returns is given up on after one more function timeout.
    await Promise.race([
      Promise.allSettled(this.abandoned),
      sleep(this.options.functionTimeoutMs, undefined, { ref: false }),
    ]);
    return { drained: done };
  }

  /** One batch: long polls until a message comes, then, within the batching window, until the batch is full. */
  private async receive(signal?: AbortSignal): Promise<Message[]> {
    const { batchSize, batchWindowMs = 0 } = this.options;
    // Without a signal (a test draining a queue) a short wait is enough to see it empty.
    const messages = await this.receiveUpTo(batchSize, signal ? 20 : 1, signal);
    const windowEnds = Date.now() + batchWindowMs;
    while (messages.length > 0 && messages.length < batchSize && Date.now() < windowEnds && !signal?.aborted) {
      // SQS waits at most 20 s a call; a longer window takes several.
      const waitSeconds = Math.min(20, Math.floor((windowEnds - Date.now()) / 1000));
      try {
        messages.push(...(await this.receiveUpTo(batchSize - messages.length, waitSeconds, signal)));
      } catch (error) {
        // Stopping: what is in hand comes back after its visibility timeout, uninvoked.
        if (signal?.aborted) throw error;
        // What is in hand is invoked, as Lambda does at the window's end: never left to burn a receive.
        break;
      }
      if (waitSeconds === 0) break;
    }
    return messages;
  }

  private async receiveUpTo(max: number, waitSeconds: number, abortSignal?: AbortSignal): Promise<Message[]> {
    const { Messages = [] } = await this.options.emulator.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.options.queue.url,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal },
    );
    return Messages;
  }

  private async invoke(index: number, messages: Message[]): Promise<void> {
    const { functionTimeoutMs, queue } = this.options;
    const event = { Records: messages.map((m) => toLambdaRecord(m, queue.arn)) };
    this.stats.invocations++;
    this.stats.deliveries += messages.length;
    const failedAll = (cause: string) => {
      this.stats.failedInvocations++;
      this.options.onFailedInvocation?.(messages, cause);
    };
    let handler: Handler;
    try {
      handler = await this.containers[index];
    } catch (error) {
      // Lambda starts the runtime again for the next invocation.
      this.containers[index] = this.startContainer();
      return failedAll(`the function did not start: ${(error as Error).message}`);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), functionTimeoutMs)),
    );
    // A handler that throws before its first await fails the invocation like one that rejects.
    const invocation = Promise.resolve().then(() => handler(event, lambdaContext(functionTimeoutMs)));
    let answer: unknown;
    try {
      answer = await Promise.race([invocation, timeout]);
    } catch (error) {
      return failedAll(`the function threw: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
    if (answer === 'timeout') {
      // Lambda ends a timed-out runtime: the next invocation gets a new container.
      this.stats.timedOutInvocations++;
      this.options.onFailedInvocation?.(messages, `Task timed out after ${functionTimeoutMs / 1000} s`);
      this.abandoned.push(invocation.catch(() => {}));
      this.containers[index] = this.startContainer();
      return;
    }
    const failed = failedIds(answer, messages);
    if (failed === 'whole-batch') return failedAll('the answer is no valid batch response (batchItemFailures)');
    this.stats.reportedFailures += failed.size;
    await this.delete(messages.filter((m) => !failed.has(m.MessageId!)));
  }

  private async delete(messages: Message[]): Promise<void> {
    const { lostDeleteRate = 0, queue } = this.options;
    const lastDelivery = (m: Message) => Number(m.Attributes?.ApproximateReceiveCount) >= queue.maxReceiveCount;
    const kept = messages.filter((m) => this.random() >= lostDeleteRate || lastDelivery(m));
    this.stats.lostDeletes += messages.length - kept.length;
    for (let i = 0; i < kept.length; i += 10) {
      const entries = kept.slice(i, i + 10).map((m, n) => ({ Id: String(n), ReceiptHandle: m.ReceiptHandle! }));
      const { Failed = [] } = await this.options.emulator.client.send(
        new DeleteMessageBatchCommand({ QueueUrl: this.options.queue.url, Entries: entries }),
      );
      this.stats.deleted += entries.length - Failed.length;
    }
  }
}

/**
 * The ids the function reported, or 'whole-batch' where AWS treats the answer as a failure of the
 * whole invocation: not an object, or an identifier that is missing, empty or not in the batch.
 * No answer, or no list, is a success.
 */
function failedIds(answer: unknown, messages: Message[]): Set<string> | 'whole-batch' {
  if (answer === undefined || answer === null) return new Set();
  if (typeof answer !== 'object' || Array.isArray(answer)) return 'whole-batch';
  const failures = (answer as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return 'whole-batch';
  const inBatch = new Set(messages.map((m) => m.MessageId));
  const ids = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !inBatch.has(id)) return 'whole-batch';
    ids.add(id);
  }
  return ids;
}
