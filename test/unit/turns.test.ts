import { setImmediate as tick } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTurns, type Done, type Turns } from '../../functions/outbound-status/shared/turns.ts';

const START = Date.parse('2026-12-01T12:00:00Z');
const WAIT_MS = 1_000;

class Refused extends Error {
  readonly code = 'REFUSED';
}

interface Taker {
  name: string;
  done?: Done;
  refusal?: unknown;
}

/** Takes a turn and records how it went; `log` gets the names in the order their turns came. */
function take(turns: Turns, key: string, name: string, log: string[], waitMs = WAIT_MS): Taker {
  const taker: Taker = { name };
  turns.take(key, { waitUntil: Date.now() + waitMs, onTimeout: () => new Refused(name) }).then(
    (done) => {
      taker.done = done;
      log.push(name);
    },
    (error) => (taker.refusal = error),
  );
  return taker;
}

// Only the clocks are fake: a real setImmediate lets every promise chain run out between steps.
beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: START }));
afterEach(() => vi.useRealTimers());

describe('createTurns', () => {
  it('lets the first taker go at once, even with no time left to wait', async () => {
    const turns = createTurns();
    const log: string[] = [];
    const first = take(turns, 'a', 'first', log, -1);
    await tick();
    expect(first.done).toBeTypeOf('function');
    expect(turns.size).toBe(1);
  });

  it.each([
    { second: 'a', waits: true },
    { second: 'b', waits: false },
  ])('a taker of key $second while key a is held waits: $waits', async ({ second, waits }) => {
    const turns = createTurns();
    const log: string[] = [];
    const holder = take(turns, 'a', 'holder', log);
    await tick();
    const other = take(turns, second, 'other', log);
    await vi.advanceTimersByTimeAsync(WAIT_MS - 1);
    await tick();
    expect(other.done !== undefined).toBe(!waits);

    holder.done?.();
    await tick();
    expect(other.done).toBeTypeOf('function');
    expect(other.refusal).toBeUndefined();
  });

  it('serves three takers of one key in the order they came, each after the one before is done', async () => {
    const turns = createTurns();
    const log: string[] = [];
    const takers = ['first', 'second', 'third'].map((name) => take(turns, 'a', name, log));
    for (const [i, taker] of takers.entries()) {
      await tick();
      expect(log).toEqual(takers.slice(0, i + 1).map((t) => t.name));
      taker.done?.();
    }
    await tick();
    expect(turns.size).toBe(0);
  });

  it('refuses a waiter whose deadline passes, with its own error, and still serves the ones behind it', async () => {
    const turns = createTurns();
    const log: string[] = [];
    const holder = take(turns, 'a', 'holder', log);
    await tick();
    const hasty = take(turns, 'a', 'hasty', log, 100);
    const patient = take(turns, 'a', 'patient', log);

    await vi.advanceTimersByTimeAsync(100);
    expect(hasty.refusal).toMatchObject({ code: 'REFUSED', message: 'hasty' });
    expect(patient.done).toBeUndefined();

    holder.done?.();
    await tick();
    expect(log).toEqual(['holder', 'patient']);
  });

  it('keeps a newcomer behind the holder when the last waiter gave up', async () => {
    const turns = createTurns();
    const log: string[] = [];
    const holder = take(turns, 'a', 'holder', log);
    await tick();
    const hasty = take(turns, 'a', 'hasty', log, 100);
    await vi.advanceTimersByTimeAsync(100);
    expect(hasty.refusal).toBeInstanceOf(Refused);

    const newcomer = take(turns, 'a', 'newcomer', log);
    await tick();
    expect(newcomer.done).toBeUndefined();
    holder.done?.();
    await tick();
    expect(log).toEqual(['holder', 'newcomer']);
  });

  it('lets a holder that is done in time hand over at the last millisecond of the wait', async () => {
    const turns = createTurns();
    const log: string[] = [];
    const holder = take(turns, 'a', 'holder', log);
    await tick();
    const next = take(turns, 'a', 'next', log, 100);
    await vi.advanceTimersByTimeAsync(99);
    holder.done?.();
    await tick();
    expect(next.refusal).toBeUndefined();
    expect(log).toEqual(['holder', 'next']);
  });

  it('forgets every key once all its takers are done or refused', async () => {
    const turns = createTurns();
    const log: string[] = [];
    const takers = [take(turns, 'a', 'a1', log), take(turns, 'b', 'b1', log), take(turns, 'a', 'a2', log, 50)];
    const late = take(turns, 'a', 'a3', log);
    await tick();
    expect(turns.size).toBe(2);
    await vi.advanceTimersByTimeAsync(50);
    for (const taker of [...takers, late]) {
      await tick();
      taker.done?.();
    }
    await tick();
    expect(log).toEqual(['a1', 'b1', 'a3']);
    expect(turns.size).toBe(0);
  });

  it('ignores a second done: neither a waiter nor a newcomer gets past the current holder', async () => {
    const turns = createTurns();
    const log: string[] = [];
    const first = take(turns, 'a', 'first', log);
    await tick();
    const second = take(turns, 'a', 'second', log);
    const third = take(turns, 'a', 'third', log);
    first.done?.();
    await tick();
    first.done?.();
    await tick();
    const fourth = take(turns, 'a', 'fourth', log);
    await tick();
    expect(log).toEqual(['first', 'second']);

    for (const taker of [second, third, fourth]) {
      taker.done?.();
      taker.done?.();
      await tick();
    }
    expect(log).toEqual(['first', 'second', 'third', 'fourth']);
    expect(turns.size).toBe(0);
  });
});
