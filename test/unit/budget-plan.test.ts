import { describe, expect, it } from 'vitest';
import { applyWrite } from '../../functions/outbound-status/adapters/budget/memory-store.ts';
import { planLease } from '../../functions/outbound-status/adapters/budget/plan.ts';
import {
  type BudgetState,
  HOLDER_MS,
  initialState,
  type LeaseRequest,
  type Policy,
  ticketTime,
} from '../../functions/outbound-status/adapters/budget/state.ts';
import { POLICY } from '../support/budget.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const SECOND = NOW / 1000;
/**
 * 10 calls a second from a curve begun 10 s ago at ticket 0: ticket 100 is due now, the queue's floor
 * (800 ms back) is ticket 92, the HTTP reserve's (200 ms back) ticket 98, and each ticket 100 ms on.
 */
const SET10: Policy = { ...POLICY, setRate: 10 };
const state = (over: Partial<BudgetState> = {}): BudgetState => ({ ...initialState(NOW - 10_000), epoch: 3, ...over });
const req = (over: Partial<LeaseRequest> = {}): LeaseRequest => ({
  me: 'a',
  urgency: 'background',
  want: 1,
  latestStart: NOW + 30_000,
  now: NOW,
  ...over,
});
const PERSON = { urgency: 'interactive' } as const;

/** A plan that writes, applied as the store would: the write, the state it made, the grant and its tickets' times. */
function leased(s: BudgetState, r: LeaseRequest, policy: Policy = SET10) {
  const plan = planLease(s, r, policy);
  if (plan.type !== 'write' || !plan.grant) throw new Error(`expected a write with a grant, got ${plan.type}`);
  const result = applyWrite(s, plan.write);
  expect(result.ok).toBe(true);
  const grant = plan.grant(result.state!);
  return {
    write: plan.write,
    state: result.state!,
    grant,
    times: grant.tickets.map((t) => ticketTime(result.state!, policy, t) - NOW),
  };
}

