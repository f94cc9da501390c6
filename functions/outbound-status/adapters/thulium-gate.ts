import { ThuliumUnavailableError } from '../core/errors.ts';
import { MIN_ATTEMPT_MS } from '../shared/deadline.ts';

/**
 * One per container, in front of every call to Thulium, so the container learns the tenant's limit
 * once instead of each call learning it alone:
 * - a 429 (or a 503 with Retry-After) pauses every call until Retry-After has passed; then one call
 *   goes alone, as a probe, and the others follow once it is accepted;
 * - the pace (calls started a second) is unbounded until Thulium first limits us; then it drops to
 *   90 % of what Thulium accepted in the last second, grows with time (1 % a second at first,
 *   faster the longer no 429 comes), and drops again by 10 % at the next 429: once per episode,
 *   however many calls in flight, or probes, meet it;
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
  /** The refusal `enter` would answer at once now, if any: a caller can stop before its other work. */
  refusalNow(deadline: number, onPause?: 'wait' | 'refuse'): ThuliumUnavailableError | undefined;
  /** What the gate is doing now, for logs and tests. */
  readonly state: GateState;
}

/**
 * What a call told of Thulium's limit: `accepted`, any answer within it (a refusal too); an object,
 * a 429 (`rateLimited`: the pace is lowered too) or a 503 with Retry-After (a pause only), with the
 * pause in ms; `unknown`, no answer or a failure that says nothing of it.
 */
export type GateSignal = 'accepted' | 'unknown' | { limitedMs: number; rateLimited: boolean };

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
/** Growth of the pace per second, right after a decrease: 1 %. */
const INCREASE = 0.01;
const MIN_CALLS_PER_SECOND = 0.2;
const MAX_PAUSE_MS = 60_000;
/** The growth doubles this long after a decrease, and keeps rising with the square of the time. */
const ACCELERATION_MS = 5_000;
/** A pace beyond this is no pace: the container calls as fast as its calls in flight allow. */
const FORGET_CALLS_PER_SECOND = 1_000;
/** Thulium's acceptances over this long are what a 429 measures the pace against. */
const MEASURE_MS = 1_000;
/** At most this many acceptances are counted in that second. */
const MEASURED_CALLS = 256;

interface Waiter {
  deadline: number;
  since: number;
  resolve: (pass: GatePass) => void;
  reject: (error: Error) => void;
}

