import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  ComparisonOperator,
  type Dashboard,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC, SERVICE_NAME } from '../functions/outbound-status/faces/metric-names.ts';
import { alarmTopic } from './alarm-topic.ts';
import { operationsDashboard } from './dashboard.ts';
import type { Settings } from './settings.ts';

export interface OperationsProps {
  settings: Settings;
  function: IFunction;
  /** By stage, of an API named after the stack: ApiName alone would add up every API of that name in the region. */
  apiStage: Stage;
  queue: IQueue;
  deadLetterQueue: IQueue;
}

const MINUTE = Duration.minutes(1);
const FIVE_MINUTES = Duration.minutes(5);

/**
 * A metric the function publishes (Powertools EMF): the namespace is POWERTOOLS_METRICS_NAMESPACE, the
 * stack's name, and the one default dimension `service`. Sums over five minutes.
 */
const functionMetrics = (namespace: string) => (metricName: string) =>
  new Metric({
    namespace,
    metricName,
    dimensionsMap: { service: SERVICE_NAME },
    statistic: 'Sum',
    period: FIVE_MINUTES,
  });

/** The alarms docs/runbook.md explains, an optional topic for them, and one dashboard. */
export class Operations extends Construct {
  readonly alarms: Alarm[];
  readonly topic?: ITopic;
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const { settings, queue, deadLetterQueue } = props;
    const fn = props.function;
    const functionMetric = functionMetrics(Stack.of(this).stackName);
    const api = props.apiStage;
    const apiErrorRate = new MathExpression({
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: {
        errors: api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }),
        requests: api.metricCount({ period: FIVE_MINUTES, statistic: 'Sum' }),
      },
      label: 'API 5xx (%)',
      period: FIVE_MINUTES,
    });

    this.alarms = [
      this.alarm(
        'DeadLetterQueueNotEmpty',
        'Updates are in the dead-letter queue: each carries its reason (see the runbook)',
        {
          metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: MINUTE, statistic: 'Maximum' }),
          threshold: 1,
        },
      ),
      this.alarm(
        'QueueOldestMessageAge',
        `An update has waited over ${settings.oldestMessageAlarmSeconds} s on the queue without being picked up: a backlog`,
        {
          metric: queue.metricApproximateAgeOfOldestMessage({ period: MINUTE, statistic: 'Maximum' }),
          threshold: settings.oldestMessageAlarmSeconds,
          evaluationPeriods: 5,
        },
      ),
      this.alarm(
        'FunctionErrors',
        'Invocations failed as a whole (configuration, timeout, crash); queue batches are retried',
        {
          metric: fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
          threshold: 1,
        },
      ),
      this.alarm(
        'FunctionThrottles',
        'Invocations were throttled: the account or function concurrency limit was reached',
        {
          metric: fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
          threshold: 1,
        },
      ),
      this.alarm(
        'ApiServerErrors',
        'Over 5% of API calls answered 5xx in 5 minutes: Thulium, the secret or the configuration',
        {
          metric: apiErrorRate,
          threshold: 5,
        },
      ),
      this.alarm(
        'ApiLatency',
        `API p99 latency over ${settings.apiLatencyAlarmMs} ms for 15 minutes: Thulium is slow or retrying`,
        {
          metric: api.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' }),
          threshold: settings.apiLatencyAlarmMs,
          evaluationPeriods: 3,
        },
      ),
    ];
    if (settings.orderingGuard) {
      this.alarms.push(
        this.alarm(
          'OrderingStoreFailures',
          'The function could not reach its ordering table: no update is applied while it fails (queue messages are retried, HTTP callers get 503)',
          {
            metric: functionMetric(METRIC.orderingStoreFailures),
            threshold: 1,
          },
        ),
      );
    }
    if (settings.thuliumBudget === 'shared') {
      this.alarms.push(
        this.alarm(
          'ThuliumBudgetFallbacks',
          "Containers could not reach the shared Thulium budget in the deployment's DynamoDB table and fell back to budgets of their own, in 2 of the last 3 five-minute periods: together they may exceed Thulium's limit, so expect more 429s (ThuliumRateLimited). Check the table and DynamoDB: throttling, errors, a deleted table, the function's permissions",
          {
            metric: functionMetric(METRIC.thuliumBudgetFallbacks),
            threshold: 1,
            // A store that keeps failing, not one slow call.
            evaluationPeriods: 3,
            datapointsToAlarm: 2,
          },
        ),
      );
    }
    if (settings.outcomeEventBus !== 'none') {
      this.alarms.push(
        this.alarm(
          'OutcomeEventsFailed',
          "Outcome events could not be published to the event bus, after the invocation's retries: the updates' outcomes stand, only their events are missing. The WARN line 'outcome events not published' carries their correlation ids (see the runbook)",
          {
            // Each count is an event its sender will never get: one is worth a look.
            metric: functionMetric(METRIC.outcomeEventsFailed),
            threshold: 1,
          },
        ),
      );
    }

    this.topic = alarmTopic(this, settings);
    if (!this.topic) {
      Validations.of(this).acknowledge({
        id: 'cdk-validator-cfnguard::cloudwatch_alarm_action_check',
        reason:
          'alarmTopic=none was set on purpose: the alarms feed the dashboard and whatever the account already watches (an EventBridge rule on alarm state changes, an incident tool).',
      });
    } else {
      const action = new SnsAction(this.topic);
      for (const alarm of this.alarms) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }
    this.dashboard = operationsDashboard(this, { ...props, alarms: this.alarms, apiErrorRate, functionMetric });
  }

  private alarm(
    id: string,
    description: string,
    options: { metric: IMetric; threshold: number; evaluationPeriods?: number; datapointsToAlarm?: number },
  ): Alarm {
    return new Alarm(this, id, {
      alarmName: `${Stack.of(this).stackName}-${id}`,
      alarmDescription: description,
      metric: options.metric,
      threshold: options.threshold,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      datapointsToAlarm: options.datapointsToAlarm,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No traffic is not a fault; a queue holding messages always reports its metrics.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
