/**
 * The budget's rules, as pure functions of its state and the time: what a lease writes and grants,
 * and what a 429 changes. The stores only apply what these return.
 */
import { loweredRate, recentRate } from './rate.ts';
import {
  type BudgetState,
  budgetRate,
  type CursorMove,
  type Grant,
  HOLDER_MS,
  initialState,
  type LeaseRequest,
  type Plan,
  type Policy,
  rateInputs,
  ticketAt,
  ticketTime,
  type Write,
} from './state.ts';

/** Holders not seen for this long, and seconds older than two, are removed from the item, two a lease. */
const PRUNE_AFTER_MS = 60_000;

/** A counter's next tickets: where it stands, or, if it lags behind `floor` (a quiet time), the floor. */
function take(field: 'line' | 'httpLine', at: number, floor: number, by: number, max?: number): CursorMove {
  return at >= floor
    ? { field, mode: 'add', by, min: floor, max }
    : { field, mode: 'set', to: floor + by, below: floor };
}

function leaseWrite(s: BudgetState, req: LeaseRequest, moves: CursorMove[], calls: number): Write {
  const second = Math.floor(req.now / 1000);
  return {
    kind: 'lease',
    expectEpoch: s.epoch,
    moves,
    calls,
    second,
    holder: { id: req.me, until: req.now + HOLDER_MS },
    prune: {
      holders: Object.keys(s.holders)
        .filter((id) => id !== req.me && s.holders[id] < req.now - PRUNE_AFTER_MS)
        .slice(0, 2),
      seconds: Object.keys(s.recent)
        .filter((key) => Number(key) < second - 2)
        .slice(0, 2),
    },
  };
}

/** What a container's lease writes and grants, or why it must give up. */
export function planLease(s: BudgetState | undefined, req: LeaseRequest, policy: Policy): Plan {
  const { now } = req;
  if (!s) return { type: 'write', write: { kind: 'create', state: initialState(now) } };
  // A person is answered at once during a pause; a queued update takes tickets after it, within its deadline.
  if (now < s.pausedUntil && (req.urgency === 'interactive' || s.pausedUntil > req.latestStart))
    return { type: 'refuse', retryAfterMs: s.pausedUntil - now, paused: true };
  if (!Number.isFinite(budgetRate(s, policy, now))) {
    const calls = Math.max(1, req.want);
    const grant: Grant = { tickets: [], unlimitedUntil: now + policy.unlimitedLeaseMs };
    return { type: 'write', write: leaseWrite(s, req, [], calls), grant: () => grant };
  }
  // While a pause's probe is open, one ticket just under the curve's reference goes at the pause's end.
  const floorAt = now - (policy.toleranceMs - policy.reserveMs);
  const probeOpen = s.pausedAt > 0 && floorAt < s.curveAt;
  const queueFloor = Math.min(ticketAt(s, policy, floorAt), probeOpen ? s.curveTicket - 1 : Infinity);
  const last = ticketAt(s, policy, req.latestStart);
  if (req.urgency === 'interactive') {
    // From the HTTP reserve, which moves the queue's line back by one ticket: queued updates yield.
    const floor = ticketAt(s, policy, now - policy.reserveMs);
    const ticket = Math.max(s.httpLine, floor);
    if (ticket > last) return refusal(s, policy, ticket, now);
    const moves = [take('httpLine', s.httpLine, floor, 1, last), take('line', s.line, queueFloor, 1)];
    return { type: 'write', write: leaseWrite(s, req, moves, 1), grant: (w) => ({ tickets: [w.httpLine - 1] }) };
  }
  const first = Math.max(s.line, queueFloor);
  const calls = Math.min(req.want, Math.floor(last - first) + 1);
  if (calls < 1) return refusal(s, policy, first, now);
  const moves = [take('line', s.line, queueFloor, calls, last - calls + 1)];
  return {
    type: 'write',
    write: leaseWrite(s, req, moves, calls),
    grant: (w) => ({ tickets: Array.from({ length: calls }, (_, i) => w.line - calls + i) }),
  };
}

const refusal = (s: BudgetState, policy: Policy, ticket: number, now: number): Plan => ({
  type: 'refuse',
  retryAfterMs: ticketTime(s, policy, ticket) - now,
  paused: false,
});

export interface LimitReport {
  /** When the refused call started, the budget's epoch its container knew then, and its ticket (none without a limit). */
  startedAt: number;
  /** Calls of this container Thulium accepted in the second before. */
  acceptedLastSecond?: number;
  epoch: number;
  ticket?: number;
  retryAfterMs: number;
  /** A 429 (the rate is lowered too), not a 503 with Retry-After (a pause only). */
  rateLimited: boolean;
  now: number;
}

/**
 * A 429 (or a 503 with Retry-After) pauses the whole budget: tickets not yet used resume after the
 * pause, the first alone and the next `probeMs` later, at the new rate. The rate is lowered once
 * per episode: a call started before the last pause, or by a container that had not seen it, met
 * that one; a ticket from before the last pause (the probe) pauses again without lowering; a set
 * rate is never lowered.
 */
export function planLimited(s: BudgetState, r: LimitReport, policy: Policy): Write | undefined {
  // Started before the last pause, or timed by a container that had not seen it yet: that episode's.
  if (r.startedAt <= s.pausedAt || r.epoch < s.epoch) return undefined;
  const pausedUntil = r.now + Math.min(r.retryAfterMs, policy.maxPauseMs);
  const limited = Number.isFinite(budgetRate(s, policy, r.now));
  const due = limited ? ticketAt(s, policy, r.now) : s.line;
  const paused: BudgetState = {
    ...s,
    epoch: s.epoch + 1,
    pausedUntil,
    pausedAt: r.now,
    curveAt: pausedUntil + policy.probeMs,
    // With no backlog, the line resumes just past its last ticket.
    curveTicket: Math.max(Math.min(Math.max(due, s.line), due + 1), s.curveTicket) + 1,
    limitedAt: r.rateLimited ? r.now : s.limitedAt,
  };
  const probe = r.ticket !== undefined && r.ticket < s.curveTicket && s.pausedAt > 0;
  if (probe) return { kind: 'replace', expectEpoch: s.epoch, state: paused, repause: true };
  if (!r.rateLimited || policy.setRate !== undefined) return { kind: 'replace', expectEpoch: s.epoch, state: paused };
  const offered = {
    leased: recentRate(s.recent, r.now),
    due: limited ? due - ticketAt(s, policy, r.now - 1000) : Infinity,
    backlog: limited && s.line > due + 1,
    accepted:
      (r.acceptedLastSecond ?? 0) * Math.max(1, Object.values(s.holders).filter((until) => until > r.now).length),
    sinceStart: s.learned ? undefined : (due - ticketAt(s, policy, s.startedAt)) / ((r.now - s.startedAt) / 1000 + 1),
  };
  const base = loweredRate(rateInputs(s, policy), r.now, offered);
  const state = { ...paused, learned: { base, from: paused.curveAt } };
  return { kind: 'replace', expectEpoch: s.epoch, state, lowered: true };
}
