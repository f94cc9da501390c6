import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC, SERVICE_NAME } from '../functions/outbound-status/faces/metric-names.ts';
import { customerManagedKey } from './keys.ts';
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

    this.topic = this.alarmTopic(settings);
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
    this.dashboard = this.createDashboard(props, apiErrorRate, functionMetric);
  }

  private alarm(
    id: string,
    description: string,
    options: { metric: IMetric; threshold: number; evaluationPeriods?: number },
  ): Alarm {
    return new Alarm(this, id, {
      alarmName: `${Stack.of(this).stackName}-${id}`,
      alarmDescription: description,
      metric: options.metric,
      threshold: options.threshold,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No traffic is not a fault; a queue holding messages always reports its metrics.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }

  private alarmTopic(settings: Settings): ITopic | undefined {
    if (settings.alarmTopic === 'none') return undefined;
    if (settings.alarmTopic !== 'create') return Topic.fromTopicArn(this, 'AlarmTopic', settings.alarmTopic);
    const stack = Stack.of(this);
    // The topic's policy (TLS only) replaces SNS's default one: CloudWatch needs its own allow, for this stack's alarms only.
    const fromOurAlarms = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: {
        'aws:SourceArn': stack.formatArn({
          service: 'cloudwatch',
          resource: 'alarm',
          resourceName: `${stack.stackName}-*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    };
    const cloudWatch = new ServicePrincipal('cloudwatch.amazonaws.com');
    const key = customerManagedKey(this, 'AlarmTopicKey', 'Encrypts the thulium-outbound-status alarm topic');
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [cloudWatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromOurAlarms,
      }),
    );
    const topic = new Topic(this, 'AlarmTopic', {
      masterKey: key,
      enforceSSL: true,
      displayName: `${stack.stackName} alarms`,
    });
    topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: fromOurAlarms,
      }),
    );
    if (settings.alarmEmail) topic.addSubscription(new EmailSubscription(settings.alarmEmail));
    return topic;
  }

  private createDashboard(
    props: OperationsProps,
    apiErrorRate: MathExpression,
    functionMetric: (metricName: string) => Metric,
  ): Dashboard {
    const { settings, queue, deadLetterQueue } = props;
    const api = props.apiStage;
    const fn = props.function;
    const stackName = Stack.of(this).stackName;
    const dashboard = new Dashboard(this, 'Dashboard', { dashboardName: stackName });
    dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }));
    const width = settings.orderingGuard ? 8 : 12;
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Outcomes',
        left: [METRIC.updated, METRIC.errorAnswers, METRIC.retriesScheduled, METRIC.deadLettered].map(functionMetric),
        width,
      }),
      new GraphWidget({
        title: 'Thulium attempts and rate-limit episodes; unexpected errors',
        left: [functionMetric(METRIC.thuliumAttempts)],
        // A handful of episodes beside thousands of attempts: on the axis of the rare counts.
        right: [functionMetric(METRIC.thuliumRateLimited), functionMetric(METRIC.unexpectedErrors)],
        width,
      }),
      ...(settings.orderingGuard
        ? [
            new GraphWidget({
              title: 'Ordering guard: superseded updates and store failures',
              left: [functionMetric(METRIC.superseded)],
              right: [functionMetric(METRIC.orderingStoreFailures)],
              width,
            }),
          ]
        : []),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'API requests',
        left: [
          api.metricCount({ statistic: 'Sum' }),
          api.metricClientError({ statistic: 'Sum' }),
          api.metricServerError({ statistic: 'Sum' }),
        ],
        right: [apiErrorRate],
        width: 8,
      }),
      new GraphWidget({
        title: 'API latency',
        left: ['p50', 'p99'].map((statistic) => api.metricLatency({ statistic, label: `latency ${statistic}` })),
        width: 8,
      }),
      new GraphWidget({
        title: 'Function',
        left: [fn.metricInvocations(), fn.metricErrors(), fn.metricThrottles()],
        right: [fn.metricDuration({ statistic: 'p99' })],
        width: 8,
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Queue',
        left: [queue.metricApproximateNumberOfMessagesVisible(), queue.metricApproximateNumberOfMessagesNotVisible()],
        right: [queue.metricApproximateAgeOfOldestMessage()],
        width: 12,
      }),
      new GraphWidget({
        title: 'Dead-letter queue',
        left: [deadLetterQueue.metricApproximateNumberOfMessagesVisible()],
        width: 12,
      }),
    );
    return dashboard;
  }
}
