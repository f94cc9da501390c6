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
    { at: 1, rate: 10.100502 },
    { at: 5, rate: 10.512711 },
    { at: 10, rate: 11.051709 },
    { at: 15, rate: 11.618342 },
    { at: 20, rate: 16.487213 },
    { at: 25, rate: 23.396469 },
    { at: 30, rate: 85.848584 },
    { at: 35, rate: 315.003923 },
    { at: 39, rate: 891.214459 },
    { at: 40, rate: Infinity },
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

  it('grows 1 % a second for fifteen seconds, 7 % for the next ten, then 26 %: x1.16 in 15 s, x2.3 in 25 s', () => {
    const growth = (at: number) => rateAt(learned, s(at + 1)) / rateAt(learned, s(at));
    for (const at of [0, 7, 14]) expect(growth(at)).toBeCloseTo(Math.exp(0.01), 9);
    for (const at of [15, 24]) expect(growth(at)).toBeCloseTo(Math.exp(0.07), 9);
    for (const at of [25, 35]) expect(growth(at)).toBeCloseTo(Math.exp(0.26), 9);
    expect(rateAt(learned, s(15)) / 10).toBeCloseTo(1.16, 2);
    expect(rateAt(learned, s(25)) / 10).toBeCloseTo(2.34, 2);
  });
});

describe('loweredRate', () => {
  it.each([
    // Learned and finite: 90 % of the rate that met the 429, whatever was asked for.
    { case: 'learned, at once', inputs: learned, at: 0, leased: 1_000, due: 10, rate: 9 },
    { case: 'learned, 10 s on', inputs: learned, at: 10, leased: 0, due: 0, rate: 0.9 * 11.051709 },
    {
      case: 'learned, at the floor',
      inputs: { ...learned, learned: { base: 0.2, from: T0 } },
      at: 0,
      leased: 0,
      due: 0,
      rate: 0.2,
    },
    // No learned rate: with tickets waiting, half of what came due (or the slow start's average, if
    // higher); without, 95 % of what was asked for (at most what came due).
    { case: 'slow start, no backlog, asked for less', inputs: fresh, at: 1, leased: 10, due: 40, rate: 9.5 },
    { case: 'slow start, no backlog, asked for more', inputs: fresh, at: 1, leased: 300, due: 40, rate: 38 },
    { case: 'slow start, a backlog', inputs: fresh, at: 1, leased: 10, due: 40, backlog: true, rate: 20 },
    {
      case: 'slow start, a backlog, its average higher',
      inputs: fresh,
      at: 1,
      leased: 10,
      due: 40,
      backlog: true,
      sinceStart: 25,
      rate: 25,
    },
    { case: 'slow start, nothing asked or due', inputs: fresh, at: 1, leased: 0, due: 0, rate: 0.2 },
    { case: 'slow start, Thulium accepted less', inputs: fresh, at: 1, leased: 10, due: 40, accepted: 5, rate: 4.75 },
    { case: 'forgotten, asked for little', inputs: learned, at: 60, leased: 17, due: Infinity, rate: 16.15 },
    { case: 'forgotten, a storm', inputs: learned, at: 60, leased: 5_000, due: Infinity, rate: 950 },
  ])('$case: $rate', ({ inputs, at, leased, due, backlog = false, sinceStart, accepted, rate }) => {
    expect(loweredRate(inputs, s(at), { leased, due, backlog, sinceStart, accepted })).toBeCloseTo(rate, 5);
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
