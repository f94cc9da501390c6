import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  Function as LambdaFunction,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { BUDGET_ITEM_KEY, orderingTtlSeconds } from '../functions/outbound-status/adapters/ordering-table.ts';
import type { EnvironmentValues } from '../functions/outbound-status/environment.ts';
import { SERVICE_NAME } from '../functions/outbound-status/faces/metric-names.ts';
import { functionCode, HANDLER } from './function-code.ts';
import { encryptedLogGroup } from './log-groups.ts';
import type { OrderingStore } from './ordering-store.ts';
import type { Settings } from './settings.ts';

export interface StatusFunctionProps {
  settings: Settings;
  secret: ISecret;
  /** What the function calls the secret: its name when referenced by name, else its ARN. */
  secretId: string;
  deadLetterQueueUrl: string;
  logsKey: IKey;
  /** The deployment's table, for the ordering guard and the shared Thulium budget; the guard is on when it has its key. */
  ordering?: OrderingStore;
}

/** Only GetSecretValue (not DescribeSecret or the other reads grantRead adds), on this one secret. */
const readSecretValue = (secret: ISecret) =>
  new PolicyStatement({
    actions: ['secretsmanager:GetSecretValue'],
    resources: [secret.secretFullArn ?? `${secret.secretArn}-??????`],
  });

/** The Lambda function with its own role, log group and environment (docs/contract.md; its environment: docs/configuration.md). */
export class StatusFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: StatusFunctionProps) {
    super(scope, id);
    const { settings, ordering } = props;
    const stackName = Stack.of(this).stackName;

    this.logGroup = encryptedLogGroup(this, 'Logs', settings, props.logsKey);
    // A role of our own instead of AWSLambdaBasicExecutionRole: it may write to this log group only.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'thulium-outbound-status function: its log group, its secret, its queues',
    });
    this.logGroup.grantWrite(this.role);

    this.function = new LambdaFunction(this, 'Function', {
      description: 'Sets a Thulium outbound-campaign status by phone number (API Gateway and SQS)',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      code: functionCode(),
      handler: HANDLER,
      memorySize: settings.memorySizeMb,
      timeout: Duration.seconds(settings.timeoutSeconds),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel[settings.logLevel],
      // INFO keeps Lambda's REPORT lines (duration, memory, timeouts) for the 3 a.m. reader.
      systemLogLevelV2: SystemLogLevel.INFO,
      tracing: Tracing.ACTIVE,
      environment: functionEnvironment(props, stackName),
    });

    this.role.addToPrincipalPolicy(readSecretValue(props.secret));
    if (settings.secretKmsKeyArn) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [settings.secretKmsKeyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` } },
        }),
      );
    }
    if (ordering) {
      // The two calls the ordering store makes, on the table itself (it has no index): not grantReadWriteData's dozen.
      // GetItem only after a failed condition that returned no item (the item gone, or a store that returns none).
      // The shared budget makes the same two, on its own item.
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['dynamodb:UpdateItem', 'dynamodb:GetItem'],
          resources: [ordering.table.tableArn],
          // Without the guard the budget's item alone: hashes a guard of an earlier deploy left stay out of reach.
          conditions: ordering.key
            ? undefined
            : { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [BUDGET_ITEM_KEY] } },
        }),
      );
      // The table and the key use AWS-managed keys, whose policies admit the account's principals through the service: no kms statement.
      if (ordering.key) this.role.addToPrincipalPolicy(readSecretValue(ordering.key));
    }
    const outcomeBus = outcomeEventBusArn(this, settings.outcomeEventBus);
    // PutEvents takes resource-level permissions: the one bus the function publishes to, and no other.
    if (outcomeBus) {
      this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['events:PutEvents'], resources: [outcomeBus] }));
    }

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions, so X-Ray requires Resource "*". Every other statement names its resource.',
    });
    Validations.of(this.function).acknowledge({
      id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
      reason:
        'The function reaches only public, TLS-protected endpoints (the Thulium tenant, Secrets Manager, SQS, DynamoDB, EventBridge) and no private resource. A VPC would add NAT gateways and their cost without narrowing what the function can reach; IAM scopes its AWS access.',
    });
  }
}

/**
 * The bus outcome events go to, by ARN (`none`: no bus). The default bus is the one of the stack's own
 * account and region, in tokens, so the grant follows the stack wherever it is deployed.
 */
function outcomeEventBusArn(scope: Construct, bus: Settings['outcomeEventBus']): string | undefined {
  if (bus === 'none') return undefined;
  if (bus !== 'default') return bus;
  return Stack.of(scope).formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' });
}

/** The function's environment, named as its schema names it (functions/outbound-status/environment.ts). */
function functionEnvironment(props: StatusFunctionProps, stackName: string): Record<string, string> {
  const { settings, ordering } = props;
  const table: EnvironmentValues = ordering ? { ORDERING_TABLE_NAME: ordering.table.tableName } : {};
  const guard: EnvironmentValues = ordering?.key
    ? {
        ORDERING_GUARD: 'on',
        ...table,
        ORDERING_KEY_SECRET_ID: ordering.key.secretArn,
        ORDERING_TTL_SECONDS: String(orderingTtlSeconds(settings.queueRetentionDays)),
      }
    : { ORDERING_GUARD: 'off', ...table };
  const rate: EnvironmentValues =
    settings.thuliumCallsPerSecond === undefined
      ? {}
      : { THULIUM_CALLS_PER_SECOND: String(settings.thuliumCallsPerSecond) };
  return {
    THULIUM_BASE_URL: settings.thuliumBaseUrl,
    THULIUM_SECRET_ID: props.secretId,
    THULIUM_BUDGET: settings.thuliumBudget,
    ...rate,
    DEAD_LETTER_QUEUE_URL: props.deadLetterQueueUrl,
    QUEUE_MAX_RECEIVE_COUNT: String(settings.maxReceiveCount),
    QUEUE_CONCURRENCY: String(settings.recordConcurrency),
    PHONE_NORMALISATION: settings.phoneNormalisation,
    PHONE_COUNTRY_CODE: settings.phoneCountryCode,
    // `default` and `none` mean to the function what they mean here; an ARN is passed as it is.
    OUTCOME_EVENT_BUS: settings.outcomeEventBus,
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_METRICS_NAMESPACE: stackName,
    ...guard,
  } satisfies EnvironmentValues;
}
