import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_POLICY, initialState } from '../../functions/outbound-status/adapters/budget/state.ts';
import { createThuliumBudget } from '../../functions/outbound-status/adapters/budget/thulium-budget.ts';
import { callers, deployment } from '../support/budget.ts';

const T0 = Date.parse('2026-12-01T12:00:00Z');
/** Lets the gate's promises and due timers run. */
const step = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

beforeEach(() => {
  vi.useFakeTimers({ now: T0, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A deployment's item quiet for a minute: its line lags, a burst is there to spend. */
const quiet = () => deployment(initialState(T0 - 60_000));
/** At 10 a second, the turns a quiet budget gives at once: the queue's share of the burst, and the one due now. */
const BURST = (DEFAULT_POLICY.toleranceMs - DEFAULT_POLICY.reserveMs) / 100 + 1;

describe('the budget at a set rate', () => {
  it('spaces turns at the rate from the first: one every 100 ms at 10 calls a second', async () => {
    const c = callers(createThuliumBudget({ shared: deployment(), callsPerSecond: 10, maxInFlight: 100 }));
    for (let i = 0; i < 30; i++) c.reserve('background', T0 + 30_000, true);
    await step(3_000);
    expect(c.times(T0)).toEqual(Array.from({ length: 30 }, (_, i) => 100 * i));
    expect(c.refused).toEqual([]);
    // Nothing waits: no timer is left behind.
    expect(vi.getTimerCount()).toBe(0);
  });

  it('gives a quiet budget its burst at once, then one turn every 100 ms', async () => {
    const c = callers(createThuliumBudget({ shared: quiet(), callsPerSecond: 10, maxInFlight: 100 }));
    for (let i = 0; i < 30; i++) c.reserve('background', T0 + 30_000, true);
    await step(3_000);
    expect(BURST).toBeGreaterThan(2);
    expect(c.times(T0)).toEqual([
      ...Array(BURST).fill(0),
      ...Array.from({ length: 30 - BURST }, (_, i) => 100 * (i + 1)),
    ]);
  });

  it('starts no more than maxInFlight at once; a finished or released turn lets the next start', async () => {
    const c = callers(createThuliumBudget({ shared: quiet(), callsPerSecond: 10, maxInFlight: 2 }));
    for (let i = 0; i < 5; i++) c.reserve();
    await step(1_000);
    expect(c.started.map((s) => s.id)).toEqual([1, 2]);
    c.started[0].turn.done('accepted');
    await step();
    expect(c.started.map((s) => s.id)).toEqual([1, 2, 3]);
    c.started[1].turn.release();
    await step();
    expect(c.started.map((s) => s.id)).toEqual([1, 2, 3, 4]);
  });

  it('gives a released slot to the next waiter at once', async () => {
    const c = callers(createThuliumBudget({ shared: quiet(), callsPerSecond: 10, maxInFlight: 100 }));
    for (let i = 0; i <= BURST; i++) c.reserve();
    await step();
    // The last waits for the ticket 100 ms on, until one of those before gives its own back.
    expect(c.started).toHaveLength(BURST);
    c.started[0].turn.release();
    await step();
    expect(c.times(T0)).toEqual(Array(BURST + 1).fill(0));
  });

  it('refuses at once a call whose deadline leaves no time for an attempt', async () => {
    const c = callers(createThuliumBudget({ maxInFlight: 10 }));
    c.reserve('background', T0 + 249);
    await step();
    expect(c.started).toEqual([]);
    expect(c.refused).toMatchObject([{ at: T0, error: { code: 'THULIUM_RATE_LIMITED', retryAfterSeconds: 1 } }]);
  });

  it('tells a waiter whose latest start passes while it waits by then, not when the next slot comes', async () => {
    const c = callers(createThuliumBudget({ shared: deployment(), callsPerSecond: 1, maxInFlight: 10 }));
    c.reserve();
    c.reserve();
    await step();
    // One a second: the first now, the second at +1 s; a third, due by +0.6 s, would start at +2 s.
    c.reserve('background', T0 + 600);
    await step(3_000);
    expect(c.times(T0)).toEqual([0, 1_000]);
    expect(c.refused.map((r) => r.id)).toEqual([3]);
    // Its latest start is +350 ms (its deadline less MIN_ATTEMPT_MS): it should hear before its deadline, not when the gate next wakes.
    expect(c.refused[0].at - T0).toBeLessThan(600);
  });
});

describe('the budget on a store that is not shared (a memoryStore: THULIUM_BUDGET=container, or a fallback)', () => {
  /**
   * An item in memory that, like memoryStore, says it is not shared, and counts how often it is asked:
   * after 1000 (a gate spinning in microtasks, refreshing what it cannot) it says it is, so the test ends.
   */
  function counted() {
    const store = deployment();
    let asked = 0;
    return Object.defineProperties(store, {
      shared: { get: () => ++asked > 1_000 },
      asked: { get: () => asked },
    }) as typeof store & { asked: number };
  }

  it.each([
    { case: 'tickets leased more than a second ago', rate: 10, state: undefined },
    { case: 'an unlimited lease that ended', rate: undefined, state: 'past slow start' },
  ])('serves waiters without spinning on a view it cannot refresh: $case', async ({ rate, state }) => {
    const store = counted();
    if (state) await store.write({ kind: 'create', state: initialState(T0 - 60_000) });
    const c = callers(createThuliumBudget({ shared: store, callsPerSecond: rate, maxInFlight: 100 }));
    // At 10 a second, 31 callers are served over 3 s; with no limit, every one at once.
    for (let i = 0; i < 30; i++) c.reserve('background', T0 + 30_000, true);
    await step(1_500);
    c.reserve('background', T0 + 30_000, true);
    await step(2_000);
    expect(c.started).toHaveLength(31);
    // Asked once a wake at most; a gate refreshing a view it cannot refresh asks in a loop, 1000 times at once.
    expect(store.asked).toBeLessThan(500);
  });
});
