import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { synth } from './synth.ts';
import { one, roleStatements } from './template.ts';

describe('the stack with other settings', () => {
  it('FIFO: both queues FIFO, ordered per message group, no batching window', () => {
    const { template } = synth({ queueType: 'fifo' });
    template.allResourcesProperties('AWS::SQS::Queue', {
      FifoQueue: true,
      DeduplicationScope: 'messageGroup',
      FifoThroughputLimit: 'perMessageGroupId',
    });
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'ThuliumOutboundStatus-updates.fifo' });
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'ThuliumOutboundStatus-updates-dlq.fifo' });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      MaximumBatchingWindowInSeconds: Match.absent(),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  }, 60_000);

  it('visibility timeout is at least six times the function timeout plus the batching window', () => {
    for (const [timeoutSeconds, batchWindowSeconds] of [
      [30, 1],
      [120, 20],
    ] as const) {
      const { template } = synth({ timeoutSeconds, batchWindowSeconds });
      template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: 'ThuliumOutboundStatus-updates',
        VisibilityTimeout: 6 * timeoutSeconds + batchWindowSeconds,
      });
      template.hasResourceProperties('AWS::Lambda::Function', { Timeout: timeoutSeconds });
    }
  }, 60_000);

  it('KMS and other accounts: callers may send and use the key through SQS only, and call the API', () => {
    const { template } = synth({
      queueEncryption: 'kms',
      callerAccountIds: '111122223333,444455556666',
      callerOrganizationIds: ['o-a1b2c3d4e5'],
    });
    template.allResourcesProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^QueuesKey'), 'Arn'] },
    });
    const accounts = ['111122223333', '444455556666'].map((a) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${a}:root`]],
    }));
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Allow', Action: 'sqs:SendMessage', Principal: { AWS: accounts } }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Principal: { AWS: '*' },
            Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Principal: { AWS: '*' },
            Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5', 'kms:ViaService': Match.anyValue() } },
          }),
        ]),
      },
    });
    const [, api] = one(template.findResources('AWS::ApiGateway::RestApi'));
    expect(api.Properties.Policy.Statement).toEqual([
      expect.objectContaining({
        Action: 'execute-api:Invoke',
        Principal: { AWS: accounts },
        Resource: 'execute-api:/*/POST/api/outbound_status_by_phone_number',
      }),
      expect.objectContaining({
        Action: 'execute-api:Invoke',
        Principal: { AWS: '*' },
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
      }),
    ]);
    // A changed resource policy needs a new deployment to take effect.
    const deploymentIds = [{}, { callerAccountIds: ['111122223333'] }].map(
      (settings) => one(synth(settings).template.findResources('AWS::ApiGateway::Deployment'))[0],
    );
    expect(deploymentIds[0]).not.toBe(deploymentIds[1]);
    // The function may encrypt for the DLQ and decrypt what it receives, with this key only.
    const statements = roleStatements(template);
    expect(statements).toContainEqual({
      effect: 'Allow',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [expect.stringMatching(/^\$\{QueuesKey\w+\.Arn\}$/)],
      condition: undefined,
    });
  }, 60_000);

  it('SNS topics and EventBridge rules feed the queue, each admitted by its own ARN on the queue and the key', () => {
    const topic = 'arn:aws:sns:eu-central-1:210987654321:crm-status';
    const rules = [
      'arn:aws:events:eu-central-1:210987654321:rule/crm-bus/status-updates',
      'arn:aws:events:eu-central-1:111122223333:rule/status-updates',
    ];
    const { template } = synth({ queueEncryption: 'kms', sourceTopicArns: [topic], sourceEventRuleArns: rules });
    const queueArn = { 'Fn::GetAtt': [expect.stringMatching(/^QueuesQueue[0-9A-F]{8}$/), 'Arn'] };
    const [, subscription] = one(template.findResources('AWS::SNS::Subscription'));
    expect(subscription.Properties).toEqual({
      TopicArn: topic,
      Protocol: 'sqs',
      Endpoint: queueArn,
      RawMessageDelivery: false,
      Region: 'eu-central-1',
    });
    const [, queuePolicy] = one(
      template.findResources('AWS::SQS::QueuePolicy', {
        Properties: { Queues: [{ Ref: Match.stringLikeRegexp('^QueuesQueue') }] },
      }),
    );
    expect(
      queuePolicy.Properties.PolicyDocument.Statement.filter((s: { Effect: string }) => s.Effect === 'Allow'),
    ).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': topic } },
      },
      {
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': rules } },
      },
    ]);
    const [, key] = one(
      template.findResources('AWS::KMS::Key', {
        Properties: { Description: 'Encrypts the thulium-outbound-status queues' },
      }),
    );
    const servicesOnKey = key.Properties.KeyPolicy.Statement.filter(
      (s: { Principal: { Service?: unknown } }) => s.Principal.Service,
    );
    expect(servicesOnKey).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
        Condition: { ArnEquals: { 'aws:SourceArn': topic } },
      },
      {
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
        Condition: { ArnEquals: { 'aws:SourceArn': rules } },
      },
    ]);
    // Nothing reaches the DLQ from a source: only the function sends there.
    const [, dlqPolicy] = one(
      template.findResources('AWS::SQS::QueuePolicy', {
        Properties: { Queues: [{ Ref: Match.stringLikeRegexp('^QueuesDeadLetterQueue') }] },
      }),
    );
    expect(dlqPolicy.Properties.PolicyDocument.Statement.map((s: { Effect: string }) => s.Effect)).toEqual(['Deny']);
  }, 60_000);

  it('a subscription keeps its logical id when the topic list is reordered, and a topic listed twice is subscribed once', () => {
    const topics = [
      'arn:aws:sns:eu-central-1:210987654321:crm-status',
      'arn:aws:sns:eu-west-1:210987654321:shop-status',
    ];
    const byTopic = (settings: { sourceTopicArns: string[] }) =>
      Object.fromEntries(
        Object.entries(synth(settings).template.findResources('AWS::SNS::Subscription')).map(([id, r]) => [
          r.Properties.TopicArn as string,
          id,
        ]),
      );
    const forward = byTopic({ sourceTopicArns: topics });
    expect(Object.keys(forward).sort()).toEqual(topics);
    expect(byTopic({ sourceTopicArns: [...topics].reverse() })).toEqual(forward);
    synth({ sourceTopicArns: [topics[0]!, topics[0]!] }).template.resourceCountIs('AWS::SNS::Subscription', 1);
  }, 60_000);

  it('FIFO: a FIFO topic and a rule feed the FIFO queue; with SQS-managed encryption no key is opened to them', () => {
    const topic = 'arn:aws:sns:eu-central-1:210987654321:crm-status.fifo';
    const rule = 'arn:aws:events:eu-central-1:210987654321:rule/status-updates';
    const { template } = synth({ queueType: 'fifo', sourceTopicArns: [topic], sourceEventRuleArns: rule });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      TopicArn: topic,
      Protocol: 'sqs',
      Endpoint: { 'Fn::GetAtt': [Match.stringLikeRegexp('^QueuesQueue'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'sns.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Condition: { ArnEquals: { 'aws:SourceArn': topic } },
          }),
          Match.objectLike({
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Condition: { ArnEquals: { 'aws:SourceArn': [rule] } },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'ThuliumOutboundStatus-updates.fifo',
      SqsManagedSseEnabled: true,
    });
    expect(JSON.stringify(template.findResources('AWS::KMS::Key'))).not.toMatch(
      /sns\.amazonaws\.com|events\.amazonaws\.com/,
    );
  }, 60_000);

  it('a secret referenced by complete ARN is granted exactly; a created one is retained and granted by reference', () => {
    const arn = 'arn:aws:secretsmanager:eu-central-1:111122223333:secret:thulium-AbCdEf';
    // One statement for both secrets (the Thulium user and the ordering guard's key), resources in any order.
    const readableSecrets = (template: Template) => {
      const [statement, ...others] = roleStatements(template).filter((s) =>
        s.actions.includes('secretsmanager:GetSecretValue'),
      );
      expect(others).toEqual([]);
      expect(statement).toMatchObject({
        effect: 'Allow',
        actions: ['secretsmanager:GetSecretValue'],
        condition: undefined,
      });
      return [...statement!.resources].sort();
    };
    const orderingKey = expect.stringMatching(/^\$\{OrderingKey[0-9A-F]{8}\}$/);
    const byArn = synth({ thuliumSecret: arn }).template;
    expect(readableSecrets(byArn)).toEqual([orderingKey, arn]);
    // Only the ordering guard's key.
    byArn.resourceCountIs('AWS::SecretsManager::Secret', 1);

    const created = synth({ createSecret: true }).template;
    const [secretId, secret] = one(
      created.findResources('AWS::SecretsManager::Secret', {
        Properties: { Name: 'thulium/outbound-status/api-user' },
      }),
    );
    expect(secret).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: { GenerateSecretString: { SecretStringTemplate: '{"username":""}', GenerateStringKey: 'password' } },
    });
    expect(readableSecrets(created)).toEqual([orderingKey, `\${${secretId}}`]);
  }, 60_000);

  it('ordering guard off and a budget per container: no table, no key, no alarm or graph for them, and the function is told so', () => {
    const { template } = synth({ orderingGuard: false, thuliumBudget: 'container' });
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    const [, fn] = one(template.findResources('AWS::Lambda::Function'));
    const env = fn.Properties.Environment.Variables as Record<string, unknown>;
    expect(env).toMatchObject({ ORDERING_GUARD: 'off', THULIUM_BUDGET: 'container' });
    expect(Object.keys(env).filter((name) => name.startsWith('ORDERING_'))).toEqual(['ORDERING_GUARD']);
    const statements = roleStatements(template);
    expect(statements.flatMap((s) => s.actions).filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
    expect(
      statements.filter((s) => s.actions.includes('secretsmanager:GetSecretValue')).flatMap((s) => s.resources),
    ).toEqual([
      'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:thulium/outbound-status/api-user-??????',
    ]);
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties.AlarmName as string,
    );
    expect(alarms).toHaveLength(7);
    expect(alarms).not.toContain('ThuliumOutboundStatus-OrderingStoreFailures');
    expect(alarms).not.toContain('ThuliumOutboundStatus-ThuliumBudgetFallbacks');
    expect(JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'))).not.toMatch(
      /Superseded|OrderingStoreFailures|ThuliumBudgetFallbacks/,
    );
  }, 60_000);

  it("ordering guard: items outlive a number's last update by the queue's retention, the DLQ's 14 days and one more", () => {
    const { template } = synth({ queueRetentionDays: 7 });
    const [, fn] = one(template.findResources('AWS::Lambda::Function'));
    expect(fn.Properties.Environment.Variables.ORDERING_TTL_SECONDS).toBe(String(22 * 86_400));
  }, 60_000);

  it('without an alarm topic the alarms have no actions; an existing topic is used as given', () => {
    const none = synth({ alarmTopic: 'none' }).template;
    none.resourceCountIs('AWS::SNS::Topic', 0);
    none.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: Match.absent() });
    const topicArn = 'arn:aws:sns:eu-central-1:111122223333:ops-pager';
    synth({ alarmTopic: topicArn }).template.allResourcesProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [topicArn],
      OKActions: [topicArn],
    });
  }, 60_000);
});
