import { randomUUID } from 'node:crypto';
import type { ThuliumBudget } from '../../core/ports.ts';
import { createGate, type GateTurn } from './gate.ts';
import { createKeeper, type KeeperEvents } from './keeper.ts';
import type { BudgetStore } from './memory-store.ts';
import { type BudgetState, budgetRate, DEFAULT_POLICY } from './state.ts';

export interface BudgetOptions extends KeeperEvents {
  /** The deployment's budget; undefined: this container keeps its own (THULIUM_BUDGET=container). */
  shared?: BudgetStore;
  /** THULIUM_CALLS_PER_SECOND; undefined: learned from Thulium's 429s. */
  callsPerSecond?: number;
  /** Calls in flight at once in this container: its connections to Thulium. */
  maxInFlight: number;
  now?: () => number;
}

/** What the budget looks like from this container, for the invocation's metrics and the tests. */
export interface BudgetSnapshot {
  callsPerSecond: number;
  pausedUntil: number;
  limitedAt: number;
  shared: boolean;
  fallenBack: boolean;
  state: BudgetState | undefined;
}

/**
 * Thulium's calls, drawn from one budget for the whole deployment (docs/rate-limit.md): a container
 * leases slots for all its waiting calls with one conditional write, and learns a pause, a probe
 * or a new rate from whatever its next write meets.
 */
export function createThuliumBudget(options: BudgetOptions): ThuliumBudget<GateTurn> & {
  snapshot(): BudgetSnapshot;
} {
  const now = options.now ?? Date.now;
  const policy = { ...DEFAULT_POLICY, setRate: options.callsPerSecond };
  const keeper = createKeeper({ shared: options.shared, policy, me: randomUUID(), events: options, now });
  const gate = createGate(keeper, { maxInFlight: options.maxInFlight, now });
  return {
    reserve: (deadline, urgency) => gate.enter(deadline, urgency),
    snapshot() {
      const { state } = keeper.view;
      const at = now();
      return {
        callsPerSecond: state ? budgetRate(state, keeper.policy, at) : (keeper.policy.setRate ?? Infinity),
        pausedUntil: state?.pausedUntil ?? 0,
        limitedAt: state?.limitedAt ?? 0,
        shared: keeper.shared,
        fallenBack: keeper.fallenBack,
        state,
      };
    },
  };
}
