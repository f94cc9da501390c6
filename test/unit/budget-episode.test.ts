import { describe, expect, it } from 'vitest';
import { type LimitReport, planLimited } from '../../functions/outbound-status/adapters/budget/plan.ts';
import {
  type BudgetState,
  initialState,
  type Policy,
  type Write,
} from '../../functions/outbound-status/adapters/budget/state.ts';
import { POLICY } from '../support/budget.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const SECOND = NOW / 1000;
const SET10: Policy = { ...POLICY, setRate: 10 };
/** The slow start's tickets in its first half second (∫ 5·2^(2s) ds); a second in, three times that. */
const HALF_SECOND = 5 / (2 * Math.LN2);
/** A slow start begun a second ago (20 calls a second now, ticket 10.82 due), 12 calls leased in the last second. */
const slow: BudgetState = { ...initialState(NOW - 1_000), epoch: 3, line: 10, recent: { [SECOND - 1]: 12 } };
const report = (over: Partial<LimitReport> = {}): LimitReport => ({
  startedAt: NOW - 50,
  epoch: 3,
  ticket: 9,
  retryAfterMs: 1_000,
  rateLimited: true,
  now: NOW,
  ...over,
});
/** The pause a 429 at NOW asks for: everyone waits a second; ticket 11.82 goes at its end, the next 200 ms later. */
const paused = {
  epoch: 4,
  pausedUntil: NOW + 1_000,
  pausedAt: NOW,
  curveAt: NOW + 1_200,
  curveTicket: 3 * HALF_SECOND + 1,
  limitedAt: NOW,
};
/** After a first 429 that learned half of what came due. */
const first: BudgetState = { ...slow, ...paused, learned: { base: 1.5 * HALF_SECOND, from: NOW + 1_200 } };

const stateOf = (write: Write | undefined) => {
  if (write?.kind !== 'replace') throw new Error(`expected a replace, got ${write?.kind}`);
  return write.state;
};

describe('planLimited', () => {
  it('pauses everyone on a first 429 in slow start, and learns 95 % of what was asked for with no tickets waiting', () => {
    const write = planLimited(slow, report(), POLICY);
    expect(write).toMatchObject({ kind: 'replace', expectEpoch: 3, lowered: true });
    const { learned, curveTicket, ...rest } = stateOf(write);
    expect(rest).toEqual({ ...slow, ...paused, curveTicket: undefined, learned: undefined });
    expect(curveTicket).toBeCloseTo(paused.curveTicket, 9);
    expect(learned?.from).toBe(NOW + 1_200);
    // 12 asked for in the last second, 10.82 came due: 95 % of the lesser.
    expect(learned?.base).toBeCloseTo(0.95 * 3 * HALF_SECOND, 9);
  });

  it('learns half the rate that came due when tickets were waiting beyond it (the rate, not the demand, met the limit)', () => {
    const write = planLimited({ ...slow, line: 20 }, report(), POLICY);
    expect(stateOf(write).learned?.base).toBeCloseTo(0.5 * 3 * HALF_SECOND, 9);
    // The line resumes after the probe's ticket, past the one due when the pause began.
    expect(stateOf(write).curveTicket).toBeCloseTo(3 * HALF_SECOND + 2, 9);
  });

  it.each([
    ['started before the pause', { now: NOW + 10, startedAt: NOW - 20, epoch: 4 }],
    ['started by a container that had not seen the pause', { now: NOW + 10, startedAt: NOW + 5, epoch: 3 }],
  ])('writes nothing for a 429 of the same episode: %s', (_, r) => {
    expect(planLimited(first, report(r), POLICY)).toBeUndefined();
  });

  it('re-pauses for a refused probe (a ticket from before the pause) without lowering again', () => {
    const r = report({ now: NOW + 1_100, startedAt: NOW + 1_000, epoch: 4, ticket: 11, retryAfterMs: 2_000 });
    const write = planLimited(first, r, POLICY);
    expect(write).toMatchObject({ kind: 'replace', expectEpoch: 4, repause: true });
    expect(write).not.toHaveProperty('lowered');
    const state = stateOf(write);
    expect(state).toMatchObject({ epoch: 5, pausedUntil: NOW + 3_100, pausedAt: NOW + 1_100, curveAt: NOW + 3_300 });
    expect(state.curveTicket).toBeCloseTo(first.curveTicket + 1, 9);
    expect(state.learned).toEqual(first.learned);
  });

  it('lowers a learned rate to 90 % of what it grew to, on a 429 of a later ticket', () => {
    const r = report({ now: NOW + 1_400, startedAt: NOW + 1_300, epoch: 4, ticket: 12.5 });
    const write = planLimited(first, r, POLICY);
    expect(write).toMatchObject({
      lowered: true,
      state: { epoch: 5, curveAt: NOW + 2_600, learned: { from: NOW + 2_600 } },
    });
    expect(stateOf(write).learned!.base).toBeCloseTo(0.9 * first.learned!.base * Math.exp(0.01 * 0.2), 9);
  });

  it.each([
    ['a set rate is never lowered', SET10, {}, NOW],
    ['a 503 with Retry-After only pauses', POLICY, { rateLimited: false }, 0],
  ] as const)('%s', (_, policy, r, limitedAt) => {
    const write = planLimited(slow, report(r), policy);
    expect(write).toMatchObject({ kind: 'replace', expectEpoch: 3 });
    expect(write).not.toHaveProperty('lowered');
    expect(stateOf(write)).toMatchObject({ pausedUntil: NOW + 1_000, limitedAt });
    expect(stateOf(write).learned).toBeUndefined();
  });

  it('pauses for at most a minute', () => {
    const write = planLimited(slow, report({ retryAfterMs: 3_600_000 }), SET10);
    expect(stateOf(write)).toMatchObject({ pausedUntil: NOW + 60_000, curveAt: NOW + 60_200 });
  });

  it.each([
    // With no limit there are no tickets: the line is where the curve resumes; 90 % of the 30 calls a second leased.
    ['a first 429', 0],
    ['a 429 after a pause (of a 503)', NOW - 5_000],
  ])('lowers from no limit, on %s', (_, pausedAt) => {
    const open = { ...initialState(NOW - 3_600_000), line: 40, curveTicket: 7, pausedAt, recent: { [SECOND]: 30 } };
    const write = planLimited(open, report({ epoch: 1, ticket: undefined }), POLICY);
    expect(write).toMatchObject({ lowered: true, state: { curveTicket: 41, learned: { from: NOW + 1_200 } } });
    // No limit in force: 95 % of the 30 calls asked for in this second.
    expect(stateOf(write).learned!.base).toBeCloseTo(28.5, 9);
  });
});
