/**
 * The shared Thulium budget through the built bundle: containers drain a real queue (Lambda's event
 * source mapping on fauxqs) into the Thulium simulator, whose limit drops under them; and a person
 * calling over HTTP during a drain does not wait behind the queue's line.
 */
import { describe, expect, it } from 'vitest';
import {
  budgetItem,
  mappingOf,
  newNumbers,
  newQueue,
  notApplied,
  queueOutcome,
  STATUS,
  sendUpdates,
  thuliumCalls,
  useBudgetWorld,
} from '../support/budget-drain.ts';
import { metricCounts } from '../support/ordering.ts';
import { until } from '../support/until.ts';
import { body, lambdaContext, logRecords, restApiEvent } from '../support/world.ts';

const handle = useBudgetWorld();
const { output } = handle;

describe('the shared Thulium budget', () => {
  it('a 429 while other containers hold tickets pauses the deployment as one, at a rate learned for all', async () => {
    const { world, sqs } = handle;
    const containers = 6;
    const phones = newNumbers(world, 60);
    const queue = await newQueue(sqs, 20);
    await sendUpdates(sqs, queue.url, phones);
    const firstLine = output.lines.length;
    const mapping = mappingOf(handle, queue, { pollers: containers, batchSize: 10, functionTimeoutMs: 15_000 });
    const run = mapping.run({ maxMs: 45_000 });
    // No limit yet, and none set: the budget's slow start hands each container tickets for its batch.
    await until(() => world.simulator.applied.length >= 15, Boolean, 20_000);
    world.simulator.rateLimit = { callsPerSecond: 5 };
    const droppedAt = Date.now();
    const appliedAtDrop = phones.length - notApplied(world, phones).length;
    const holding = await budgetItem(world);
    const { drained } = await run;
    const item = await budgetItem(world);

    expect(drained).toBe(true);
    expect(notApplied(world, phones)).toEqual([]);
    expect(await queueOutcome(handle, queue)).toEqual({ drained: true, deadLettered: 0 });
    // One 429 pauses them all: each container meets one more at most before it learns, not one a call.
    const { limited, calls } = thuliumCalls(world, droppedAt);
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(limited.length - 1, `429s after the first, among ${calls.length} calls`).toBeLessThanOrEqual(containers + 3);
    // The containers held tickets beyond the updates applied when the limit dropped.
    expect(Object.keys(holding?.holders ?? {}).length).toBeGreaterThanOrEqual(2);
    expect(holding?.line).toBeGreaterThanOrEqual(appliedAtDrop + containers);
    // The budget's item has the pause and the rate it learned, far below the slow start's.
    expect(item?.limitedAt).toBeGreaterThanOrEqual(droppedAt);
    expect(item?.pausedUntil).toBeGreaterThan(item?.limitedAt ?? Number.POSITIVE_INFINITY);
    expect(item?.learned?.base).toBeGreaterThanOrEqual(0.2);
    expect(item?.learned?.base).toBeLessThanOrEqual(15);
    // One WARN line an episode, for the whole deployment; the metric counts the episodes that lowered the rate.
    const lines = output.lines.slice(firstLine);
    const episodes = logRecords(lines).filter((line) =>
      String(line.message).startsWith('Thulium is limiting our calls'),
    );
    expect(episodes.length).toBeGreaterThanOrEqual(1);
    expect(episodes.length).toBeLessThanOrEqual(limited.length);
    for (const line of episodes) {
      expect(line.level).toBe('WARN');
      expect(line.message).toContain('every container pauses');
    }
    expect(metricCounts(lines).ThuliumRateLimited).toBe(episodes.filter((line) => !line.probe_refused).length);
  }, 60_000);

  it('an HTTP caller during a queue drain is answered from its reserve at once, not behind the queue', async () => {
    const { world, sqs } = handle;
    const rate = 10;
    const setRate = { THULIUM_CALLS_PER_SECOND: String(rate) };
    const [queued, [warm, person]] = [newNumbers(world, 40), newNumbers(world, 2)];
    const queue = await newQueue(sqs, 20);
    world.simulator.rateLimit = { callsPerSecond: rate };
    // The API's container, warm: its secret read and its first lease behind it.
    const api = await world.load(setRate);
    expect((await api(restApiEvent({ body: body(warm, STATUS) }), lambdaContext())).statusCode).toBe(200);
    await sendUpdates(sqs, queue.url, queued);
    const started = Date.now();
    const mapping = mappingOf(handle, queue, { pollers: 4, batchSize: 10, functionTimeoutMs: 15_000, env: setRate });
    const run = mapping.run({ maxMs: 40_000 });
    await until(() => world.simulator.applied.length >= 8, Boolean, 20_000);

    const asked = Date.now();
    const answer = await api(restApiEvent({ body: body(person, STATUS) }), lambdaContext());
    const answeredMs = Date.now() - asked;
    const behind = notApplied(world, queued).length;
    const { drained } = await run;

    expect(answer.statusCode).toBe(200);
    expect(world.simulator.currentStatusOf(person)).toBe(STATUS);
    // The queue's line was seconds long (1.5 s at least) when the person asked, and they did not stand in it.
    expect(behind).toBeGreaterThanOrEqual(15);
    expect(answeredMs).toBeLessThan(1_000);
    expect(drained).toBe(true);
    expect(notApplied(world, queued)).toEqual([]);
    expect(await queueOutcome(handle, queue)).toEqual({ drained: true, deadLettered: 0 });
    // The reserve is part of the rate: the queue yields the person's ticket, and Thulium refuses nothing.
    const thulium = thuliumCalls(world, started);
    expect(thulium.limited.length).toBeLessThanOrEqual(1);
    expect(thulium.busiestSecond).toBeLessThanOrEqual(2 * rate);
  }, 60_000);
});
