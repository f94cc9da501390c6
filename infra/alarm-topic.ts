import { ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { customerManagedKey } from './keys.ts';
import type { Settings } from './settings.ts';

/** Where the alarms notify (setting `alarmTopic`): nowhere, an existing topic, or the stack's own, encrypted, for its alarms only. */
export function alarmTopic(scope: Construct, settings: Settings): ITopic | undefined {
  if (settings.alarmTopic === 'none') return undefined;
  if (settings.alarmTopic !== 'create') return Topic.fromTopicArn(scope, 'AlarmTopic', settings.alarmTopic);
  const stack = Stack.of(scope);
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
  const key = customerManagedKey(scope, 'AlarmTopicKey', 'Encrypts the thulium-outbound-status alarm topic');
  key.addToResourcePolicy(
    new PolicyStatement({
      principals: [cloudWatch],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: fromOurAlarms,
    }),
  );
  const topic = new Topic(scope, 'AlarmTopic', {
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
