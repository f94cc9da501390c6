import { describe, expect, it } from 'vitest';
import {
  DOUBLING_MS,
  FORGET_CALLS_PER_SECOND,
  loweredRate,
  MIN_CALLS_PER_SECOND,
  type RateInputs,
  rateAt,
  recentRate,
  START_CALLS_PER_SECOND,
} from '../../functions/outbound-status/adapters/budget/rate.ts';

const T0 = Date.parse('2026-12-01T12:00:00Z');
const s = (seconds: number) => T0 + seconds * 1000;
/** A deployment that began at T0 and has met no limit. */
const fresh: RateInputs = { startedAt: T0 };
/** A deployment that learned 10 calls a second, from T0 on (it began long before). */
const learned: RateInputs = { startedAt: s(-3_600), learned: { base: 10, from: T0 } };

describe('rateAt', () => {
  it('holds the constants the docs quote', () => {
    expect([START_CALLS_PER_SECOND, DOUBLING_MS, MIN_CALLS_PER_SECOND, FORGET_CALLS_PER_SECOND]).toEqual([
      5, 500, 0.2, 1_000,
    ]);
  });

  it.each([
    { at: -1, rate: 5 },
    { at: 0, rate: 5 },
    { at: 0.5, rate: 10 },
    { at: 1.25, rate: 28.284271 },
    { at: 3.5, rate: 640 },
    { at: 3.8, rate: 970.058603 },
    { at: 3.85, rate: Infinity },
    { at: 3_600, rate: Infinity },
  ])('slow start: $rate calls a second $at s after the budget began', ({ at, rate }) => {
    expect(rateAt(fresh, s(at))).toBeCloseTo(rate, 5);
  });

  it.each([
    { at: -5, rate: 10 },
    { at: 0, rate: 10 },
    { at: 1, rate: 10.232665 },
    { at: 5, rate: 11.218734 },
    { at: 10, rate: 12.586 },
    { at: 15, rate: 21.17 },
    { at: 20, rate: 35.608526 },
    { at: 25, rate: 130.658244 },
    { at: 30, rate: 479.423861 },
    { at: 32, rate: 806.40419 },
    { at: 33, rate: Infinity },
  ])('learned 10/s: $rate calls a second $at s after it was set', ({ at, rate }) => {
    expect(rateAt(learned, s(at))).toBeCloseTo(rate, 5);
  });

  it.each([
    { inputs: { ...fresh, setRate: 3 }, at: 0 },
    { inputs: { ...fresh, setRate: 3 }, at: 3_600 },
    { inputs: { ...learned, setRate: 3 }, at: 35 },
  ])('a set rate holds whatever was learned or how long it ran ($at s)', ({ inputs, at }) => {
    expect(rateAt(inputs, s(at))).toBe(3);
  });

  it('grows 2.3 % a second for ten seconds, 10.4 % for the next ten, then 26 %: x1.26 in 10 s, x3.5 in 20 s', () => {
    const growth = (at: number) => rateAt(learned, s(at + 1)) / rateAt(learned, s(at));
    for (const at of [0, 4, 9]) expect(growth(at)).toBeCloseTo(Math.exp(0.023), 9);
    for (const at of [10, 19]) expect(growth(at)).toBeCloseTo(Math.exp(0.104), 9);
    for (const at of [20, 30]) expect(growth(at)).toBeCloseTo(Math.exp(0.26), 9);
    expect(rateAt(learned, s(10)) / 10).toBeCloseTo(1.26, 2);
    expect(rateAt(learned, s(20)) / 10).toBeCloseTo(3.56, 2);
  });
});

describe('loweredRate', () => {
  it.each([
    // Learned and finite: 90 % of the rate that met the 429, whatever was asked for.
    { case: 'learned, at once', inputs: learned, at: 0, leased: 1_000, due: 10, rate: 9 },
    { case: 'learned, 10 s on', inputs: learned, at: 10, leased: 0, due: 0, rate: 0.9 * 12.586 },
    {
      case: 'learned, at the floor',
      inputs: { ...learned, learned: { base: 0.2, from: T0 } },
      at: 0,
      leased: 0,
      due: 0,
      rate: 0.2,
    },
    // No learned rate: 90 % of what was asked for when under 75 % of what came due, else half what came due.
    { case: 'slow start, asked for less', inputs: fresh, at: 1, leased: 10, due: 40, rate: 9 },
    { case: 'slow start, asked for 75 %', inputs: fresh, at: 1, leased: 30, due: 40, rate: 20 },
    { case: 'slow start, asked for more', inputs: fresh, at: 1, leased: 300, due: 40, rate: 20 },
    { case: 'slow start, nothing asked or due', inputs: fresh, at: 1, leased: 0, due: 0, rate: 0.2 },
    { case: 'forgotten, asked for little', inputs: learned, at: 60, leased: 17, due: Infinity, rate: 15.3 },
    { case: 'forgotten, a storm', inputs: learned, at: 60, leased: 5_000, due: Infinity, rate: 500 },
  ])('$case: $rate', ({ inputs, at, leased, due, rate }) => {
    expect(loweredRate(inputs, s(at), { leased, due })).toBeCloseTo(rate, 5);
  });
});

describe('recentRate', () => {
  it.each([
    // Counted by the second they were leased in: this second and the last, over the time since the last began.
    { case: 'as a second begins', bySecond: { 1: 10, 2: 2 }, at: 2, rate: 12 },
    { case: 'half through', bySecond: { 1: 10, 2: 5 }, at: 2.5, rate: 10 },
    { case: 'older seconds ignored', bySecond: { 0: 50, 1: 10, 2: 5 }, at: 2.5, rate: 10 },
    { case: 'nothing lately', bySecond: { 0: 50 }, at: 2.999, rate: 0 },
  ])('$case: $rate a second', ({ bySecond, at, rate }) => {
    const keyed = Object.fromEntries(Object.entries(bySecond).map(([k, v]) => [String(T0 / 1000 + Number(k)), v]));
    expect(recentRate(keyed, s(at))).toBeCloseTo(rate, 5);
  });
});
