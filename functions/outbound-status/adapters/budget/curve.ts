/**
 * The budget's line of calls: tickets numbered along the rate's curve, so a ticket's time follows
 * the rate as it changes. The curve passes `ticket` at `at` (epoch ms), is flat before it, and
 * climbs at the rate after it (capped at the rate where no limit holds any more).
 */
import { FORGET_CALLS_PER_SECOND, type Piece, pieces, type RateInputs } from './rate.ts';

export interface CurveRef {
  at: number;
  ticket: number;
}

const CAP = FORGET_CALLS_PER_SECOND;

/** The shape from `from` on, split where it reaches the cap, which holds after. */
function segments(inputs: RateInputs, from: number): Piece[] {
  const shape = pieces(inputs);
  const out: Piece[] = [];
  for (const [i, p] of shape.entries()) {
    const end = shape[i + 1]?.start ?? Infinity;
    if (end <= from) continue;
    const start = Math.max(p.start, from);
    const rate = p.k === 0 ? p.rate : p.rate * Math.exp((p.k * (start - p.start)) / 1000);
    if (rate >= CAP) {
      out.push({ start, rate: CAP, k: 0 });
      continue;
    }
    const capAt = p.k > 0 ? start + (1000 * Math.log(CAP / rate)) / p.k : Infinity;
    out.push({ start, rate, k: p.k });
    if (capAt < end) out.push({ start: capAt, rate: CAP, k: 0 });
  }
  // Past the cap the rate stays there, whatever later pieces say.
  const capped = out.findIndex((p) => p.rate === CAP && p.k === 0);
  return capped < 0 ? out : out.slice(0, capped + 1);
}

/** Calls the piece allows from its start to `t` (ms). */
const area = (p: Piece, t: number) => {
  const s = (t - p.start) / 1000;
  return p.k === 0 ? p.rate * s : (p.rate / p.k) * Math.expm1(p.k * s);
};

/** The ticket due at `t`. */
export function positionAt(inputs: RateInputs, ref: CurveRef, t: number): number {
  if (t <= ref.at) return ref.ticket;
  const parts = segments(inputs, ref.at);
  let ticket = ref.ticket;
  parts.forEach((p, i) => {
    const end = Math.min(parts[i + 1]?.start ?? Infinity, t);
    if (end > p.start) ticket += area(p, end);
  });
  return ticket;
}

/** When `ticket` is due: `ref.at` for any ticket up to the reference's, else along the curve. */
export function timeOf(inputs: RateInputs, ref: CurveRef, ticket: number): number {
  let left = ticket - ref.ticket;
  if (left <= 0) return ref.at;
  const parts = segments(inputs, ref.at);
  for (const [i, p] of parts.entries()) {
    const end = parts[i + 1]?.start ?? Infinity;
    const whole = Number.isFinite(end) ? area(p, end) : Infinity;
    if (left <= whole) {
      const seconds = p.k === 0 ? left / p.rate : Math.log1p((left * p.k) / p.rate) / p.k;
      return p.start + seconds * 1000;
    }
    left -= whole;
  }
  return Infinity;
}
