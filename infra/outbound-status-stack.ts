import { CfnOutput, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { Operations } from './alarms.ts';
import { logsKey } from './keys.ts';
import { OrderingStore } from './ordering-store.ts';
import { PLACEHOLDER_BASE_URL, type Settings } from './settings.ts';
import { STACK_OUTPUTS } from './stack-outputs.ts';
import { StatusApi } from './status-api.ts';
import { StatusFunction } from './status-function.ts';
import { StatusQueue } from './status-queue.ts';

export interface OutboundStatusStackProps extends StackProps {
  settings: Settings;
}

/** Everything one `cdk deploy` puts into an account: the function, its API, its queues, its ordering table, its alarms. */
export class OutboundStatusStack extends Stack {
  readonly statusFunction: StatusFunction;
  readonly queues: StatusQueue;
  /** With `orderingGuard` on or `thuliumBudget=shared` (both the default); its hash key with the guard only. */
  readonly ordering?: OrderingStore;
  readonly statusApi: StatusApi;
  readonly operations: Operations;

  constructor(scope: Construct, id: string, props: OutboundStatusStackProps) {
    super(scope, id, props);
    const { settings } = props;
    if (settings.thuliumBaseUrl === PLACEHOLDER_BASE_URL) {
      Validations.of(this).addWarning(
        'PlaceholderThuliumBaseUrl',
        `thuliumBaseUrl is still ${PLACEHOLDER_BASE_URL}: set your tenant's URL before deploying`,
      );
    }
    const { secret, secretId } = this.thuliumSecret(settings);
    const logsEncryption = logsKey(this, 'LogsKey');

    this.queues = new StatusQueue(this, 'Queues', settings);
    if (settings.orderingGuard || settings.thuliumBudget === 'shared') {
      this.ordering = new OrderingStore(this, 'Ordering', { hashKey: settings.orderingGuard });
    }
    this.statusFunction = new StatusFunction(this, 'StatusFunction', {
      settings,
      secret,
      secretId,
      deadLetterQueueUrl: this.queues.deadLetterQueue.queueUrl,
      logsKey: logsEncryption,
      ordering: this.ordering,
    });
    const fn = this.statusFunction.function;
    this.queues.connect(fn, settings);
    this.statusApi = new StatusApi(this, 'StatusApi', { settings, function: fn, logsKey: logsEncryption });
    this.operations = new Operations(this, 'Operations', {
      settings,
      function: fn,
      apiStage: this.statusApi.api.deploymentStage,
      queue: this.queues.queue,
      deadLetterQueue: this.queues.deadLetterQueue,
    });

    const output = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    output('ApiUrl', this.statusApi.url, 'POST status updates here, signed with SigV4 (service execute-api)');
    output('QueueUrl', this.queues.queue.queueUrl, 'Send status updates here');
    output('QueueArn', this.queues.queue.queueArn, "For the senders' IAM policies (sqs:SendMessage)");
    output(
      'DeadLetterQueueUrl',
      this.queues.deadLetterQueue.queueUrl,
      'Updates that could not be applied, with their reason',
    );
    output('DeadLetterQueueArn', this.queues.deadLetterQueue.queueArn, 'For aws sqs start-message-move-task (redrive)');
    output('FunctionName', fn.functionName, 'The function, for logs and metrics');
    output('SecretArn', secret.secretArn, 'Holds {"username", "password"} of the Thulium API user');
    output('DashboardName', this.operations.dashboard.dashboardName, 'CloudWatch dashboard');
    // Named by STACK_OUTPUTS: `npm run trace` finds them by these names.
    output(
      STACK_OUTPUTS.logGroup,
      this.statusFunction.logGroup.logGroupName,
      "The function's log group: one JSON line per outcome, searchable by number_key",
    );
    // The trace keys a number as the function does; a guessed normalisation finds nothing.
    output(STACK_OUTPUTS.phoneNormalisation, settings.phoneNormalisation, "The function's PHONE_NORMALISATION");
    output(STACK_OUTPUTS.phoneCountryCode, settings.phoneCountryCode, "The function's PHONE_COUNTRY_CODE");
    if (this.ordering) {
      output(
        STACK_OUTPUTS.orderingTable,
        this.ordering.table.tableName,
        "The ordering guard's and the Thulium budget's table: per number (by its keyed hash), the update applied",
      );
    }
    if (this.ordering?.key) {
      output(
        STACK_OUTPUTS.orderingKey,
        this.ordering.key.secretArn,
        "Keys the ordering table's phone-number hashes and the logs' number_key",
      );
    }
  }

  /** By name, by complete ARN, or created empty (with an unusable password) for an operator to fill in. */
  private thuliumSecret(settings: Settings): { secret: ISecret; secretId: string } {
    const isArn = settings.thuliumSecret.startsWith('arn:');
    if (settings.createSecret) {
      if (isArn) throw new Error('createSecret needs thuliumSecret to be a name, not an ARN');
      const secret = new Secret(this, 'ThuliumSecret', {
        secretName: settings.thuliumSecret,
        description: 'Thulium API user for thulium-outbound-status: {"username", "password"}',
        generateSecretString: { secretStringTemplate: JSON.stringify({ username: '' }), generateStringKey: 'password' },
        encryptionKey: settings.secretKmsKeyArn
          ? Key.fromKeyArn(this, 'ThuliumSecretKey', settings.secretKmsKeyArn)
          : undefined,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions::AwsSolutions-SMG4',
        reason:
          "The secret holds a Thulium API user's password, which only Thulium's administration panel can change; a rotation function has nothing to call. The README's runbook rotates it by hand without losing an update.",
      });
      return { secret, secretId: secret.secretArn };
    }
    const secret = isArn
      ? Secret.fromSecretCompleteArn(this, 'ThuliumSecret', settings.thuliumSecret)
      : Secret.fromSecretNameV2(this, 'ThuliumSecret', settings.thuliumSecret);
    return { secret, secretId: settings.thuliumSecret };
  }
}
