/**
 * One per container, in front of every call to Thulium: calls wait here for a ticket of the budget
 * (keeper.ts), start at its time when the container has a connection free, and tell how Thulium
 * answered. A container asks the budget for all its waiting calls at once.
 */
import { ThuliumUnavailableError } from '../../core/errors.ts';
import type { Urgency } from '../../core/ports.ts';
import { MIN_ATTEMPT_MS } from '../../shared/deadline.ts';
import type { Keeper } from './keeper.ts';
import { budgetRate, ticketTime } from './state.ts';

/** What a call told of Thulium's limit: accepted (any answer within it), limited (with the pause, ms), or nothing. */
export type GateSignal = 'accepted' | 'unknown' | { limitedMs: number; rateLimited: boolean };

/** Tickets are checked against the budget before use once the view is older than this (or ten calls' worth). */
export const VIEW_MS = 1_000;
/** A ticket unused this long after its time is dropped: using it late would bunch calls together. */
const LATE_MS = 1_000;

export interface GateTurn {
  readonly waitedMs: number;
  done(signal: GateSignal): void;
  /** Not used after all (the update was superseded, or its claim failed): the ticket goes to the next call. */
  release(): void;
}

interface Waiter {
  urgency: Urgency;
  deadline: number;
  since: number;
  resolve: (turn: GateTurn) => void;
  reject: (error: Error) => void;
}

/** A ticket of the store it came from (none for a lease without a limit), and the budget's epoch it was started in. */
interface Slot {
  ticket?: number;
  store: unknown;
  epoch: number;
}

export function refusal(waitMs: number, paused: boolean): ThuliumUnavailableError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  const why = paused
    ? 'Thulium asked us to pause our calls'
    : 'Thulium is limiting our calls; this update could not start within its deadline';
  return new ThuliumUnavailableError(`${why} (next turn in ${seconds} s)`, {
    retryAfterSeconds: seconds,
    rateLimited: true,
    awaitingTurn: true,
  });
}

