import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { until } from '../support/until.ts';
import { SqsEmulator, type QueuePair } from '../support/sqs-emulator.ts';
import { EventSourceMapping, queueEnvironment, type EventSourceOptions } from '../../dev/aws/sqs-event-source.ts';
import { body, captureOutput, PHONES, useWorld, type Handler, type World } from '../support/world.ts';

/**
 * The reliability run is only as good as its queue: these check the emulator and the event source
 * mapping against the semantics AWS documents for SQS and Lambda's ReportBatchItemFailures.
 */
let emulator: SqsEmulator;
let world: World;
const output = captureOutput();
let queueCount = 0;

useWorld(output, async (started) => {
  emulator = await SqsEmulator.start();
  world = started;
});

afterAll(async () => {
  await emulator.close();
});

async function queueWith(bodies: string[], { fifo = false, maxReceiveCount = 3, visibilityTimeoutSeconds = 1 } = {}) {
  const queue = await emulator.createQueues({
    name: `esm-${++queueCount}`,
    fifo,
    maxReceiveCount,
    visibilityTimeoutSeconds,
  });
  for (const [i, messageBody] of bodies.entries()) {
    await emulator.client.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: messageBody,
        ...(fifo ? { MessageGroupId: 'one-group', MessageDeduplicationId: `m-${i}` } : {}),
      }),
    );
  }
  return queue;
}

/** A function that records what it was given and answers as `answer` says. */
function recordingFunction(answer: (event: any) => unknown) {
  const seen: { body: string; receiveCount: number; at: number }[] = [];
  const handler: Handler = async (event: any) => {
    const at = Date.now();
    for (const r of event.Records)
      seen.push({ body: r.body, receiveCount: Number(r.attributes.ApproximateReceiveCount), at });
    return answer(event);
  };
  return { seen, handler };
}

const mapping = (
  queue: QueuePair,
  handler: Handler,
  functionTimeoutMs = 2_000,
  more: Partial<EventSourceOptions> = {},
) =>
  new EventSourceMapping({
    emulator,
    queue,
    newContainer: async () => handler,
    pollers: 1,
    batchSize: 10,
    functionTimeoutMs,
    ...more,
  });

