import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { afterAll, describe, expect, it } from 'vitest';
import { SqsEmulator, type QueuePair } from '../support/sqs-emulator.ts';
import { EventSourceMapping, queueEnvironment } from '../../dev/aws/sqs-event-source.ts';
import { body, captureOutput, eventBridgeEvent, logRecords, PHONES, useWorld, type World } from '../support/world.ts';

/**
 * Updates that reach the queue through an SNS subscription (raw delivery off) or an EventBridge
 * rule: SNS here is the emulator's own, which wraps each message in a Notification as SNS does.
 */
let emulator: SqsEmulator;
let sns: SNSClient;
let world: World;
const output = captureOutput();
let queueCount = 0;

useWorld(output, async (started) => {
  world = started;
  emulator = await SqsEmulator.start();
  sns = new SNSClient({
    region: 'eu-central-1',
    endpoint: emulator.endpoint,
    credentials: { accessKeyId: 'AKIDLOOPBACK', secretAccessKey: 'loopback-secret' },
  });
});

afterAll(async () => {
  sns.destroy();
  await emulator.close();
});

const newQueue = () =>
  emulator.createQueues({ name: `wrapped-${++queueCount}`, maxReceiveCount: 3, visibilityTimeoutSeconds: 2 });

async function queueFedByTopic(): Promise<{ queue: QueuePair; topicArn: string }> {
  const queue = await newQueue();
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `status-updates-${queueCount}` }));
  await sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: 'sqs',
      Endpoint: queue.arn,
      Attributes: { RawMessageDelivery: 'false' },
    }),
  );
  return { queue, topicArn: TopicArn! };
}

async function runFunction(queue: QueuePair) {
  const env = queueEnvironment(emulator, queue);
  const mapping = new EventSourceMapping({
    emulator,
    queue,
    newContainer: () => world.load(env),
    pollers: 1,
    batchSize: 10,
    functionTimeoutMs: 5_000,
  });
  expect(await mapping.run({ maxMs: 15_000 })).toEqual({ drained: true });
  return emulator.drain(queue.deadLetter.url);
}

describe('wrapped queue messages reach Thulium', () => {
  it('applies an update published to an SNS topic, and logs the topic it came through', async () => {
    const { queue, topicArn } = await queueFedByTopic();
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: body(PHONES.one, '8') }));
    const [delivered] = await emulator.peek(queue.url);
    expect(JSON.parse(delivered.Body!)).toMatchObject({ Type: 'Notification', TopicArn: topicArn });
    expect(await runFunction(queue)).toEqual([]);
    expect(world.simulator.applied).toContainEqual({ phoneNumber: PHONES.one, statusId: 8 });
    const line = logRecords(output.lines).find((r) => r.outcome === 'updated' && r.envelope === 'sns');
    expect(line).toMatchObject({ envelope_origin: topicArn, phone_number: '******678' });
  });

  it('applies an update that an EventBridge rule put on the queue, the payload in detail', async () => {
    const queue = await newQueue();
    const event = eventBridgeEvent({ phone_number: PHONES.three, status_id: 3 });
    await emulator.client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: JSON.stringify(event) }));
    expect(await runFunction(queue)).toEqual([]);
    expect(world.simulator.applied).toContainEqual({ phoneNumber: PHONES.three, statusId: 3 });
  });

  it('dead-letters a wrapped update that breaks the contract with its reason, the envelope unchanged', async () => {
    const { queue, topicArn } = await queueFedByTopic();
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: body(PHONES.three, 'three') }));
    const bad = JSON.stringify(eventBridgeEvent({ phone_number: PHONES.three }));
    await emulator.client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: bad }));
    const applied = world.simulator.applied.length;
    const dead = await runFunction(queue);
    expect(world.simulator.applied.length).toBe(applied);
    const reasons = (m: (typeof dead)[number]) => [
      m.MessageAttributes?.ErrorCode?.StringValue,
      m.MessageAttributes?.ErrorMessage?.StringValue,
    ];
    const fromTopic = dead.find((m) => m.Body !== bad)!;
    expect(JSON.parse(fromTopic.Body!)).toMatchObject({ Type: 'Notification', TopicArn: topicArn });
    expect(reasons(fromTopic)).toEqual([
      'VALIDATION_FAILED',
      expect.stringContaining('status_id must be a positive integer'),
    ]);
    const fromRule = dead.find((m) => m.Body === bad)!;
    expect(reasons(fromRule)).toEqual(['VALIDATION_FAILED', expect.stringContaining('status_id is required')]);
  });

  it('never confirms an SNS subscription itself: the confirmation waits in the DLQ, saying how to confirm it', async () => {
    const queue = await newQueue();
    const confirmation = {
      Type: 'SubscriptionConfirmation',
      MessageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b',
      Token:
        '2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736',
      TopicArn: 'arn:aws:sns:eu-central-1:210987654321:status-updates',
      Message: 'You have chosen to subscribe to the topic arn:aws:sns:eu-central-1:210987654321:status-updates.',
      SubscribeURL: 'https://sns.eu-central-1.amazonaws.com/?Action=ConfirmSubscription',
      Timestamp: '2026-11-27T01:00:00.000Z',
      SignatureVersion: '1',
      Signature: 'EXAMPLE',
      SigningCertURL: 'https://sns.eu-central-1.amazonaws.com/SimpleNotificationService-0000.pem',
    };
    await emulator.client.send(
      new SendMessageCommand({ QueueUrl: queue.url, MessageBody: JSON.stringify(confirmation) }),
    );
    const [dead] = await runFunction(queue);
    expect(dead.MessageAttributes?.ErrorCode?.StringValue).toBe('MALFORMED_BODY');
    expect(dead.MessageAttributes?.ErrorMessage?.StringValue).toContain('aws sns confirm-subscription');
  });
});
