/** Helpers for the tests of the Thulium budget's gate: a deployment's item in memory, and callers that record their turns. */
import type { GateTurn } from '../../functions/outbound-status/adapters/budget/gate.ts';
import { type BudgetStore, memoryStore } from '../../functions/outbound-status/adapters/budget/memory-store.ts';
import type { BudgetState, Policy, Write } from '../../functions/outbound-status/adapters/budget/state.ts';
import type { ThuliumUnavailableError } from '../../functions/outbound-status/core/errors.ts';
import type { ThuliumBudget, Urgency } from '../../functions/outbound-status/core/ports.ts';

/**
 * The policy the rules' tests are written against, whatever DEFAULT_POLICY is tuned to: a burst of one
 * second's worth, a fifth of it kept for HTTP callers, the probe alone for 200 ms, a minute's pause at most.
 */
export const POLICY: Policy = {
  toleranceMs: 1_000,
  reserveMs: 200,
  probeMs: 200,
  unlimitedLeaseMs: 1_000,
  maxPauseMs: 60_000,
};

/**
 * The deployment's item kept in memory, shared as DynamoDB's is (a view older than a second is read
 * again); `broken` makes every call fail, as an unreachable table would.
 */
export function deployment(initial?: BudgetState) {
  const item = memoryStore(initial);
  const store = {
    shared: true,
    broken: false,
    reads: 0,
    writes: 0,
    get state() {
      return item.state;
    },
    async read() {
      store.reads++;
      if (store.broken) throw new Error('budget table unreachable (fake)');
      return item.read();
    },
    async write(write: Write) {
      store.writes++;
      if (store.broken) throw new Error('budget table unreachable (fake)');
      return item.write(write);
    },
  };
  return store satisfies BudgetStore;
}

/** Callers of one container's budget: `started` in the order their turns came, `refused` as they were told. */
export function callers(budget: ThuliumBudget<GateTurn>) {
  const started: { id: number; at: number; turn: GateTurn }[] = [];
  const refused: { id: number; at: number; error: ThuliumUnavailableError }[] = [];
  let ids = 0;
  return {
    started,
    refused,
    /** `done` 'accepted' at once when `accept`: a call Thulium answered. */
    reserve(urgency: Urgency = 'background', deadline = Date.now() + 30_000, accept = false) {
      const id = ++ids;
      budget.reserve(deadline, urgency).then(
        (turn) => {
          started.push({ id, at: Date.now(), turn });
          if (accept) turn.done('accepted');
        },
        (error: ThuliumUnavailableError) => refused.push({ id, at: Date.now(), error }),
      );
      return id;
    },
    /** When each turn came, in ms from `t0`. */
    times: (t0: number) => started.map((s) => s.at - t0),
  };
}