describe('the queue and the event source mapping behave as AWS documents', () => {
  it('deletes what the function did not list, and delivers a listed record again after its visibility timeout', async () => {
    const queue = await queueWith(['a', 'b']);
    let first = true;
    const fn = recordingFunction((event) => {
      const failures = first
        ? event.Records.filter((r: any) => r.body === 'b').map((r: any) => ({ itemIdentifier: r.messageId }))
        : [];
      first = false;
      return { batchItemFailures: failures };
    });
    await mapping(queue, fn.handler).run({ maxMs: 10_000 });
    expect(fn.seen.map((s) => `${s.body}${s.receiveCount}`).sort()).toEqual(['a1', 'b1', 'b2']);
    const [b1, b2] = fn.seen.filter((s) => s.body === 'b');
    expect(b2.at - b1.at).toBeGreaterThanOrEqual(900);
  });

  it('moves a message to the DLQ, without a reason, after maxReceiveCount receives', async () => {
    const queue = await queueWith(['poison'], { maxReceiveCount: 2 });
    const fn = recordingFunction((event) => ({
      batchItemFailures: event.Records.map((r: any) => ({ itemIdentifier: r.messageId })),
    }));
    await mapping(queue, fn.handler).run({ maxMs: 10_000 });
    expect(fn.seen.map((s) => s.receiveCount)).toEqual([1, 2]);
    const [dead] = await emulator.drain(queue.deadLetter.url);
    expect(dead.Body).toBe('poison');
    expect(dead.MessageAttributes?.ErrorCode).toBeUndefined();
  });

  it('deletes nothing when the invocation throws, times out, or names a record that is not in the batch', async () => {
    const answers = [
      () => Promise.reject(new Error('boom')),
      () => new Promise(() => {}),
      () => ({ batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] }),
      () => ({ batchItemFailures: [{ itemIdentifier: '' }] }),
    ];
    await Promise.all(
      answers.map(async (answer) => {
        const queue = await queueWith(['x'], { maxReceiveCount: 2 });
        const fn = recordingFunction(answer);
        const told: string[] = [];
        const esm = mapping(queue, fn.handler, 300, {
          onFailedInvocation: (messages, cause) => told.push(`${messages.length} ${cause}`),
        });
        await esm.run({ maxMs: 10_000 });
        expect(fn.seen.map((s) => s.receiveCount)).toEqual([1, 2]);
        expect(esm.stats.deleted).toBe(0);
        // As Lambda logs it: each whole failure, with its cause.
        expect(told).toHaveLength(2);
        expect(told[0]).toMatch(
          /^1 (the function threw: boom|Task timed out after 0.3 s|the answer is no valid batch response)/,
        );
        expect(await emulator.drain(queue.deadLetter.url)).toHaveLength(1);
      }),
    );
  });

  it('waits up to the batching window to fill a batch, and runs until stopped, long polls cut short', async () => {
    const queue = await queueWith(['first'], { visibilityTimeoutSeconds: 30 });
    const fn = recordingFunction(() => ({}));
    const stop = new AbortController();
    const running = mapping(queue, fn.handler, 2_000, { batchWindowMs: 3_000 }).run({ signal: stop.signal });
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const text of ['second', 'third']) {
      await emulator.client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: text }));
    }
    await until(() => fn.seen.length >= 3, Boolean, 5_000);
    expect(fn.seen.map((s) => s.body)).toEqual(['first', 'second', 'third']);
    expect(new Set(fn.seen.map((s) => s.at)).size).toBe(1);
    // Empty now: it long-polls on, until told to stop; then it ends at once.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const stoppedAt = Date.now();
    stop.abort();
    await running;
    expect(Date.now() - stoppedAt).toBeLessThan(1_000);
  });

  it('starts a container that failed to start again; the batch it could not take stays and is told of', async () => {
    const queue = await queueWith(['x'], { maxReceiveCount: 3 });
    const fn = recordingFunction(() => ({}));
    let starts = 0;
    const told: string[] = [];
    const esm = new EventSourceMapping({
      emulator,
      queue,
      newContainer: async () => (++starts === 1 ? Promise.reject(new Error('Cannot find module')) : fn.handler),
      pollers: 1,
      batchSize: 10,
      functionTimeoutMs: 2_000,
      onFailedInvocation: (messages, cause) => told.push(`${messages.length} ${cause}`),
    });
    await esm.run({ maxMs: 10_000 });
    expect(told).toEqual(['1 the function did not start: Cannot find module']);
    expect(fn.seen.map((s) => [s.body, s.receiveCount])).toEqual([['x', 2]]);
    expect(esm.stats.deleted).toBe(1);
  });

  it('honours the visibility timeout the function sets with ChangeMessageVisibility, and its DLQ reason', async () => {
    const queue = await queueWith([body(PHONES.one, '3')], { maxReceiveCount: 2, visibilityTimeoutSeconds: 10 });
    world.simulator.injectFaults(...Array(6).fill({ type: 'status', status: 503 }));
    const handler = await world.load({
      ...queueEnvironment(emulator, queue),
      RETRY_VISIBILITY_BASE_SECONDS: '1',
      RETRY_VISIBILITY_MAX_SECONDS: '1',
    });
    const deliveredAt: number[] = [];
    const timed: Handler = (event, context) => (deliveredAt.push(Date.now()), handler(event, context));
    await mapping(queue, timed, 5_000).run({ maxMs: 15_000 });
    // Back after the function's 1 s, not the queue's 10 s; on its last receive, dead-lettered by the function.
    expect(deliveredAt).toHaveLength(2);
    expect(deliveredAt[1] - deliveredAt[0]).toBeGreaterThanOrEqual(900);
    expect(deliveredAt[1] - deliveredAt[0]).toBeLessThan(5_000);
    const [dead] = await emulator.drain(queue.deadLetter.url);
    expect(dead.MessageAttributes?.ErrorCode?.StringValue).toBe('THULIUM_UNAVAILABLE');
    expect(dead.MessageAttributes?.ReceiveCount?.StringValue).toBe('2');
  });

  it('FIFO: keeps a message group locked while one of its messages is in flight', async () => {
    const queue = await queueWith(['1', '2', '3'], { fifo: true });
    let failedOnce = false;
    const fn = recordingFunction((event) => {
      const failures = event.Records.filter((r: any) => r.body === '2' && !failedOnce).map((r: any) => ({
        itemIdentifier: r.messageId,
      }));
      if (failures.length > 0) failedOnce = true;
      return { batchItemFailures: failures };
    });
    await mapping(queue, fn.handler).run({ maxMs: 10_000 });
    expect(fn.seen.map((s) => s.body)).toEqual(['1', '2', '2', '3']);
  });
});
