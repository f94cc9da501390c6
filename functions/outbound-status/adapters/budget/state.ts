import { type CurveRef, positionAt, timeOf } from './curve.ts';
import { type Learned, type RateInputs, rateAt } from './rate.ts';

/** The budget's item: what every container of the deployment reads and writes (docs/rate-limit.md). */
export interface BudgetState {
  /** Bumped by every pause or change of rate: a lease is written only against the epoch it was planned on. */
  epoch: number;
  /** The queue's line: the next ticket it hands out. */
  line: number;
  /** The HTTP face's reserve: its next ticket, on the same curve. */
  httpLine: number;
  /** The curve's reference: it passes `curveTicket` at `curveAt` (curve.ts). */
  curveAt: number;
  curveTicket: number;
  pausedUntil: number;
  /** When the last pause began: a 429 of a call started before it belongs to that episode. */
  pausedAt: number;
  learned?: Learned;
  startedAt: number;
  /** The last 429 (0: none yet). */
  limitedAt: number;
  /** Calls handed out, by the second (epoch s) they were leased in: what the first 429 measures the rate by. */
  recent: Record<string, number>;
  /** Containers that leased lately, by id: until when each is counted. */
  holders: Record<string, number>;
}

export interface Policy {
  /** THULIUM_CALLS_PER_SECOND. */
  setRate?: number;
  /** The tenant's burst a quiet budget may spend at once: one second's worth. */
  toleranceMs: number;
  /** Of that, what the queue leaves for HTTP callers (a fifth of a second's worth). */
  reserveMs: number;
  /** After a pause, the first call goes alone: the next one this long after it. */
  probeMs: number;
  /** With no limit known, a lease lets a container call freely this long. */
  unlimitedLeaseMs: number;
  maxPauseMs: number;
}

export const DEFAULT_POLICY: Policy = {
  toleranceMs: 600,
  reserveMs: 200,
  probeMs: 200,
  unlimitedLeaseMs: 1_000,
  maxPauseMs: 60_000,
};

/** A container is counted among the budget's holders this long after its last lease. */
export const HOLDER_MS = 10_000;

export type Urgency = 'interactive' | 'background';

/** A counter moved from where it is (`add`, within bounds) or, when it lags, from a floor (`set`, below it). */
export type CursorMove =
  | { field: 'line' | 'httpLine'; mode: 'add'; by: number; min: number; max?: number }
  | { field: 'line' | 'httpLine'; mode: 'set'; to: number; below: number };

export type Write =
  | { kind: 'create'; state: BudgetState }
  /**
   * Pause and rate: the whole state but its counts, against its epoch; `lowered` when a 429 lowered
   * the rate, `repause` when the probe was refused (the same episode).
   */
  | { kind: 'replace'; expectEpoch: number; state: BudgetState; lowered?: boolean; repause?: boolean }
  /** The hot path: counters moved, calls counted, the holder noted; concurrent leases never conflict. */
  | {
      kind: 'lease';
      expectEpoch: number;
      moves: CursorMove[];
      calls: number;
      /** The second the calls are counted in. */
      second: number;
      holder: { id: string; until: number };
      prune: { holders: string[]; seconds: string[] };
    };

/** Calls a container may make: one at each ticket's time, or any number until `unlimitedUntil`. */
export interface Grant {
  tickets: number[];
  unlimitedUntil?: number;
}

export interface LeaseRequest {
  me: string;
  urgency: Urgency;
  want: number;
  /** The latest a call may start and still be of use (its deadline, less the least an attempt needs). */
  latestStart: number;
  now: number;
}

export type Plan =
  | { type: 'refuse'; retryAfterMs: number; paused: boolean }
  /** Written, the state is planned on again (`create`), or yields the grant. */
  | { type: 'write'; write: Write; grant?: (written: BudgetState) => Grant };

export const initialState = (now: number): BudgetState => ({
  epoch: 1,
  line: 0,
  httpLine: 0,
  curveAt: now,
  curveTicket: 0,
  pausedUntil: 0,
  pausedAt: 0,
  startedAt: now,
  limitedAt: 0,
  recent: {},
  holders: {},
});

export const rateInputs = (s: BudgetState, policy: Pick<Policy, 'setRate'>): RateInputs => ({
  setRate: policy.setRate,
  learned: s.learned,
  startedAt: s.startedAt,
});

const refOf = (s: BudgetState): CurveRef => ({ at: s.curveAt, ticket: s.curveTicket });

export const budgetRate = (s: BudgetState, policy: Pick<Policy, 'setRate'>, now: number) =>
  rateAt(rateInputs(s, policy), now);

/** The ticket due at `t`. */
export const ticketAt = (s: BudgetState, policy: Pick<Policy, 'setRate'>, t: number) =>
  positionAt(rateInputs(s, policy), refOf(s), t);

/**
 * When a ticket may be used: along the curve, never before the pause ends. Of the tickets before
 * the curve's reference (those due when the last pause began), the last one is the probe, at the
 * pause's end; older ones are spent (-Infinity): sent after the pause all at once, they would be a burst.
 */
export function ticketTime(s: BudgetState, policy: Pick<Policy, 'setRate'>, ticket: number): number {
  if (ticket < s.curveTicket - 1) return -Infinity;
  const due = ticket < s.curveTicket ? -Infinity : timeOf(rateInputs(s, policy), refOf(s), ticket);
  return Math.max(due, s.pausedUntil);
}

/** Containers that leased within HOLDER_MS, this one included. */
export function knownHolders(s: BudgetState, me: string, now: number): number {
  return Object.entries(s.holders).filter(([id, until]) => id !== me && until > now).length + 1;
}