export function createThuliumGate({ maxInFlight, onLimited, now = Date.now }: GateOptions): ThuliumGate {
  let inFlight = 0;
  let inFlightLimit = 1;
  let pausedUntil = 0;
  const waiters: Waiter[] = [];
  /** Start times of the last calls Thulium accepted (a ring): what the first 429 measures the pace by. */
  const accepted = new Float64Array(MEASURED_CALLS).fill(-Infinity);
  let acceptedCount = 0;
  let nextStartAt = 0;
  /** The pace set by the last decrease, and when it took effect (the end of that pause). */
  let base = Infinity;
  let baseFrom = 0;
  let lastDecreaseAt = -Infinity;
  /** Until a call is accepted again, 429s (a refused probe too) belong to the episode that lowered the pace. */
  let acceptedSinceDecrease = true;
  let probe: 'due' | 'in-flight' | undefined;
  let timer: NodeJS.Timeout | undefined;

  /**
   * Grows from `base` by 1 % a second at first and faster the longer no 429 comes (the rate rises
   * with the square of the time): slow near the pace that met the limit, so 429s stay rare; a
   * container whose neighbours went idle finds their room in seconds; a limit not met again for
   * half a minute is forgotten.
   */
  function pace(at: number): number {
    if (!Number.isFinite(base)) return Infinity;
    const t = Math.max(0, at - baseFrom) / 1000;
    const current = base * Math.exp(INCREASE * (t + t ** 3 / (3 * (ACCELERATION_MS / 1000) ** 2)));
    if (current > FORGET_CALLS_PER_SECOND) base = Infinity;
    return Number.isFinite(base) ? current : Infinity;
  }

  function refusal(startAt: number, at: number, paused = false) {
    const seconds = Math.max(1, Math.ceil((startAt - at) / 1000));
    const why = paused
      ? 'Thulium asked us to pause our calls'
      : 'Thulium is limiting our calls; this update could not start within its deadline';
    return new ThuliumUnavailableError(`${why} (next turn in ${seconds} s)`, {
      retryAfterSeconds: seconds,
      rateLimited: true,
    });
  }

  /** Starts a call; `isProbe` when it is the probe, which goes alone. */
  function begin(at: number, since: number): { pass: GatePass; isProbe: boolean } {
    inFlight++;
    if (probe === 'due') probe = 'in-flight';
    const isProbe = probe === 'in-flight';
    const current = pace(at);
    if (Number.isFinite(current)) nextStartAt = Math.max(at, nextStartAt) + 1000 / current;
    let finished = false;
    const pass: GatePass = {
      waitedMs: at - since,
      done(signal) {
        if (finished) return;
        finished = true;
        inFlight--;
        if (isProbe) probe = undefined;
        if (signal === 'accepted') acceptedCall(at);
        // A probe that says nothing leaves the next call to probe again.
        else if (signal === 'unknown') probe = isProbe ? 'due' : probe;
        else limitedCall(at, signal.limitedMs, signal.rateLimited);
        if (waiters.length > 0) pump();
      },
    };
    return { pass, isProbe };
  }

  function acceptedCall(startedAt: number): void {
    accepted[acceptedCount++ % MEASURED_CALLS] = startedAt;
    // A call that left before the last decrease says nothing of the pace after it.
    if (startedAt <= lastDecreaseAt) return;
    acceptedSinceDecrease = true;
    inFlightLimit = Math.min(maxInFlight, inFlightLimit + 1);
  }

  function limitedCall(startedAt: number, retryAfterMs: number, slowDown: boolean): void {
    const at = now();
    // Beyond a minute, a probe asks again: a proxy's Retry-After of an hour must not idle the container that long.
    pausedUntil = Math.max(pausedUntil, at + Math.min(retryAfterMs, MAX_PAUSE_MS));
    // A probe in flight decides for itself; only a free gate needs a new one.
    if (probe !== 'in-flight') probe = 'due';
    // Calls started before the last decrease, or a probe refused before any call got through again,
    // met the same episode: they lower nothing again.
    if (!slowDown || startedAt <= lastDecreaseAt || !acceptedSinceDecrease) return;
    lastDecreaseAt = at;
    acceptedSinceDecrease = false;
    const current = pace(at);
    if (Number.isFinite(current)) {
      base = Math.max(MIN_CALLS_PER_SECOND, DECREASE * current);
    } else {
      // The first limit: a share of what Thulium accepted in the last second; with nothing accepted, the pause and probe alone.
      const acceptedRate = accepted.filter((t) => t >= at - MEASURE_MS).length * (1000 / MEASURE_MS);
      if (acceptedRate > 0) base = DECREASE * acceptedRate;
    }
    baseFrom = pausedUntil;
    inFlightLimit = Math.max(1, Math.floor(inFlightLimit * DECREASE));
    const told = stateAt(at);
    queueMicrotask(() => onLimited?.(told, retryAfterMs));
  }

  const stateAt = (at: number): GateState => ({
    callsPerSecond: pace(at),
    inFlightLimit,
    inFlight,
    waiting: waiters.length,
    pausedUntil,
  });

  /** When the next call could start, given the pause and the pace. */
  const nextTurn = (at: number) => Math.max(at, pausedUntil, nextStartAt);

  const mayStart = (at: number) => inFlight < inFlightLimit && probe !== 'in-flight' && nextTurn(at) <= at;

  function pump(): void {
    clearTimeout(timer);
    timer = undefined;
    const at = now();
    // Whoever can no longer start in time is told now, with the wait it would have had.
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i].deadline - MIN_ATTEMPT_MS < Math.max(at, pausedUntil)) {
        const [late] = waiters.splice(i, 1);
        late.reject(refusal(nextTurn(at), at));
      }
    }
    for (let waiter = waiters[0]; waiter !== undefined && mayStart(at); waiter = waiters[0]) {
      waiters.shift();
      const { pass, isProbe } = begin(at, waiter.since);
      waiter.resolve(pass);
      if (isProbe) break;
    }
    if (waiters.length === 0) return;
    // Held by calls in flight, the gate moves when one is done; a deadline may come first.
    const held = inFlight >= inFlightLimit || probe === 'in-flight';
    const wake = Math.min(held ? Infinity : nextTurn(at), ...waiters.map((w) => w.deadline - MIN_ATTEMPT_MS + 1));
    timer = setTimeout(pump, Math.max(1, wake - at));
  }

  /** Too close to its deadline, told to refuse during a pause, or a turn that would come too late. */
  function refusalAt(at: number, deadline: number, onPause: 'wait' | 'refuse'): ThuliumUnavailableError | undefined {
    if (deadline - MIN_ATTEMPT_MS < at) return refusal(at, at);
    if (at < pausedUntil && (onPause === 'refuse' || pausedUntil + MIN_ATTEMPT_MS > deadline)) {
      return refusal(pausedUntil, at, onPause === 'refuse');
    }
    if (waiters.length === 0 && mayStart(at)) return undefined;
    const current = pace(at);
    const turn = nextTurn(at) + (Number.isFinite(current) ? (waiters.length * 1000) / current : 0);
    return turn + MIN_ATTEMPT_MS > deadline ? refusal(turn, at) : undefined;
  }

  return {
    get state() {
      return stateAt(now());
    },
    refusalNow(deadline, onPause = 'wait') {
      return refusalAt(now(), deadline, onPause);
    },
    enter(deadline, onPause = 'wait') {
      const at = now();
      const refused = refusalAt(at, deadline, onPause);
      if (refused) return Promise.reject(refused);
      // Nobody waiting and room to start: the warm path, without a queue or a timer.
      if (waiters.length === 0 && mayStart(at)) return Promise.resolve(begin(at, at).pass);
      return new Promise<GatePass>((resolve, reject) => {
        waiters.push({ deadline, since: at, resolve, reject });
        pump();
      });
    },
  };
}