export function createGate(keeper: Keeper, options: { maxInFlight: number; now: () => number }) {
  const { maxInFlight, now } = options;
  const waiters: Waiter[] = [];
  let tickets: number[] = [];
  let ticketStore: unknown;
  let unlimited: { until: number; store: unknown } | undefined;
  let inFlight = 0;
  /** Store calls under way: the gate plans nothing new until they are done. */
  let busy = 0;
  let timer: NodeJS.Timeout | undefined;
  let wakeAt = Infinity;
  /** Set the moment a call is limited, before the budget has it: no call of this container starts meanwhile. */
  let pausedUntil = 0;
  /** The budget asked for another try shortly: no lease before this. */
  let holdUntil = 0;

  const timeOf = (ticket: number) => {
    const { state } = keeper.view;
    return state ? ticketTime(state, keeper.policy, ticket) : Infinity;
  };
  const pauseEnd = () => Math.max(pausedUntil, keeper.view.state?.pausedUntil ?? 0);
  const unlimitedNow = (at: number) => unlimited && at < unlimited.until && unlimited.store === keeper.view.store;

  /** A view is fresh for a second, or for ten calls at the budget's rate if that is longer. */
  function stale(at: number): boolean {
    const { view } = keeper;
    if (!view.store.shared || !view.state) return false;
    const rate = budgetRate(view.state, keeper.policy, at);
    return at - view.at > Math.max(VIEW_MS, Number.isFinite(rate) ? 10_000 / rate : 0);
  }

  /** A slot this call may use now; undefined when none is due. */
  function slotNow(at: number): Slot | undefined {
    if (ticketStore !== keeper.view.store) tickets = [];
    tickets = tickets.filter((t) => timeOf(t) > at - LATE_MS);
    if (at < pauseEnd()) return undefined;
    const epoch = keeper.view.state?.epoch ?? 0;
    if (unlimitedNow(at)) return { store: keeper.view.store, epoch };
    if (tickets.length === 0 || timeOf(tickets[0]) > at) return undefined;
    return { ticket: tickets.shift(), store: ticketStore, epoch };
  }

  function begin(waiter: Waiter, slot: Slot, at: number): void {
    inFlight++;
    let finished = false;
    const finish = () => {
      if (finished) return false;
      finished = true;
      inFlight--;
      return true;
    };
    waiter.resolve({
      waitedMs: at - waiter.since,
      release() {
        if (!finish()) return;
        if (slot.ticket !== undefined && slot.store === ticketStore) tickets.unshift(slot.ticket);
        pump();
      },
      done(signal) {
        if (!finish()) return;
        if (typeof signal !== 'object') return pump();
        pausedUntil = Math.max(pausedUntil, now() + Math.min(signal.limitedMs, keeper.policy.maxPauseMs));
        const report = {
          startedAt: at,
          epoch: slot.epoch,
          ticket: slot.ticket,
          retryAfterMs: signal.limitedMs,
          ...signal,
        };
        work(() =>
          keeper.limited(report).finally(() => {
            // The budget now knows: its pause, not this container's, holds the calls.
            pausedUntil = 0;
          }),
        );
      },
    });
  }

  /** Waiters whose ticket (tickets are handed out in order) comes after their latest start: told now, with the wait. */
  function refuseBehindTurn(at: number): void {
    let i = 0;
    for (const waiter of [...waiters]) {
      const ticket = tickets[i++];
      if (ticket === undefined) return;
      const time = timeOf(ticket);
      if (time > waiter.deadline - MIN_ATTEMPT_MS) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.reject(refusal(time - at, false));
      }
    }
  }

  const nextWaiter = () => waiters.find((w) => w.urgency === 'interactive') ?? waiters[0];

  function pump(): void {
    const at = now();
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i].deadline - MIN_ATTEMPT_MS < at) waiters.splice(i, 1)[0].reject(refusal(0, false));
    }
    if (busy > 0 || waiters.length === 0) return;
    // Back on the shared budget as soon as it answers: this container's own tickets are dropped with its store.
    if (keeper.retryDue) {
      work(keeper.retryShared);
      return;
    }
    // Checked only when about to be used: a ticket due now, or a lease without a limit.
    const using = unlimitedNow(at) || (tickets.length > 0 && timeOf(tickets[0]) <= at);
    if (using && stale(at)) {
      work(() => keeper.refresh());
      return;
    }
    for (let waiter = nextWaiter(); waiter && inFlight < maxInFlight; waiter = nextWaiter()) {
      const slot = slotNow(at);
      if (!slot) break;
      waiters.splice(waiters.indexOf(waiter), 1);
      begin(waiter, slot, at);
    }
    refuseBehindTurn(at);
    if (waiters.length === 0) return;
    const needed = waiters.length > tickets.length && !unlimitedNow(at);
    if (needed && at >= holdUntil && at >= pausedUntil) {
      work(lease);
      return;
    }
    const later = (t: number) => (t > at ? t : Infinity);
    const due = tickets.length > 0 ? timeOf(tickets[0]) : Infinity;
    const free = inFlight < maxInFlight;
    const next = free ? Math.min(later(due), later(pauseEnd()), needed ? later(holdUntil) : Infinity) : Infinity;
    // A waiter whose latest start passes is told then, not at the next ticket.
    const latest = Math.min(...waiters.map((w) => w.deadline - MIN_ATTEMPT_MS + 1));
    wake(Math.min(next, later(latest)));
  }

  function work(task: () => Promise<void>): void {
    busy++;
    void task().finally(() => {
      busy--;
      pump();
    });
  }

  function wake(at: number): void {
    if (!Number.isFinite(at) || (timer && wakeAt <= at)) return;
    clearTimeout(timer);
    wakeAt = at;
    timer = setTimeout(
      () => {
        timer = undefined;
        wakeAt = Infinity;
        pump();
      },
      Math.max(1, at - now()),
    );
  }

  async function lease(): Promise<void> {
    const person = waiters.find((w) => w.urgency === 'interactive');
    const first = person ?? waiters[0];
    const want = person ? 1 : waiters.length - tickets.length;
    const outcome = await keeper.lease({ urgency: first.urgency, want, latestStart: first.deadline - MIN_ATTEMPT_MS });
    if (outcome.type === 'retry') {
      holdUntil = now() + 10 + Math.random() * 40;
    } else if (outcome.type === 'grant') {
      const { grant } = outcome;
      if (ticketStore !== keeper.view.store) tickets = [];
      ticketStore = keeper.view.store;
      if (grant.unlimitedUntil !== undefined) unlimited = { until: grant.unlimitedUntil, store: keeper.view.store };
      tickets.push(...grant.tickets);
      tickets.sort((a, b) => a - b);
    } else {
      const error = refusal(outcome.retryAfterMs, outcome.paused);
      for (let i = waiters.length - 1; i >= 0; i--) {
        const w = waiters[i];
        if (w.urgency === first.urgency && (person ? w === person : w.deadline <= first.deadline)) {
          waiters.splice(i, 1);
          w.reject(error);
        }
      }
    }
  }

  return {
    enter(deadline: number, urgency: Urgency): Promise<GateTurn> {
      const at = now();
      if (deadline - MIN_ATTEMPT_MS < at) return Promise.reject(refusal(0, false));
      return new Promise<GateTurn>((resolve, reject) => {
        waiters.push({ urgency, deadline, since: at, resolve, reject });
        pump();
      });
    },
  };
}
