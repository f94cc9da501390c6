/**
 * The shared Thulium budget when the ground gives way, through the built bundle: containers drain a
 * real queue (Lambda's event source mapping on fauxqs) into a rate-limited Thulium while the
 * budget's DynamoDB item is out of reach for a while, or while a container dies holding tickets.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import {
  budgetItem,
  mappingOf,
  newNumbers,
  newQueue,
  notApplied,
  queueContainerEnv,
  queueOutcome,
  sendUpdates,
  thuliumCalls,
  useBudgetWorld,
} from '../support/budget-drain.ts';
import { startFront } from '../support/budget-fronts.ts';
import { metricCounts } from '../support/ordering.ts';
import { until } from '../support/until.ts';
import { lambdaContext, logRecords, sqsEvent } from '../support/world.ts';

const handle = useBudgetWorld();
const { output } = handle;

const FALLBACK = 'the shared Thulium budget is out of reach; this container keeps a budget of its own for now';

describe('the shared Thulium budget', () => {
  it('out of reach mid-drain: each container goes on at its share of the last known rate, then back on the item', async () => {
    const { world, sqs, store } = handle;
    const [containers, rate] = [6, 16];
    const phones = newNumbers(world, 120);
    const queue = await newQueue(sqs, 20);
    await sendUpdates(sqs, queue.url, phones);
    world.simulator.rateLimit = { callsPerSecond: 20 };
    const firstLine = output.lines.length;
    const started = Date.now();
    const mapping = mappingOf(handle, queue, {
      pollers: containers,
      batchSize: 10,
      functionTimeoutMs: 10_000,
      env: { THULIUM_CALLS_PER_SECOND: String(rate) },
    });
    const run = mapping.run({ maxMs: 40_000 });

    // A third of the way through, every call naming the budget's item fails for three seconds; the guard's go on.
    await until(() => world.simulator.applied.length >= 40, Boolean, 20_000);
    store.failBudget({ status: 500, errorType: 'InternalServerError' });
    await sleep(3_000);
    store.failBudget(undefined);
    const healedAt = Date.now();
    const atHeal = await budgetItem(world);
    const { drained } = await run;
    const after = await budgetItem(world);

    expect(drained).toBe(true);
    expect(notApplied(world, phones)).toEqual([]);
    expect(await queueOutcome(handle, queue)).toEqual({ drained: true, deadLettered: 0 });
    // No storm: on their own, the containers shared the rate they last knew among those they knew of.
    const thulium = thuliumCalls(world, started);
    expect(thulium.limited.length, `429s among ${thulium.calls.length} calls`).toBeLessThanOrEqual(12);
    const lines = output.lines.slice(firstLine);
    const fallbacks = logRecords(lines).filter((line) => line.message === FALLBACK);
    // Once a container and outage, not once a call; each said so at WARN, with its share, and was counted.
    expect(fallbacks.length).toBeGreaterThanOrEqual(1);
    expect(fallbacks.length).toBeLessThanOrEqual(2 * containers);
    for (const line of fallbacks) {
      expect(line.level).toBe('WARN');
      expect(line.containers).toBeGreaterThanOrEqual(2);
      expect(line.calls_per_second * line.containers).toBeCloseTo(rate, 0);
    }
    expect(metricCounts(lines).ThuliumBudgetFallbacks).toBe(fallbacks.length);
    // Healed, the containers lease from the shared item again: its line moves on.
    expect(store.budgetCalls(healedAt).some((call) => call.operation === 'UpdateItem')).toBe(true);
    expect(after?.line).toBeGreaterThan(atHeal?.line ?? Number.POSITIVE_INFINITY);
  }, 60_000);

  it('a container killed holding tickets: its records come back and apply, and Thulium sees no burst', async () => {
    const { world, sqs, store } = handle;
    const rate = 5;
    const setRate = { THULIUM_CALLS_PER_SECOND: String(rate) };
    const [doomedPhones, otherPhones] = [newNumbers(world, 10), newNumbers(world, 20)];
    const queue = await newQueue(sqs, 10);
    // The doomed container's links to Thulium, to the store and to SQS: what its death cuts.
    const [thuliumLink, storeLink, sqsLink] = await Promise.all([
      startFront(world.simulator.url),
      startFront(store.url),
      startFront(sqs.endpoint),
    ]);
    try {
      const doomed = await world.load(
        queueContainerEnv(handle, queue, {
          ...setRate,
          THULIUM_BASE_URL: thuliumLink.url,
          AWS_ENDPOINT_URL_DYNAMODB: storeLink.url,
          AWS_ENDPOINT_URL_SQS: sqsLink.url,
        }),
      );
      sqsLink.cut();
      await sendUpdates(sqs, queue.url, doomedPhones);
      const batch = await receive(queue.url, 10, 2);
      await sendUpdates(sqs, queue.url, otherPhones);
      world.simulator.rateLimit = { callsPerSecond: rate };
      const started = Date.now();
      // Its batch leases ten tickets, two seconds' worth; it dies as its fourth call leaves.
      thuliumLink.cut(3, () => storeLink.cut());
      const event = sqsEvent(
        batch.map((m) => ({
          body: m.Body!,
          messageId: m.MessageId,
          sentTimestamp: Number(m.Attributes?.SentTimestamp),
        })),
      );
      const dying = doomed(event, lambdaContext(3_000)).catch(() => undefined);
      await until(() => thuliumLink.calls.length >= 1, Boolean, 10_000);
      // Three more containers drain the rest, and the doomed batch once SQS hands it out again.
      const mapping = mappingOf(handle, queue, { pollers: 3, batchSize: 5, functionTimeoutMs: 10_000, env: setRate });
      const { drained } = await mapping.run({ maxMs: 40_000 });
      await Promise.race([dying, sleep(5_000)]);

      // At the set rate, and at most a second's worth more at once (the tenant's bucket): no catching up.
      const thulium = thuliumCalls(world, started);
      expect(thulium.busiestSecond, 'calls within one second').toBeLessThanOrEqual(2 * rate);
      expect(thulium.limited.length, `429s among ${thulium.calls.length} calls`).toBeLessThanOrEqual(2);
      expect(thuliumLink.calls.map((call) => call.outcome).slice(0, 4)).toEqual(['passed', 'passed', 'passed', 'held']);
      expect(drained).toBe(true);
      expect(notApplied(world, [...doomedPhones, ...otherPhones])).toEqual([]);
      expect(await queueOutcome(handle, queue)).toEqual({ drained: true, deadLettered: 0 });
    } finally {
      await Promise.all([thuliumLink.close(), storeLink.close(), sqsLink.close()]);
    }
  }, 60_000);
});

/** `count` messages off the queue, hidden for `seconds`: a container's batch. */
async function receive(url: string, count: number, seconds: number): Promise<Message[]> {
  const messages: Message[] = [];
  while (messages.length < count) {
    const { Messages = [] } = await handle.sqs.client.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: count - messages.length,
        VisibilityTimeout: seconds,
        MessageSystemAttributeNames: ['All'],
        WaitTimeSeconds: 1,
      }),
    );
    messages.push(...Messages);
  }
  return messages;
}