describe('planLease', () => {
  it('creates a missing item, and grants nothing until it is planned on again', () => {
    const plan = planLease(undefined, req(), SET10);
    expect(plan).toEqual({ type: 'write', write: { kind: 'create', state: initialState(NOW) } });
  });

  it.each([
    ['a person is refused at once', PERSON, { type: 'refuse', retryAfterMs: 3_000, paused: true }],
    [
      'an update that cannot wait it out is refused',
      { latestStart: NOW + 2_999 },
      { type: 'refuse', retryAfterMs: 3_000, paused: true },
    ],
  ])('paused for 3 s: %s', (_, r, plan) => {
    expect(planLease(state({ pausedUntil: NOW + 3_000 }), req(r), SET10)).toEqual(plan);
  });

  it('gives an update that can wait out a pause tickets due after it', () => {
    const { grant, times } = leased(
      state({ pausedUntil: NOW + 3_000, line: 99 }),
      req({ want: 3, latestStart: NOW + 3_000 }),
    );
    expect(grant.tickets).toEqual([99, 100, 101]);
    expect(times).toEqual([3_000, 3_000, 3_000]);
  });

  it.each([
    { want: 7, calls: 7 },
    { want: 0, calls: 1 },
  ])('with no limit, leases $want calls as $calls, no counter moved, free for a second', ({ want, calls }) => {
    const { write, state: written, grant } = leased(state({ holders: { b: NOW + 5 } }), req({ want }), POLICY);
    expect(write).toEqual({
      kind: 'lease',
      expectEpoch: 3,
      moves: [],
      calls,
      second: SECOND,
      holder: { id: 'a', until: NOW + HOLDER_MS },
      prune: { holders: [], seconds: [] },
    });
    expect(grant).toEqual({ tickets: [], unlimitedUntil: NOW + 1_000 });
    expect(written.recent).toEqual({ [SECOND]: calls });
  });

  it.each([
    // [line, want, latestStart − now, the move, tickets granted]
    // The line ahead of the floor: added to, within bounds, the last ticket due by latestStart.
    [105, 20, 1_000, { mode: 'add', by: 6, min: 92, max: 105 }, [105, 106, 107, 108, 109, 110]],
    [97, 2, 30_000, { mode: 'add', by: 2, min: 92, max: 399 }, [97, 98]],
    // Lagging (a quiet budget): set from the floor, 800 ms of burst back.
    [0, 3, 30_000, { mode: 'set', to: 95, below: 92 }, [92, 93, 94]],
    [91.5, 12, 0, { mode: 'set', to: 101, below: 92 }, [92, 93, 94, 95, 96, 97, 98, 99, 100]],
  ] as const)(
    'background, line at %d, want %d: tickets from the line or the floor',
    (line, want, latest, move, tickets) => {
      const { write, state: written, grant, times } = leased(state({ line }), req({ want, latestStart: NOW + latest }));
      expect(write).toMatchObject({ kind: 'lease', calls: tickets.length, moves: [{ field: 'line', ...move }] });
      expect(grant.tickets).toEqual(tickets);
      expect(written.line).toBe(tickets.at(-1)! + 1);
      expect(written.httpLine).toBe(0);
      for (const [i, time] of times.entries()) expect(time).toBeCloseTo((tickets[i] - 100) * 100, 6);
    },
  );

  it('refuses an update whose first ticket comes after its latest start, with the wait for it', () => {
    const plan = planLease(state({ line: 121 }), req({ latestStart: NOW + 1_999 }), SET10);
    expect(plan).toMatchObject({ type: 'refuse', paused: false });
    if (plan.type === 'refuse') expect(plan.retryAfterMs).toBeCloseTo(2_100, 6);
  });

  it.each([
    // [httpLine, line, ticket, the reserve's move, the queue's move]
    [0, 105, 98, { mode: 'set', to: 99, below: 98 }, { mode: 'add', by: 1, min: 92 }],
    [100.5, 0, 100.5, { mode: 'add', by: 1, min: 98, max: 400 }, { mode: 'set', to: 93, below: 92 }],
  ] as const)(
    'a person takes from the HTTP reserve (at %d) and moves the queue a ticket on',
    (http, line, ticket, httpMove, lineMove) => {
      const { write, state: written, grant } = leased(state({ httpLine: http, line }), req({ ...PERSON, want: 4 }));
      const moves = [
        { field: 'httpLine', ...httpMove },
        { field: 'line', ...lineMove },
      ];
      expect(write).toMatchObject({ calls: 1, moves });
      expect(grant).toEqual({ tickets: [ticket] });
      expect(written.httpLine).toBe(ticket + 1);
      expect(written.line).toBe(Math.max(line, 92) + 1);
    },
  );

  it('refuses a person whose reserve ticket comes after the latest start', () => {
    const plan = planLease(state({ httpLine: 104 }), req({ ...PERSON, latestStart: NOW + 399 }), SET10);
    expect(plan).toMatchObject({ type: 'refuse', paused: false });
    if (plan.type === 'refuse') expect(plan.retryAfterMs).toBeCloseTo(400, 6);
  });

  it('prunes two holders silent for a minute (never itself) and two counted seconds older than two', () => {
    const holders = { a: NOW - 120_000, b: NOW - 60_001, c: NOW - 60_000, d: NOW - 90_000, e: NOW - 70_000 };
    const recent = { [SECOND - 5]: 1, [SECOND - 3]: 1, [SECOND - 4]: 1, [SECOND - 2]: 1, [SECOND]: 1 };
    const { write, state: written } = leased(state({ holders, recent }), req());
    expect(write).toMatchObject({ prune: { holders: ['b', 'd'], seconds: [String(SECOND - 5), String(SECOND - 4)] } });
    expect(written.holders).toEqual({ a: NOW + HOLDER_MS, c: NOW - 60_000, e: NOW - 70_000 });
    expect(written.recent).toEqual({ [SECOND - 3]: 1, [SECOND - 2]: 1, [SECOND]: 2 });
  });
});
