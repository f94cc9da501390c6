import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ORDERING_TABLE } from '../../functions/outbound-status/adapters/ordering-table.ts';
import { readConfig } from '../../functions/outbound-status/config.ts';
import { requestModelSchema } from '../../infra/request-model.ts';
import { STACK_OUTPUTS } from '../../infra/stack-outputs.ts';
import { synth, TENANT_URL } from './synth.ts';
import { functionRole, one, roleStatements, show } from './template.ts';

describe('the stack with its defaults', () => {
  let template: Template;
  beforeAll(() => {
    template = synth().template;
  }, 60_000);

  it('runs the function on Node.js 24, arm64, with explicit timeout, memory, tracing and JSON logs', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 30,
      MemorySize: 512,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: {
        LogFormat: 'JSON',
        ApplicationLogLevel: 'INFO',
        SystemLogLevel: 'INFO',
        LogGroup: { Ref: Match.anyValue() },
      },
    });
  });

  it('keeps logs a year, encrypted with a rotated customer-managed key', () => {
    template.allResourcesProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 365,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LogsKey'), 'Arn'] },
    });
    template.resourceCountIs('AWS::Logs::LogGroup', 3);
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: { 'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: Match.anyValue() }, '/v1']] },
    });
    template.allResourcesProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('gives the function an environment its own configuration accepts', () => {
    const [, fn] = one(template.findResources('AWS::Lambda::Function'));
    const env = fn.Properties.Environment.Variables as Record<string, unknown>;
    expect(env).toMatchObject({
      THULIUM_BASE_URL: TENANT_URL,
      THULIUM_SECRET_ID: 'thulium/outbound-status/api-user',
      QUEUE_MAX_RECEIVE_COUNT: '5',
      // One budget for every container, in the ordering table; its rate learned from Thulium's 429s.
      THULIUM_BUDGET: 'shared',
    });
    expect(env.THULIUM_CALLS_PER_SECOND).toBeUndefined();
    expect(show(env.DEAD_LETTER_QUEUE_URL)).toMatch(/^\$\{QueuesDeadLetterQueue/);
    // The ordering guard: its table by name, its key by ARN, items kept 4 + 14 + 1 days after a number's last update.
    expect(
      Object.keys(env)
        .filter((name) => name.startsWith('ORDERING_'))
        .sort(),
    ).toEqual(['ORDERING_GUARD', 'ORDERING_KEY_SECRET_ID', 'ORDERING_TABLE_NAME', 'ORDERING_TTL_SECONDS']);
    expect(env).toMatchObject({ ORDERING_GUARD: 'on', ORDERING_TTL_SECONDS: String(19 * 86_400) });
    expect(show(env.ORDERING_TABLE_NAME)).toMatch(/^\$\{OrderingTable[0-9A-F]{8}\}$/);
    expect(show(env.ORDERING_KEY_SECRET_ID)).toMatch(/^\$\{OrderingKey[0-9A-F]{8}\}$/);
    const resolved = {
      ...env,
      DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-central-1.amazonaws.com/111122223333/dlq',
      ORDERING_TABLE_NAME: 'ThuliumOutboundStatus-OrderingTableBB8866BE-1A2B3C4D5E6F',
      ORDERING_KEY_SECRET_ID: 'arn:aws:secretsmanager:eu-central-1:111122223333:secret:OrderingKey1D6054A3-AbCdEf',
    } as NodeJS.ProcessEnv;
    const config = readConfig(resolved);
    expect(config.queue).toMatchObject({ maxReceiveCount: 5, concurrency: 10 });
    expect(config.ordering).toEqual({
      tableName: resolved.ORDERING_TABLE_NAME,
      keySecretId: resolved.ORDERING_KEY_SECRET_ID,
      ttlSeconds: 19 * 86_400,
    });
  });

  it("keeps the ordering guard's table: keyed by the number's hash, on demand, encrypted, recoverable, items expiring", () => {
    const [, table] = one(template.findResources('AWS::DynamoDB::Table'));
    expect(table).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    expect(table.Properties).toEqual({
      KeySchema: [{ AttributeName: ORDERING_TABLE.partitionKey, KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: ORDERING_TABLE.partitionKey, AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: ORDERING_TABLE.ttlAttribute, Enabled: true },
      DeletionProtectionEnabled: false,
    });
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
  });

  it('generates the key of the phone-number hashes in Secrets Manager, never rotated', () => {
    const [keyId, key] = one(template.findResources('AWS::SecretsManager::Secret'));
    expect(keyId).toMatch(/^OrderingKey/);
    expect(key).toMatchObject({
      DeletionPolicy: 'Delete',
      Properties: { GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true } },
    });
    expect(key.Properties.Description).toMatch(/phone-number hashes .* ordering table.*forget every number's history/);
    expect(key.Properties.SecretString).toBeUndefined();
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
  });

  it('protects the POST method with AWS_IAM and validates the body against the contract model', () => {
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      AuthorizationType: 'AWS_IAM',
      RequestValidatorId: { Ref: Match.stringLikeRegexp('BodyValidator') },
      RequestModels: { 'application/json': { Ref: Match.stringLikeRegexp('StatusUpdateRequest') } },
      Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' },
    });
    template.resourceCountIs('AWS::ApiGateway::Method', 1);
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true });
    const [, model] = one(template.findResources('AWS::ApiGateway::Model'));
    expect(model.Properties.ContentType).toBe('application/json');
    expect(model.Properties.Schema).toMatchObject({
      $schema: 'http://json-schema.org/draft-04/schema#',
      required: ['phone_number', 'status_id'],
      additionalProperties: false,
    });
    expect(model.Properties.Schema.properties).toEqual(requestModelSchema().properties);
  });

  it('serves a regional endpoint with stage throttling, JSON access logs, ERROR execution logs and tracing', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
    const [, stage] = one(template.findResources('AWS::ApiGateway::Stage'));
    expect(stage.Properties).toMatchObject({
      StageName: 'v1',
      TracingEnabled: true,
      MethodSettings: [
        {
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
        },
      ],
    });
    const format = JSON.parse(stage.Properties.AccessLogSetting.Format as string) as Record<string, string>;
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
      userArn: '$context.identity.userArn',
    });
    // The validation message quotes the rejected value, which may be a phone number.
    expect(Object.values(format)).not.toContain('$context.error.validationErrorString');
  });

  it("answers API Gateway's own refusals in the function's error envelope", () => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'BAD_REQUEST_BODY',
      StatusCode: '400',
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"code":"VALIDATION_FAILED"') },
    });
    for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX']) {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: type });
    }
  });

  it('has no resource policy unless other accounts are admitted', () => {
    const [, api] = one(template.findResources('AWS::ApiGateway::RestApi'));
    expect(api.Properties.Policy).toBeUndefined();
  });

  it('encrypts both queues, refuses plain HTTP to them and keeps dead letters 14 days', () => {
    template.allResourcesProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 'sqs:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'ThuliumOutboundStatus-updates-dlq',
      MessageRetentionPeriod: 14 * 24 * 3600,
      RedriveAllowPolicy: { redrivePermission: 'byQueue' },
    });
  });

  it('moves a message to the DLQ after maxReceiveCount deliveries, the same count the function uses', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'ThuliumOutboundStatus-updates',
      RedrivePolicy: {
        maxReceiveCount: 5,
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^QueuesDeadLetterQueue'), 'Arn'] },
      },
    });
  });

  it('reports batch item failures, with batch size, window and maximum concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });

  it('lets the function read its two secrets, update and, after a failed condition, read items of its table, publish to the default bus, consume its queue and send to its DLQ, nothing more', () => {
    expect(roleStatements(template)).toEqual([
      {
        effect: 'Allow',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: ['${StatusFunctionLogs93D354A7.Arn}'],
        condition: undefined,
      },
      {
        effect: 'Allow',
        actions: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
        resources: ['*'],
        condition: undefined,
      },
      {
        effect: 'Allow',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [
          'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:thulium/outbound-status/api-user-??????',
          '${OrderingKey1D6054A3}',
        ],
        condition: undefined,
      },
      {
        effect: 'Allow',
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resources: ['${OrderingTableBB8866BE.Arn}'],
        condition: undefined,
      },
      {
        effect: 'Allow',
        actions: ['events:PutEvents'],
        resources: ['arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default'],
        condition: undefined,
      },
      {
        effect: 'Allow',
        actions: [
          'sqs:ChangeMessageVisibility',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
          'sqs:ReceiveMessage',
        ],
        resources: ['${QueuesQueueD811C857.Arn}'],
        condition: undefined,
      },
      {
        effect: 'Allow',
        actions: ['sqs:SendMessage'],
        resources: ['${QueuesDeadLetterQueue82AA3FB7.Arn}'],
        condition: undefined,
      },
    ]);
    const [, role] = functionRole(template);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('lets API Gateway invoke the function for this one method only', () => {
    const [, permission] = one(template.findResources('AWS::Lambda::Permission'));
    expect(permission.Properties.Principal).toBe('apigateway.amazonaws.com');
    expect(show(permission.Properties.SourceArn)).toMatch(
      /:execute-api:\$\{AWS::Region\}:\$\{AWS::AccountId\}:\$\{StatusApi\w+\}\/\$\{StatusApi\w+\}\/POST\/api\/outbound_status_by_phone_number$/,
    );
  });

  it('alarms on the DLQ, queue age, function errors and throttles, API 5xx and latency, ordering store failures, Thulium budget fallbacks, outcome events not published, to an encrypted topic', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    const byMetric = (name: string) =>
      alarms.filter(
        (a) =>
          a.Properties.MetricName === name ||
          JSON.stringify(a.Properties.Metrics ?? []).includes(`"MetricName":"${name}"`),
      );
    expect(byMetric('ApproximateNumberOfMessagesVisible').map((a) => a.Properties.Dimensions)).toEqual([
      [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [expect.stringMatching(/^QueuesDeadLetterQueue/), 'QueueName'] } }],
    ]);
    expect(byMetric('ApproximateAgeOfOldestMessage')[0]?.Properties.Threshold).toBe(900);
    expect(byMetric('Errors')).toHaveLength(1);
    expect(byMetric('Throttles')).toHaveLength(1);
    expect(byMetric('5XXError')).toHaveLength(1);
    expect(byMetric('Latency')[0]?.Properties).toMatchObject({ ExtendedStatistic: 'p99', Threshold: 10_000 });
    // The API's own stage: ApiName alone would sum every API of that name in the region.
    expect(byMetric('Latency')[0]?.Properties.Dimensions.map((d: { Name: string }) => d.Name)).toEqual([
      'ApiName',
      'Stage',
    ]);
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: 'ThuliumOutboundStatus' });
    // Published by the function (Powertools EMF): the stack's namespace, the service dimension.
    expect(byMetric('OrderingStoreFailures').map((a) => a.Properties)).toEqual([
      expect.objectContaining({
        AlarmName: 'ThuliumOutboundStatus-OrderingStoreFailures',
        Namespace: 'ThuliumOutboundStatus',
        Dimensions: [{ Name: 'service', Value: 'thulium-outbound-status' }],
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      }),
    ]);
    expect(alarms).toHaveLength(9);
    expect(alarms.map((a) => a.Properties.AlarmName).sort()).toEqual(
      [
        'ApiLatency',
        'ApiServerErrors',
        'DeadLetterQueueNotEmpty',
        'FunctionErrors',
        'FunctionThrottles',
        'OrderingStoreFailures',
        'OutcomeEventsFailed',
        'QueueOldestMessageAge',
        'ThuliumBudgetFallbacks',
      ].map((n) => `ThuliumOutboundStatus-${n}`),
    );
    const [topicId, topic] = one(template.findResources('AWS::SNS::Topic'));
    expect(show(topic.Properties.KmsMasterKeyId)).toMatch(/^\$\{OperationsAlarmTopicKey\w+\.Arn\}$/);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId }]);
    }
    // The TLS-only topic policy replaces SNS's default one, so CloudWatch needs an allow of its own.
    const alarmsOfThisStack = {
      'aws:SourceArn': { 'Fn::Join': ['', Match.arrayWith([':alarm:ThuliumOutboundStatus-*'])] },
    };
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: { ArnLike: alarmsOfThisStack },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: { ArnLike: alarmsOfThisStack },
          }),
        ]),
      },
    });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it("graphs the function's outcomes, superseded updates and ordering store failures on the dashboard", () => {
    const [, dashboard] = one(template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.parse(show(dashboard.Properties.DashboardBody)) as {
      widgets: { properties: { title: string; metrics?: unknown[][] } }[];
    };
    const graphs = Object.fromEntries(
      body.widgets.map((w) => [w.properties.title, (w.properties.metrics ?? []).map((m) => m.slice(0, 4))]),
    );
    const fromFunction = (name: string) => ['ThuliumOutboundStatus', name, 'service', 'thulium-outbound-status'];
    expect(graphs['Ordering guard: superseded updates and store failures']).toEqual([
      fromFunction('Superseded'),
      fromFunction('OrderingStoreFailures'),
    ]);
    expect(graphs.Outcomes).toEqual(['Updated', 'ErrorAnswers', 'RetriesScheduled', 'DeadLettered'].map(fromFunction));
  });

  it('matches the reviewed template (asset hashes aside)', async () => {
    const text = JSON.stringify(template.toJSON(), null, 2).replace(/\b[0-9a-f]{64}\b/g, '<asset hash>');
    await expect(text).toMatchFileSnapshot('__snapshots__/ThuliumOutboundStatus.template.json');
  });

  it('outputs what callers and operators need', () => {
    for (const id of [
      'ApiUrl',
      'QueueUrl',
      'QueueArn',
      'DeadLetterQueueUrl',
      'DeadLetterQueueArn',
      'FunctionName',
      'SecretArn',
      'DashboardName',
      ...Object.values(STACK_OUTPUTS),
    ]) {
      template.hasOutput(id, { Value: Match.anyValue() });
    }
    expect(show(template.findOutputs('ApiUrl').ApiUrl!.Value)).toMatch(
      /^https:\/\/\$\{StatusApi\w+\}\.execute-api\..*\/\$\{StatusApiDeploymentStagev1\w+\}\/api\/outbound_status_by_phone_number$/,
    );
  });
});
