import { ThuliumUnavailableError } from '../core/errors.ts';
import { MIN_ATTEMPT_MS } from '../shared/deadline.ts';

/**
 * One per container, in front of every call to Thulium, so the container learns the tenant's limit
 * once instead of each call learning it alone:
 * - a 429 (or a 503 with Retry-After) pauses every call until Retry-After has passed; then one call
 *   goes alone, as a probe, and the others follow once it is accepted;
 * - the pace (calls started a second) is unbounded until Thulium first limits us; then it drops to
 *   90 % of what Thulium accepted in the last second, grows while calls wait for it (1 % a second
 *   at first, faster the longer no 429 comes), and drops again by 10 % at the next 429: once per
 *   episode, however many calls in flight, or probes, meet it;
 * - calls in flight start at one and grow by one per call accepted, up to `maxInFlight`
 *   (QUEUE_CONCURRENCY and THULIUM_CONNECTIONS), so a cold container's first burst is small;
 * - a call that cannot start before its deadline is refused at once, with the wait as Retry-After.
 */
export interface ThuliumGate {
  /**
   * Resolves when the call may start. Rejects with a rate-limited {@link ThuliumUnavailableError}
   * when it could not start before `deadline` (epoch ms), or, with `onPause: 'refuse'`, at once
   * while the container is paused.
   */
  enter(deadline: number, onPause?: 'wait' | 'refuse'): Promise<GatePass>;
  readonly state: GateState;
}

/**
 * What a call told of Thulium's limit: `accepted`, any answer within it (a refusal too); `limited`,
 * a 429 or a 503 with Retry-After (ms); `unknown`, no answer or a failure that says nothing of it.
 */
export type GateSignal = 'accepted' | 'unknown' | { limitedMs: number };

export interface GatePass {
  /** How long the call waited at the gate (ms). */
  readonly waitedMs: number;
  done(signal: GateSignal): void;
}

export interface GateState {
  /** Calls a second; Infinity until Thulium first limits us. */
  callsPerSecond: number;
  inFlightLimit: number;
  inFlight: number;
  waiting: number;
  pausedUntil: number;
}

export interface GateOptions {
  maxInFlight: number;
  /** Told when a 429 lowers the pace: once per episode, not once per refused call. */
  onLimited?: (state: GateState, retryAfterMs: number) => void;
  now?: () => number;
}

/** The pace after a 429, as a share of what Thulium accepted in the last second. */
const DECREASE = 0.9;
/** Growth of the pace while calls wait for it, per second, right after a decrease: 1 %. */
const INCREASE = 0.01;
const MIN_CALLS_PER_SECOND = 0.2;
/** The growth doubles this long after a decrease, and keeps rising with the square of the time. */
const ACCELERATION_MS = 5_000;
/** Thulium's acceptances over this long are what a 429 measures the pace against. */
const MEASURE_MS = 1_000;

interface Waiter {
  deadline: number;
  since: number;
  resolve: (pass: GatePass) => void;
  reject: (error: Error) => void;
}

