import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { positionAt, timeOf } from '../../functions/outbound-status/adapters/budget/curve.ts';
import type { RateInputs } from '../../functions/outbound-status/adapters/budget/rate.ts';
import { initialState, ticketAt, ticketTime } from '../../functions/outbound-status/adapters/budget/state.ts';

const T0 = Date.parse('2026-12-01T12:00:00Z');
const SET10: RateInputs = { startedAt: T0, setRate: 10 };
const FRESH: RateInputs = { startedAt: T0 };
const LEARNED: RateInputs = { startedAt: T0 - 3_600_000, learned: { base: 10, from: T0 } };
/** ∫ 5·2^(2s) ds from 0 to 0.5 s: the slow start's first half second. */
const HALF_SECOND = 5 / (2 * Math.LN2);

describe('the curve of tickets', () => {
  it.each([
    // [inputs, reference ticket, t − T0 (ms), ticket due then]
    ['set 10/s, before the reference: flat', SET10, 5, -1_000, 5],
    ['set 10/s, at the reference', SET10, 5, 0, 5],
    ['set 10/s, a second on', SET10, 5, 1_000, 15],
    ['set 10/s, a minute on', SET10, 0, 60_000, 600],
    ['slow start, half a second on', FRESH, 0, 500, HALF_SECOND],
    ['slow start, a second on (x3: it doubled)', FRESH, 0, 1_000, 3 * HALF_SECOND],
    // Capped at 1000 a second from 3.82 s on (5 · 2^(2t) = 1000).
    ['slow start, 5 s on: capped', FRESH, 0, 5_000, 199 * HALF_SECOND + 1_000 * (5 - Math.log2(200) / 2)],
    ['learned 10/s, 10 s on (1 %/s)', LEARNED, 0, 10_000, (10 / 0.01) * Math.expm1(0.1)],
  ] as const)('%s', (_, inputs, ticket, ms, due) => {
    const ref = { at: T0, ticket };
    expect(positionAt(inputs, ref, T0 + ms)).toBeCloseTo(due, 6);
    if (ms > 0) expect(timeOf(inputs, ref, due)).toBeCloseTo(T0 + ms, 3);
  });

  it('times every ticket up to the reference at the reference', () => {
    const ref = { at: T0, ticket: 5 };
    for (const ticket of [-10, 0, 4.5, 5]) expect(timeOf(SET10, ref, ticket)).toBe(T0);
    expect(timeOf(SET10, ref, 5.5)).toBeCloseTo(T0 + 50, 9);
  });

  it('is increasing, and timeOf undoes positionAt, for any shape, reference and time', () => {
    const inputs = fc.oneof(
      fc.record({
        startedAt: fc.integer({ min: -20_000, max: 0 }),
        setRate: fc.double({ min: 0.2, max: 999, noNaN: true }),
      }),
      fc.record({ startedAt: fc.integer({ min: -20_000, max: 0 }) }),
      fc.record({
        startedAt: fc.constant(-3_600_000),
        learned: fc.record({
          base: fc.double({ min: 0.2, max: 999, noNaN: true }),
          from: fc.integer({ min: -40_000, max: 5_000 }),
        }),
      }),
    );
    const property = fc.property(
      inputs,
      fc.integer({ min: -30_000, max: 30_000 }),
      fc.double({ min: 0, max: 1e6, noNaN: true }),
      fc.integer({ min: 1, max: 60_000 }),
      fc.integer({ min: 1, max: 5_000 }),
      (shape, at, ticket, ms, more) => {
        const ref = { at: T0 + at, ticket };
        const t = ref.at + ms;
        const position = positionAt(shape, ref, t);
        expect(position).toBeGreaterThan(ticket);
        expect(positionAt(shape, ref, t + more)).toBeGreaterThan(position);
        expect(Math.abs(timeOf(shape, ref, position) - t)).toBeLessThan(1e-3 * Math.max(1, ms / 1000));
      },
    );
    fc.assert(property, { numRuns: 500 });
  });
});

describe('ticketTime', () => {
  /** Set 10/s; the reference 10 s before T0 at ticket 0: ticket 100 is due at T0. */
  const s = { ...initialState(T0 - 10_000) };
  const policy = { setRate: 10 };

  it('follows the curve, never before the pause ends', () => {
    expect(ticketAt(s, policy, T0)).toBeCloseTo(100, 9);
    expect(ticketTime(s, policy, 100)).toBeCloseTo(T0, 6);
    expect(ticketTime(s, policy, 105)).toBeCloseTo(T0 + 500, 6);
    const paused = { ...s, pausedUntil: T0 + 300 };
    expect(ticketTime(paused, policy, 100)).toBe(T0 + 300);
    expect(ticketTime(paused, policy, 105)).toBeCloseTo(T0 + 500, 6);
  });

  it('gives the last ticket from before the reference (the probe) the pause’s end, and spends older ones', () => {
    const after = { ...s, curveAt: T0 + 1_200, curveTicket: 101.5, pausedUntil: T0 + 1_000 };
    expect(ticketTime(after, policy, 101)).toBe(T0 + 1_000);
    // Older ones are spent: sent after the pause all at once, they would be a burst.
    expect(ticketTime(after, policy, 100.4)).toBe(-Infinity);
    expect(ticketTime(after, policy, 101.5)).toBe(T0 + 1_200);
    expect(ticketTime(after, policy, 102.5)).toBeCloseTo(T0 + 1_300, 6);
    expect(ticketTime({ ...after, pausedUntil: 0 }, policy, 101)).toBe(0);
  });
});
