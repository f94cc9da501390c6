import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { BudgetSnapshot } from '../adapters/budget/thulium-budget.ts';
import type { KeeperEvents } from '../adapters/budget/keeper.ts';
import { logger, metrics } from './observability.ts';
import { METRIC } from './metric-names.ts';

const round = (n: number) => (Number.isFinite(n) ? Number(n.toFixed(2)) : null);
const iso = (ms: number) => (ms > 0 ? new Date(ms).toISOString() : undefined);

/** What the budget tells ops: one WARN line and count per episode, one per fallback. */
export const budgetEvents: Required<KeeperEvents> = {
  onEpisode({ state, rate, pauseMs, rateLimited, repause, shared, rateSet, holders }) {
    const who = shared ? 'every container pauses' : 'this container (on a budget of its own) pauses';
    const message = rateLimited
      ? `Thulium is limiting our calls; ${who}, then goes on at the rate below`
      : `Thulium asked for a pause (503 with Retry-After); ${who}`;
    logger.warn(message, {
      pause_ms: Math.round(pauseMs),
      calls_per_second: round(rate),
      rate_set: rateSet,
      paused_until: iso(state.pausedUntil),
      last_429_at: iso(state.limitedAt),
      containers: holders,
      ...(repause && { probe_refused: true }),
    });
    if (rateLimited && !repause) metrics.addMetric(METRIC.thuliumRateLimited, MetricUnit.Count, 1);
    metrics.addMetric(METRIC.thuliumPauseMs, MetricUnit.Milliseconds, Math.round(pauseMs));
  },
  onFallback({ error, rate, holders }) {
    logger.warn('the shared Thulium budget is out of reach; this container keeps a budget of its own for now', {
      error: { name: (error as Error)?.name, message: (error as Error)?.message },
      calls_per_second: round(rate),
      containers: holders,
    });
    metrics.addMetric(METRIC.thuliumBudgetFallbacks, MetricUnit.Count, 1);
  },
};

/** The rate this container last saw, once per invocation: the dashboard's line of the learned or set rate. */
export function recordBudgetRate(snapshot: BudgetSnapshot): void {
  if (Number.isFinite(snapshot.callsPerSecond))
    metrics.addMetric(METRIC.thuliumBudgetRate, MetricUnit.CountPerSecond, round(snapshot.callsPerSecond) ?? 0);
}
