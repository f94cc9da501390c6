/**
 * A container's link to the budget: it plans each change with the pure rules, writes it to the store
 * (the deployment's item, or its own memory), plans again on the state a refused write met, and falls
 * back to a budget of its own while the shared store fails, trying it again every RETRY_SHARED_MS.
 */
import { type LimitReport, planLease, planLimited } from './plan.ts';
import { type BudgetStore, memoryStore, type WriteResult } from './memory-store.ts';
import {
  type BudgetState,
  budgetRate,
  type Grant,
  initialState,
  knownHolders,
  type LeaseRequest,
  type Plan,
  type Policy,
  type Write,
} from './state.ts';

/** A fallen-back container asks the shared store again this long after it last failed. */
export const RETRY_SHARED_MS = 2_000;
/** Writes refused by a concurrent change are planned again at most this many times in a row. */
const MAX_REPLANS = 4;

export interface View {
  state: BudgetState | undefined;
  /** When it was read or written. */
  at: number;
  store: BudgetStore;
}

export interface KeeperEvents {
  /** This container paused the deployment (and lowered its rate, for a 429): once per episode. */
  onEpisode?(info: {
    state: BudgetState;
    rate: number;
    pauseMs: number;
    rateLimited: boolean;
    /** The probe after a pause was refused: the same episode goes on. */
    repause: boolean;
    /** False while this container keeps a budget of its own: its pause holds only its own calls. */
    shared: boolean;
    /** The rate is THULIUM_CALLS_PER_SECOND: a 429 says it is too high for the tenant. */
    rateSet: boolean;
    holders: number;
  }): void;
  /** The shared store failed or was slow: this container now keeps a budget of its own. */
  onFallback?(info: { error: unknown; rate: number; holders: number }): void;
}

export type LeaseOutcome = Exclude<Plan, { type: 'write' }> | { type: 'grant'; grant: Grant } | { type: 'retry' };

export function createKeeper(options: {
  shared?: BudgetStore;
  policy: Policy;
  me: string;
  events: KeeperEvents;
  now: () => number;
}) {
  const { me, policy, events, now } = options;
  const sharedView: View | undefined = options.shared && { state: undefined, at: -Infinity, store: options.shared };
  let local: { view: View; policy: Policy } | undefined = options.shared ? undefined : ownBudget(options.now(), policy);
  let failedAt = -Infinity;

  const active = () => local ?? { view: sharedView as View, policy };

  /** Answers of overlapping calls land in any order: a view never goes back to an older epoch. */
  function see(view: View, state: BudgetState | undefined): void {
    if (view.state && state && state.epoch < view.state.epoch) return;
    view.state = state;
    view.at = now();
  }

  function fallBack(error: unknown): void {
    failedAt = now();
    if (local) return;
    const at = now();
    const seen = sharedView?.state;
    const rate = seen ? budgetRate(seen, policy, at) : (policy.setRate ?? Infinity);
    const holders = seen ? knownHolders(seen, me, at) : 1;
    const share = rate / holders;
    // The last known rate, shared among the containers last seen: a set rate stays set; a learned one goes on learning here.
    const own = { ...policy, setRate: policy.setRate === undefined ? undefined : share };
    const learned = policy.setRate === undefined && Number.isFinite(share) ? { base: share, from: at } : undefined;
    local = ownBudget(at, own, learned);
    events.onFallback?.({ error, rate: share, holders });
  }

  /**
   * A write on `view`'s store, and the state it made or met: the caller plans on that, not on the view,
   * which another call of this container may have moved on by the time it reads it. A failing shared
   * store switches to the container's own.
   */
  async function send(write: Write, view: View): Promise<WriteResult | undefined> {
    try {
      const result = await view.store.write(write);
      see(view, result.state);
      return result;
    } catch (error) {
      fallBack(error);
      return undefined;
    }
  }

  /** Back to the shared store once it answers again; until then, one try every RETRY_SHARED_MS. */
  async function retryShared(): Promise<void> {
    if (!local || !sharedView || now() - failedAt < RETRY_SHARED_MS) return;
    try {
      sharedView.state = await sharedView.store.read();
      sharedView.at = now();
      local = undefined;
    } catch {
      failedAt = now();
    }
  }

  return {
    get view(): View {
      return active().view;
    },
    get policy(): Policy {
      return active().policy;
    },
    get shared() {
      return !local;
    },
    get fallenBack() {
      return Boolean(local && sharedView);
    },
    /** Fallen back, and time to ask the shared store again. */
    get retryDue() {
      return Boolean(local && sharedView) && now() - failedAt >= RETRY_SHARED_MS;
    },
    retryShared,

    /** A lease for `request`: granted, refused, or to be asked again shortly (the store kept changing under it). */
    async lease(request: Omit<LeaseRequest, 'me' | 'now'>): Promise<LeaseOutcome> {
      await retryShared();
      for (let tries = 0; tries <= MAX_REPLANS; tries++) {
        const { view, policy: rules } = active();
        const plan = planLease(view.state, { ...request, me, now: now() }, rules);
        if (plan.type !== 'write') return plan;
        const result = await send(plan.write, view);
        if (result?.ok && plan.grant && result.state) return { type: 'grant', grant: plan.grant(result.state) };
        // Created, refused by a concurrent change, or fallen back: planned again on what the store holds now.
      }
      return { type: 'retry' };
    },

    /** A fresh view of the shared item, for tickets leased a while ago. */
    async refresh(): Promise<void> {
      const view = active().view;
      if (!view.store.shared) return;
      try {
        see(view, await view.store.read());
      } catch (error) {
        fallBack(error);
      }
    },

    /** Thulium limited a call: the episode's write, if it starts a new one. */
    async limited(report: Omit<LimitReport, 'now'>): Promise<void> {
      for (let tries = 0; tries <= MAX_REPLANS; tries++) {
        const { view, policy: rules } = active();
        if (!view.state) return;
        const write = planLimited(view.state, { ...report, now: now() }, rules);
        if (write?.kind !== 'replace') return;
        const result = await send(write, view);
        const state = result?.ok ? result.state : undefined;
        if (state) {
          const at = now();
          events.onEpisode?.({
            state,
            rate: budgetRate(state, rules, state.curveAt),
            pauseMs: state.pausedUntil - at,
            rateLimited: report.rateLimited,
            repause: Boolean(write.repause),
            shared: !local,
            rateSet: rules.setRate !== undefined,
            holders: knownHolders(state, me, at),
          });
          return;
        }
      }
    },
  };
}

export type Keeper = ReturnType<typeof createKeeper>;

/**
 * A container's budget of its own (THULIUM_BUDGET=container) starts with no limit: a slow start
 * paid by every cold container would slow each one's first calls, where the deployment's is paid once.
 */
function ownBudget(at: number, policy: Policy, learned?: BudgetState['learned']): { view: View; policy: Policy } {
  const state: BudgetState = { ...initialState(at), startedAt: at - 60_000, learned };
  return { view: { state, at, store: memoryStore(state) }, policy };
}
