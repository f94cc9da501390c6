/**
 * One per container, in front of every call to Thulium: calls wait here for a ticket of the budget
 * (keeper.ts), start at its time when the container has a connection free, and tell how Thulium
 * answered. A container asks the budget for all its waiting calls at once.
 */
import type { Urgency } from '../../core/ports.ts';
import { MIN_ATTEMPT_MS } from '../../shared/deadline.ts';
import type { Keeper } from './keeper.ts';
import { type GateTurn, refusal, type Slot, type Waiter } from './gate-turn.ts';
import { budgetRate, ticketTime } from './state.ts';
import { createWakeup } from '../../shared/wakeup.ts';

export type { GateSignal, GateTurn } from './gate-turn.ts';

/** Tickets are checked against the budget before use once the view is older than this (or ten calls' worth). */
const VIEW_MS = 1_000;
/** A ticket unused this long after its time is dropped: using it late would bunch calls together. */
const LATE_MS = 1_000;

export function createGate(keeper: Keeper, options: { maxInFlight: number; now: () => number }) {
  const { maxInFlight, now } = options;
  const waiters: Waiter[] = [];
  let tickets: number[] = [];
  let ticketStore: unknown;
  let unlimited: { until: number; store: unknown } | undefined;
  let inFlight = 0;
  /** Store calls under way: the gate plans nothing new until they are done. */
  let busy = 0;
  const wakeup = createWakeup(() => pump(), now);
  /** Set the moment a call is limited, before the budget has it: no call of this container starts meanwhile. */
  let pausedUntil = 0;
  /** The budget asked for another try shortly: no lease before this. */
  let holdUntil = 0;
  let retrying = false;
  /** Start times of the last calls Thulium accepted: what a first 429 measures the rate by, here. */
  let accepted: number[] = [];

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
        if (signal === 'accepted') accepted = [...accepted.slice(-255), at];
        if (typeof signal !== 'object') return pump();
        pausedUntil = Math.max(pausedUntil, now() + Math.min(signal.limitedMs, keeper.policy.maxPauseMs));
        const report = {
          startedAt: at,
          acceptedLastSecond: accepted.filter((t) => t > now() - 1000).length,
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
    refuseUnserved(at);
    if (waiters.length === 0) {
      wakeup.cancel();
      return;
    }
    // A waiter whose latest start passes is told then, whatever the gate is busy with.
    wakeup.at(Math.min(...waiters.map((w) => w.deadline - MIN_ATTEMPT_MS + 1)));
    // Back on the shared budget as soon as it answers, without holding calls meanwhile: this
    // container's own tickets are dropped with its store.
    if (keeper.retryDue && !retrying) {
      retrying = true;
      void keeper.retryShared().finally(() => {
        retrying = false;
        pump();
      });
    }
    if (busy > 0) return;
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
    if (waiters.length === 0) {
      wakeup.cancel();
      return;
    }
    const needed = waiters.length > tickets.length && !unlimitedNow(at);
    if (needed && at >= holdUntil && at >= pausedUntil) {
      work(lease);
      return;
    }
    const later = (t: number) => (t > at ? t : Infinity);
    const due = tickets.length > 0 ? timeOf(tickets[0]) : Infinity;
    if (inFlight < maxInFlight)
      wakeup.at(Math.min(later(due), later(pauseEnd()), needed ? later(holdUntil) : Infinity));
  }

  /**
   * Told now: waiters past their latest start; during a pause, a person at once and anyone the pause
   * outlasts, with the pause as the wait.
   */
  function refuseUnserved(at: number): void {
    const pause = pauseEnd();
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i];
      const latest = w.deadline - MIN_ATTEMPT_MS;
      if (latest < at) waiters.splice(i, 1)[0].reject(refusal(0, false));
      else if (pause > at && (w.urgency === 'interactive' || pause > latest))
        waiters.splice(i, 1)[0].reject(refusal(pause - at, true));
    }
  }

  function work(task: () => Promise<void>): void {
    busy++;
    void task()
      // The keeper handles the store's failures; anything else is a bug, and no waiter is left hanging on it.
      .catch((error: Error) => {
        for (const w of waiters.splice(0)) w.reject(error);
      })
      .finally(() => {
        busy--;
        pump();
      });
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
    } else if (person) {
      waiters.splice(waiters.indexOf(person), 1);
      person.reject(refusal(outcome.retryAfterMs, outcome.paused));
    } else {
      refuseBeyondTickets(first.deadline, outcome.retryAfterMs, outcome.paused);
    }
  }

  /**
   * Queued waiters the tickets held cannot serve (the first ones keep them): each told its own turn,
   * a ticket's spacing apart, so they do not all come back at once.
   */
  function refuseBeyondTickets(deadline: number, retryAfterMs: number, paused: boolean): void {
    const { state } = keeper.view;
    const rate = state ? budgetRate(state, keeper.policy, now()) : Infinity;
    const spacing = Number.isFinite(rate) ? 1000 / rate : 0;
    const unserved = waiters.filter((w) => w.urgency === 'background' && w.deadline <= deadline).slice(tickets.length);
    unserved.forEach((w, i) => {
      waiters.splice(waiters.indexOf(w), 1);
      w.reject(refusal(retryAfterMs + i * spacing, paused));
    });
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
