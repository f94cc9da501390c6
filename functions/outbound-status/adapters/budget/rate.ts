/**
 * The budget's rate over time, as pure functions of what the budget's item holds: every container
 * computes the same rate from the same item, so the rate itself is never written between episodes.
 * Each shape is a few pieces of exponentials, so the calls it allows up to a time (curve.ts) have a
 * closed form both ways.
 */

/** A deployment that has met no limit yet starts here, and doubles every DOUBLING_MS. */
export const START_CALLS_PER_SECOND = 5;
export const DOUBLING_MS = 500;
/** After a 429: this share of the learned rate that met it. */
export const DECREASE = 0.9;
/** The first limit met: this share of the rate handed out in the last second (TCP's halving). */
const HALVING = 0.5;
/** The first limit met by what containers asked for, less than the rate allowed: this share of that. */
const FIRST_DECREASE = 0.95;
export const MIN_CALLS_PER_SECOND = 0.2;
/** A rate beyond this is no limit: calls go as fast as the connections allow. */
export const FORGET_CALLS_PER_SECOND = 1_000;
/**
 * Growth of a learned rate, a second: 1 % for fifteen seconds (x1.16), 7 % for the next ten (x2.3
 * in all), then 26 %: slow near the rate that met the limit, so 429s stay rare; room others left
 * is found in seconds; a limit not met again for about forty seconds is forgotten.
 */
const GROWTH = [
  { afterMs: 0, perSecond: 0.01 },
  { afterMs: 15_000, perSecond: 0.07 },
  { afterMs: 25_000, perSecond: 0.26 },
];

/** What the deployment learned: `base` calls a second from `from` on (epoch ms). */
export interface Learned {
  base: number;
  from: number;
}

export interface RateInputs {
  /** THULIUM_CALLS_PER_SECOND: the tenant's limit, when ops know it. */
  setRate?: number;
  learned?: Learned;
  /** When the budget began: the slow start's origin. */
  startedAt: number;
}

/** rate(t) = rate · e^(k·(t − start)/1000) from `start` (epoch ms) to the next piece's start. */
export interface Piece {
  start: number;
  rate: number;
  k: number;
}

/** The rate's shape: pieces in time order, the first flat from the beginning of time. */
export function pieces({ setRate, learned, startedAt }: RateInputs): Piece[] {
  if (setRate !== undefined) return [{ start: -Infinity, rate: setRate, k: 0 }];
  if (!learned) {
    const k = Math.LN2 / (DOUBLING_MS / 1000);
    return [
      { start: -Infinity, rate: START_CALLS_PER_SECOND, k: 0 },
      { start: startedAt, rate: START_CALLS_PER_SECOND, k },
    ];
  }
  const shape: Piece[] = [{ start: -Infinity, rate: learned.base, k: 0 }];
  let rate = learned.base;
  GROWTH.forEach(({ afterMs, perSecond }, i) => {
    if (i > 0) rate *= Math.exp(GROWTH[i - 1].perSecond * ((afterMs - GROWTH[i - 1].afterMs) / 1000));
    shape.push({ start: learned.from + afterMs, rate, k: perSecond });
  });
  return shape;
}

/** The piece in force at `t`, and the rate it gives there (before the cap). */
export function rawRate(shape: Piece[], t: number): number {
  let piece = shape[0];
  for (const p of shape) if (p.start <= t) piece = p;
  return piece.k === 0 ? piece.rate : piece.rate * Math.exp((piece.k * (t - piece.start)) / 1000);
}

/** Calls a second allowed at `now`; Infinity when no limit holds (set, learned, or a slow start). */
export function rateAt(inputs: RateInputs, now: number): number {
  const rate = rawRate(pieces(inputs), now);
  return rate > FORGET_CALLS_PER_SECOND ? Infinity : rate;
}

/** What the budget offered Thulium over the last second, in calls a second. */
export interface Offered {
  /** Calls leased (what containers asked for). */
  leased: number;
  /** Tickets that came due (what the rate allowed). */
  due: number;
  /** Tickets were waiting beyond those due: the rate, not the demand, set the pace. */
  backlog: boolean;
  /**
   * In a slow start with tickets waiting all along, what came due since it began over that time
   * and one second more: the tenant's rate, had its burst (taken as a second's worth) been full.
   */
  sinceStart?: number;
  /** What Thulium accepted in the last second, as the container that met the 429 saw it, times the containers leasing. */
  accepted?: number;
}

/**
 * The rate after a 429 at `now`: 90 % of the learned rate that met it. Otherwise (a slow start, or a
 * limit forgotten) that rate was not what the tenant saw. With tickets waiting, the rate met the
 * limit while still doubling, with the tenant's burst spent too: half of what came due (TCP's
 * halving), or, in a slow start, the average since it began if higher. Without, containers met it
 * at about what they asked for, or what Thulium accepted if less: 95 % of that.
 */
export function loweredRate(inputs: RateInputs, now: number, offered: Offered): number {
  const current = rateAt(inputs, now);
  if (inputs.learned && Number.isFinite(current)) return Math.max(MIN_CALLS_PER_SECOND, DECREASE * current);
  const due = Math.min(offered.due, FORGET_CALLS_PER_SECOND);
  const estimate = offered.backlog
    ? Math.max(HALVING * due, offered.sinceStart ?? 0)
    : FIRST_DECREASE * Math.min(offered.leased, due, offered.accepted || Infinity);
  return Math.max(MIN_CALLS_PER_SECOND, estimate);
}

/** Calls a second handed out lately, from the calls counted by the second (epoch s) they were leased in. */
export function recentRate(bySecond: Record<string, number>, now: number): number {
  const second = Math.floor(now / 1000);
  const count = (bySecond[second] ?? 0) + (bySecond[second - 1] ?? 0);
  return count / ((now - (second - 1) * 1000) / 1000);
}