export function createThuliumGate({ maxInFlight, onLimited, now = Date.now }: GateOptions): ThuliumGate {
  const state: GateState = { callsPerSecond: Infinity, inFlightLimit: 1, inFlight: 0, waiting: 0, pausedUntil: 0 };
  const waiters: Waiter[] = [];
  /** Start times of calls Thulium accepted, within MEASURE_MS. */
  const accepted: number[] = [];
  let nextStartAt = 0;
  let lastDecreaseAt = -Infinity;
  /** Since the last decrease: until a call is accepted again, 429s (a failed probe too) belong to the same episode. */
  let acceptedSinceDecrease = true;
  let grownAt = 0;
  let probe: 'due' | 'in-flight' | undefined;
  let timer: NodeJS.Timeout | undefined;

  const interval = () => 1000 / state.callsPerSecond;
  // Slow near the pace that met the last 429, faster the longer Thulium has accepted everything:
  // a container whose neighbours went idle finds the room they left in seconds, not minutes.
  const growthPerSecond = (at: number) => INCREASE * (1 + ((at - lastDecreaseAt) / ACCELERATION_MS) ** 2);

  function refusal(startAt: number, at: number) {
    const seconds = Math.max(1, Math.ceil((startAt - at) / 1000));
    return new ThuliumUnavailableError(`Thulium is limiting our calls; this update could not start within its deadline (next turn in ${seconds} s)`, {
      retryAfterSeconds: seconds,
      rateLimited: true,
    });
  }

  /** Starts the waiter's call; true when it is the probe, which goes alone. */
  function start(waiter: Waiter, at: number): boolean {
    state.inFlight++;
    if (probe === 'due') probe = 'in-flight';
    const isProbe = probe === 'in-flight';
    const startedAt = at;
    if (Number.isFinite(state.callsPerSecond)) nextStartAt = Math.max(at, nextStartAt) + interval();
    let finished = false;
    waiter.resolve({
      waitedMs: at - waiter.since,
      done(signal) {
        if (finished) return;
        finished = true;
        state.inFlight--;
        if (isProbe) probe = undefined;
        if (signal === 'accepted') acceptedCall(startedAt);
        // A probe that says nothing leaves the next call to probe again.
        else if (signal === 'unknown') probe = isProbe ? 'due' : probe;
        else limitedCall(startedAt, signal.limitedMs);
        pump();
      },
    });
    return isProbe;
  }

  function acceptedCall(startedAt: number): void {
    const at = now();
    accepted.push(startedAt);
    acceptedSinceDecrease = true;
    while (accepted.length > 0 && accepted[0] < at - MEASURE_MS) accepted.shift();
    state.inFlightLimit = Math.min(maxInFlight, state.inFlightLimit + 1);
    // Only a pace that holds calls back is raised: an idle container must not build up a burst.
    if (Number.isFinite(state.callsPerSecond) && waiters.length > 0) state.callsPerSecond *= 1 + (growthPerSecond(at) * Math.min(1_000, at - grownAt)) / 1000;
    grownAt = at;
  }

  function limitedCall(startedAt: number, retryAfterMs: number): void {
    const at = now();
    const resumedAt = state.pausedUntil;
    state.pausedUntil = Math.max(state.pausedUntil, at + retryAfterMs);
    probe = 'due';
    // Calls started before the last decrease, or a probe refused before any call got through again,
    // met the same episode: they lower nothing again.
    if (startedAt <= lastDecreaseAt || !acceptedSinceDecrease) return;
    lastDecreaseAt = at;
    acceptedSinceDecrease = false;
    while (accepted.length > 0 && accepted[0] < at - MEASURE_MS) accepted.shift();
    const acceptedRate = accepted.length * (1000 / MEASURE_MS);
    if (!Number.isFinite(state.callsPerSecond)) {
      // The first limit: a share of what Thulium accepted; with nothing accepted yet, the pause and probe alone.
      if (acceptedRate > 0) state.callsPerSecond = DECREASE * acceptedRate;
    } else {
      // What Thulium accepted is a measure only over a second without a pause in it.
      const base = at - resumedAt >= MEASURE_MS && acceptedRate > 0 ? Math.min(state.callsPerSecond, acceptedRate) : state.callsPerSecond;
      state.callsPerSecond = Math.max(MIN_CALLS_PER_SECOND, DECREASE * base);
    }
    state.inFlightLimit = Math.max(1, Math.floor(state.inFlightLimit * DECREASE));
    grownAt = state.pausedUntil;
    onLimited?.({ ...state }, retryAfterMs);
  }

  /** When the next call could start, given the pause and the pace. */
  const nextTurn = (at: number) => Math.max(at, state.pausedUntil, nextStartAt);

  function pump(): void {
    clearTimeout(timer);
    timer = undefined;
    const at = now();
    // Whoever can no longer start in time is told now, with the wait it would have had.
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i].deadline - MIN_ATTEMPT_MS < Math.max(at, state.pausedUntil)) {
        const [late] = waiters.splice(i, 1);
        late.reject(refusal(nextTurn(at), at));
      }
    }
    while (waiters.length > 0 && state.inFlight < state.inFlightLimit && probe !== 'in-flight' && nextTurn(at) <= at) {
      if (start(waiters.shift()!, at)) break;
    }
    state.waiting = waiters.length;
    if (waiters.length === 0) return;
    // Held by calls in flight, the gate moves when one is done; a deadline may come first.
    const held = state.inFlight >= state.inFlightLimit || probe === 'in-flight';
    const wake = Math.min(held ? Infinity : nextTurn(at), ...waiters.map((w) => w.deadline - MIN_ATTEMPT_MS + 1));
    timer = setTimeout(pump, Math.max(1, wake - at));
  }

  return {
    state,
    enter(deadline, onPause = 'wait') {
      const at = now();
      if (at < state.pausedUntil && (onPause === 'refuse' || state.pausedUntil + MIN_ATTEMPT_MS > deadline)) {
        return Promise.reject(refusal(state.pausedUntil, at));
      }
      const turn = nextTurn(at) + (Number.isFinite(state.callsPerSecond) ? waiters.length * interval() : 0);
      if (turn + MIN_ATTEMPT_MS > deadline) return Promise.reject(refusal(turn, at));
      return new Promise<GatePass>((resolve, reject) => {
        waiters.push({ deadline, since: at, resolve, reject });
        pump();
      });
    },
  };
}
