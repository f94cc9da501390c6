import { Duration, Stack } from 'aws-cdk-lib';
import {
  type Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type GraphWidgetProps,
  MathExpression,
  type Metric,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { METRIC } from '../functions/outbound-status/faces/metric-names.ts';
import type { OperationsProps } from './alarms.ts';

export interface DashboardProps extends OperationsProps {
  alarms: Alarm[];
  apiErrorRate: MathExpression;
  /** A metric the function publishes, summed over five minutes. */
  functionMetric: (metricName: string) => Metric;
}

/** The dashboard grid is 24 columns wide: each row's graphs share it evenly, whichever of them the settings add. */
const row = (graphs: GraphWidgetProps[]) =>
  graphs.map((graph) => new GraphWidget({ ...graph, width: 24 / graphs.length }));

/**
 * One dashboard: the alarms, then the function's own metrics, the API and function, the queues and,
 * while events are on, the outcome events.
 */
export function operationsDashboard(scope: Construct, props: DashboardProps): Dashboard {
  const { settings, queue, deadLetterQueue, functionMetric, apiErrorRate } = props;
  const api = props.apiStage;
  const fn = props.function;
  const dashboard = new Dashboard(scope, 'Dashboard', { dashboardName: Stack.of(scope).stackName });
  dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: props.alarms, width: 24 }));
  dashboard.addWidgets(
    ...row([
      {
        title: 'Outcomes',
        left: [METRIC.updated, METRIC.errorAnswers, METRIC.retriesScheduled, METRIC.deadLettered].map(functionMetric),
      },
      {
        title: 'Thulium attempts and rate-limit episodes; unexpected errors',
        left: [functionMetric(METRIC.thuliumAttempts)],
        // A handful of episodes beside thousands of attempts: on the axis of the rare counts.
        right: [functionMetric(METRIC.thuliumRateLimited), functionMetric(METRIC.unexpectedErrors)],
      },
      thuliumBudget(props),
      ...(settings.orderingGuard
        ? [
            {
              title: 'Ordering guard: superseded updates and store failures',
              left: [functionMetric(METRIC.superseded)],
              right: [functionMetric(METRIC.orderingStoreFailures)],
            },
          ]
        : []),
    ]),
  );
  dashboard.addWidgets(
    ...row([
      {
        title: 'API requests',
        left: [
          api.metricCount({ statistic: 'Sum' }),
          api.metricClientError({ statistic: 'Sum' }),
          api.metricServerError({ statistic: 'Sum' }),
        ],
        right: [apiErrorRate],
      },
      {
        title: 'API latency',
        left: ['p50', 'p99'].map((statistic) => api.metricLatency({ statistic, label: `latency ${statistic}` })),
      },
      {
        title: 'Function',
        left: [fn.metricInvocations(), fn.metricErrors(), fn.metricThrottles()],
        right: [fn.metricDuration({ statistic: 'p99' })],
      },
    ]),
  );
  dashboard.addWidgets(
    ...row([
      {
        title: 'Queue',
        left: [queue.metricApproximateNumberOfMessagesVisible(), queue.metricApproximateNumberOfMessagesNotVisible()],
        right: [queue.metricApproximateAgeOfOldestMessage()],
      },
      { title: 'Dead-letter queue', left: [deadLetterQueue.metricApproximateNumberOfMessagesVisible()] },
      ...(settings.outcomeEventBus !== 'none'
        ? [
            {
              title: 'Outcome events: published and failed',
              left: [functionMetric(METRIC.outcomeEventsPublished)],
              // A few failures beside thousands published: on an axis of their own.
              right: [functionMetric(METRIC.outcomeEventsFailed)],
            },
          ]
        : []),
    ]),
  );
  return dashboard;
}

/**
 * The rate the budget allowed, at its highest and lowest per period (they part while containers see
 * different rates, e.g. one still learning), beside what moved it: rate-limit episodes, pauses and,
 * with a shared budget, containers that fell back to budgets of their own.
 */
function thuliumBudget({ settings, functionMetric }: DashboardProps): GraphWidgetProps {
  const rate = functionMetric(METRIC.thuliumBudgetRate);
  // Seconds, not ms: a pause of 30 000 ms would flatten the counts that share the right axis.
  const longestPause = new MathExpression({
    expression: 'pause / 1000',
    usingMetrics: { pause: functionMetric(METRIC.thuliumPauseMs).with({ statistic: 'Maximum' }) },
    label: 'longest pause (s)',
    period: Duration.minutes(5),
  });
  return {
    title: 'Thulium budget',
    left: [
      rate.with({ statistic: 'Maximum', label: 'rate, highest' }),
      rate.with({ statistic: 'Minimum', label: 'rate, lowest' }),
    ],
    leftYAxis: { label: 'calls/s', showUnits: false, min: 0 },
    right: [
      functionMetric(METRIC.thuliumRateLimited).with({ label: 'rate-limit episodes' }),
      ...(settings.thuliumBudget === 'shared'
        ? [functionMetric(METRIC.thuliumBudgetFallbacks).with({ label: 'fallbacks to own budgets' })]
        : []),
      longestPause,
    ],
    rightYAxis: { min: 0, showUnits: false },
  };
}
