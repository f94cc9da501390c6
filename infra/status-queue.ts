import { Duration, Stack } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import {
  DeduplicationScope,
  FifoThroughputLimit,
  Queue,
  QueueEncryption,
  RedrivePermission,
} from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { callerStatements } from './callers.ts';
import { customerManagedKey } from './keys.ts';
import { visibilityTimeoutSeconds, type Settings } from './settings.ts';

/** SQS keeps a message at most 14 days: the DLQ keeps it that long for someone to look at it. */
const DEAD_LETTER_RETENTION = Duration.days(14);

/** The queue, its dead-letter queue, their encryption and who may send to them. */
export class StatusQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly key?: Key;

  constructor(scope: Construct, id: string, settings: Settings) {
    super(scope, id);
    const fifo = settings.queueType === 'fifo';
    if (settings.queueEncryption === 'kms') {
      this.key = customerManagedKey(this, 'Key', 'Encrypts the thulium-outbound-status queues');
    }
    const common = {
      fifo: fifo || undefined,
      encryption: this.key ? QueueEncryption.KMS : QueueEncryption.SQS_MANAGED,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      // High-throughput FIFO: order and deduplication per message group (one phone number) is all the function needs.
      ...(fifo && {
        deduplicationScope: DeduplicationScope.MESSAGE_GROUP,
        fifoThroughputLimit: FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
      }),
    };
    // Named, so the DLQ can admit the queue by ARN without a reference cycle.
    const suffix = fifo ? '.fifo' : '';
    const queueName = `${Stack.of(this).stackName}-updates${suffix}`;
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      ...common,
      queueName: `${Stack.of(this).stackName}-updates-dlq${suffix}`,
      retentionPeriod: DEAD_LETTER_RETENTION,
      redriveAllowPolicy: {
        redrivePermission: RedrivePermission.BY_QUEUE,
        sourceQueues: [
          Queue.fromQueueArn(this, 'Source', Stack.of(this).formatArn({ service: 'sqs', resource: queueName })),
        ],
      },
    });
    this.queue = new Queue(this, 'Queue', {
      ...common,
      queueName,
      retentionPeriod: Duration.days(settings.queueRetentionDays),
      visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds(settings)),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: settings.maxReceiveCount },
    });
    this.admitCallers(settings);
    this.admitSources(settings);
  }

  /** The function's side: the event source (receive, delete, change visibility) and sending to the DLQ only. */
  connect(fn: IFunction & IGrantable, settings: Settings): void {
    fn.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: settings.batchSize,
        maxBatchingWindow:
          settings.queueType === 'standard' && settings.batchWindowSeconds > 0
            ? Duration.seconds(settings.batchWindowSeconds)
            : undefined,
        reportBatchItemFailures: true,
        maxConcurrency: settings.maxConcurrency,
      }),
    );
    fn.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
    );
    this.key?.grant(fn, 'kms:GenerateDataKey', 'kms:Decrypt');
  }

  /** Other accounts and organisations may send; with KMS, they may use the key through SQS only. */
  private admitCallers(settings: Settings): void {
    for (const statement of callerStatements(settings, ['sqs:SendMessage'], [this.queue.queueArn])) {
      this.queue.addToResourcePolicy(statement);
      if (this.key) {
        const keyUse = statement.copy({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: ['*'] });
        keyUse.addCondition('StringEquals', { 'kms:ViaService': `sqs.${Stack.of(this).region}.amazonaws.com` });
        this.key.addToResourcePolicy(keyUse);
      }
    }
  }

  /**
   * SNS topics subscribed and EventBridge rules admitted, each by aws:SourceArn on the queue and the key
   * (SqsSubscription's key condition needs cdk.json's restrictSqsDescryption flag). No kms:ViaService:
   * AWS documents service principals' key statements with aws:SourceArn alone. Topics are imported under
   * their ARN, so reordering the list replaces no subscription.
   */
  private admitSources(settings: Settings): void {
    for (const arn of new Set(settings.sourceTopicArns)) {
      Topic.fromTopicArn(this, arn, arn).addSubscription(
        new SqsSubscription(this.queue, { rawMessageDelivery: false }),
      );
    }
    const rules = [...new Set(settings.sourceEventRuleArns)];
    if (rules.length === 0) return;
    const fromRules = {
      principals: [new ServicePrincipal('events.amazonaws.com')],
      conditions: { ArnEquals: { 'aws:SourceArn': rules } },
    };
    this.queue.addToResourcePolicy(
      new PolicyStatement({ ...fromRules, actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }),
    );
    this.key?.addToResourcePolicy(
      new PolicyStatement({ ...fromRules, actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: ['*'] }),
    );
  }
}
