import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createThuliumGate,
  type GatePass,
  type GateState,
} from '../../functions/outbound-status/adapters/thulium-gate.ts';
import { ThuliumUnavailableError } from '../../functions/outbound-status/core/errors.ts';

/** Calls that entered the gate, in the order they were let through. */
function calls(gate: ReturnType<typeof createThuliumGate>) {
  const started: { id: number; at: number; pass: GatePass }[] = [];
  const refused: { id: number; at: number; error: ThuliumUnavailableError }[] = [];
  let ids = 0;
  return {
    started,
    refused,
    enter(deadline = Date.now() + 30_000, onPause: 'wait' | 'refuse' = 'wait') {
      const id = ++ids;
      gate.enter(deadline, onPause).then(
        (pass) => started.push({ id, at: Date.now(), pass }),
        (error: ThuliumUnavailableError) => refused.push({ id, at: Date.now(), error }),
      );
      return id;
    },
  };
}

/** Lets the gate's promises and due timers run. */
const step = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

/** A gate whose first call Thulium answered with a pause of `limitedMs` (a 429 unless told). */
async function pausedGate(
  limitedMs: number,
  { rateLimited = true, onLimited }: { rateLimited?: boolean; onLimited?: (state: GateState) => void } = {},
) {
  const gate = createThuliumGate({ maxInFlight: 10, onLimited });
  const c = calls(gate);
  c.enter();
  await step();
  c.started[0].pass.done({ limitedMs, rateLimited });
  return { gate, c };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the Thulium gate', () => {
  it('starts a cold container with one call in flight and one more for each accepted call, up to its limit', async () => {
    const gate = createThuliumGate({ maxInFlight: 3 });
    const c = calls(gate);
    for (let i = 0; i < 6; i++) c.enter();
    await step();
    expect(c.started.map((s) => s.id)).toEqual([1]);
    c.started[0].pass.done('accepted');
    await step();
    expect(c.started.map((s) => s.id)).toEqual([1, 2, 3]);
    c.started[1].pass.done('accepted');
    c.started[2].pass.done('accepted');
    await step();
    // Three in flight at most, however many are accepted.
    expect(c.started.map((s) => s.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(gate.state.inFlight).toBe(3);
    expect(gate.state.callsPerSecond).toBe(Infinity);
  });

  it('holds every call of the container during a 429 pause, then lets one probe go alone', async () => {
    const { c } = await pausedGate(1_000);
    for (let i = 0; i < 4; i++) c.enter();
    await step(999);
    expect(c.started).toHaveLength(1);
    await step(1);
    expect(c.started.map((s) => s.id)).toEqual([1, 2]);
    await step(5_000);
    // Nothing follows the probe until Thulium has accepted it.
    expect(c.started).toHaveLength(2);
    c.started[1].pass.done('accepted');
    await step();
    // The window, one call after the 429, grew by one with the accepted probe.
    expect(c.started.map((s) => s.id)).toEqual([1, 2, 3, 4]);
    c.started[2].pass.done('accepted');
    await step();
    expect(c.started.map((s) => s.id)).toEqual([1, 2, 3, 4, 5]);
    expect(c.refused).toEqual([]);
  });

  it('answers an HTTP caller at once during a pause, with the pause left as Retry-After', async () => {
    const { c } = await pausedGate(3_000);
    await step(500);
    c.enter(Date.now() + 29_000, 'refuse');
    await step();
    expect(c.refused).toHaveLength(1);
    expect(c.refused[0].at).toBe(1_000_500);
    expect(c.refused[0].error).toBeInstanceOf(ThuliumUnavailableError);
    expect(c.refused[0].error.code).toBe('THULIUM_RATE_LIMITED');
    expect(c.refused[0].error.retryAfterSeconds).toBe(3);
  });

  it('refuses a queue record at once when the pause outlasts its deadline, and one that waited too long before it passes', async () => {
    const { c } = await pausedGate(10_000);
    c.enter(Date.now() + 5_000);
    await step();
    expect(c.refused.map((r) => [r.id, r.error.retryAfterSeconds])).toEqual([[2, 10]]);

    // After the pause, the probe holds the others; a record whose deadline comes meanwhile is told in time.
    await step(10_000);
    c.enter();
    await step();
    expect(c.started.map((s) => s.id)).toEqual([1, 3]);
    c.enter(Date.now() + 2_000);
    await step(1_800);
    expect(c.refused.map((r) => r.id)).toEqual([2, 4]);
    expect(c.refused[1].at - 1_000_000).toBeLessThan(10_000 + 2_000);
    expect(c.refused[1].error.code).toBe('THULIUM_RATE_LIMITED');
  });

  it('lowers its pace once per episode, to a share of what Thulium accepted in the last second, and spaces calls by it', async () => {
    const limited: GateState[] = [];
    const gate = createThuliumGate({ maxInFlight: 10, onLimited: (state) => limited.push(state) });
    const c = calls(gate);
    // Ten accepted within the second, then three refused together.
    for (let i = 0; i < 13; i++) c.enter();
    for (let i = 0; i < 10; i++) {
      await step(50);
      c.started[i].pass.done('accepted');
    }
    await step();
    expect(c.started).toHaveLength(13);
    for (const s of c.started.slice(10)) s.pass.done({ limitedMs: 1_000, rateLimited: true });
    await step();
    expect(limited).toHaveLength(1);
    expect(limited[0].callsPerSecond).toBeCloseTo(9);

    for (let i = 0; i < 5; i++) c.enter();
    await step(1_000);
    c.started[13].pass.done('accepted');
    await step(2_000);
    const gaps = c.started.slice(14).map((s, i) => s.at - c.started[13 + i].at);
    expect(c.started).toHaveLength(18);
    // 9 calls a second: one every 111 ms, the pace growing a little while others wait.
    for (const gap of gaps.slice(1)) expect(gap).toBeGreaterThanOrEqual(105);
    for (const gap of gaps.slice(1)) expect(gap).toBeLessThanOrEqual(112);
  });

  it('lets a call that says nothing of the limit (a timeout, a reset) leave the next call to probe again', async () => {
    const { c } = await pausedGate(1_000);
    c.enter();
    c.enter();
    c.enter();
    await step(1_000);
    expect(c.started).toHaveLength(2);
    c.started[1].pass.done('unknown');
    await step();
    expect(c.started).toHaveLength(3);
    c.started[2].pass.done('accepted');
    await step(1_000);
    expect(c.started).toHaveLength(4);
  });

  it('takes a refused probe, and calls that left before the 429, as the same episode: the pace and window drop once', async () => {
    const limited: GateState[] = [];
    const gate = createThuliumGate({ maxInFlight: 10, onLimited: (state) => limited.push(state) });
    const c = calls(gate);
    for (let i = 0; i < 3; i++) c.enter();
    await step();
    c.started[0].pass.done('accepted');
    await step(10);
    // Calls 2 and 3 left together; 2 is refused, 3 (which left before the 429) is accepted after it.
    c.started[1].pass.done({ limitedMs: 1_000, rateLimited: true });
    const windowAfter = gate.state.inFlightLimit;
    c.started[2].pass.done('accepted');
    expect(gate.state.inFlightLimit).toBe(windowAfter);
    c.enter();
    await step(1_000);
    // The probe, sent after the pause, is refused too: a second pause, no second decrease.
    expect(c.started).toHaveLength(4);
    c.started[3].pass.done({ limitedMs: 2_000, rateLimited: true });
    c.enter();
    await step(1_999);
    expect(c.started).toHaveLength(4);
    await step(1);
    expect(c.started).toHaveLength(5);
    expect(limited.map((s) => s.callsPerSecond)).toEqual([0.9]);
    expect(gate.state.inFlightLimit).toBe(windowAfter);
  });

  it('keeps the probe alone when a call from before the pause is refused late, and leaves no timer behind', async () => {
    const gate = createThuliumGate({ maxInFlight: 10 });
    const c = calls(gate);
    c.enter();
    await step();
    c.started[0].pass.done('accepted');
    c.enter();
    c.enter();
    await step();
    c.started[1].pass.done('accepted');
    c.enter();
    c.enter();
    await step();
    expect(c.started.map((s) => s.id)).toEqual([1, 2, 3, 4, 5]);
    c.started[3].pass.done({ limitedMs: 1_000, rateLimited: true });
    c.started[4].pass.done('accepted');
    c.enter();
    c.enter();
    await step(1_000);
    expect(c.started.map((s) => s.id)).toEqual([1, 2, 3, 4, 5, 6]);
    // Call 3 left before the pause and is refused while the probe (6) is out: still one probe.
    c.started[2].pass.done({ limitedMs: 500, rateLimited: true });
    await step(1_000);
    expect(c.started).toHaveLength(6);
    c.started[5].pass.done('accepted');
    await step();
    expect(c.started.map((s) => s.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    c.started[6].pass.done('accepted');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('pauses for a 503 with Retry-After without lowering the pace, and for at most a minute', async () => {
    const limited: GateState[] = [];
    const { gate, c } = await pausedGate(3_600_000, { rateLimited: false, onLimited: (state) => limited.push(state) });
    expect(gate.state.pausedUntil - Date.now()).toBe(60_000);
    c.enter(Date.now() + 120_000);
    await step(60_000);
    expect(c.started).toHaveLength(2);
    expect(limited).toEqual([]);
    expect(gate.state.callsPerSecond).toBe(Infinity);
  });

  it('refuses a call whose deadline is too close, even with nobody waiting', async () => {
    const gate = createThuliumGate({ maxInFlight: 10 });
    const c = calls(gate);
    c.enter(Date.now() + 100);
    await step();
    expect(c.started).toHaveLength(0);
    expect(c.refused).toHaveLength(1);
  });
});
