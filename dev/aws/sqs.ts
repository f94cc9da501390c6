/**
 * SQS and SNS on loopback: the fauxqs emulator, which speaks the real APIs (SQS's JSON protocol,
 * SQS's query protocol through sqs-query-protocol.ts, SNS's query protocol), bound to 127.0.0.1 (fauxqs's own start binds every interface), with the queues
 * of the stack: a main queue and its DLQ wired by a redrive policy, and topics subscribed to it.
 */
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import type { AddressInfo } from 'node:net';
import { reachableOrigin, refusalOf } from '../shared/loopback.ts';
import { acceptSqsQueryProtocol } from './sqs-query-protocol.ts';
import { visibilityTimeoutSeconds, type Settings } from '../../infra/settings.ts';

export const LOCAL_REGION = 'eu-central-1';
/** Any keys do: the emulator checks no signature. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface QueuePair {
  url: string;
  arn: string;
  deadLetter: { url: string; arn: string };
  /** The redrive policy's: receives before SQS moves a message to the dead-letter queue. */
  maxReceiveCount: number;
}

export interface QueueDepth {
  visible: number;
  inFlight: number;
  delayed: number;
}

/** Every message the queue holds: visible, in flight or delayed. */
export const messagesIn = (depth: QueueDepth) => depth.visible + depth.inFlight + depth.delayed;
export const isEmpty = (depth: QueueDepth) => messagesIn(depth) === 0;

export interface QueueOptions {
  name: string;
  fifo?: boolean;
  maxReceiveCount: number;
  visibilityTimeoutSeconds: number;
}

/** A queue pair named `name` with the stack's redrive policy and visibility timeout. */
export const stackQueue = (name: string, settings: Settings): QueueOptions => ({
  name,
  maxReceiveCount: settings.maxReceiveCount,
  visibilityTimeoutSeconds: visibilityTimeoutSeconds(settings),
});

type App = ReturnType<typeof buildApp>;

export class LocalSqs {
  readonly client: SQSClient;
  readonly sns: SNSClient;
  /** What the function's own clients get as AWS_ENDPOINT_URL_SQS (and a sender as AWS_ENDPOINT_URL_SNS). */
  readonly endpoint: string;
  private readonly app: App;

  protected constructor(app: App, endpoint: string) {
    this.app = app;
    this.endpoint = endpoint;
    const config = { region: LOCAL_REGION, endpoint, credentials: LOCAL_CREDENTIALS };
    this.client = new SQSClient({ ...config, useQueueUrlAsEndpoint: false });
    this.sns = new SNSClient(config);
  }

  /** Listens on `host` (loopback unless told otherwise) and `port` (0: a free one). */
  static async listen(port = 0, host = '127.0.0.1'): Promise<{ app: App; endpoint: string }> {
    const app = buildApp({ logger: false, defaultRegion: LOCAL_REGION });
    // Only signed calls from outside a browser: the CLI and the SDKs sign every call (any keys do).
    app.addHook('onRequest', async (request, reply) => {
      const signed = String(request.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ');
      const refusal =
        refusalOf(request.headers, host) ??
        (signed || request.url === '/health' ? undefined : 'answers signed AWS calls only');
      if (refusal)
        return reply.code(403).header('content-type', 'text/plain').send(`this local SQS and SNS ${refusal}\n`);
    });
    acceptSqsQueryProtocol(app);
    await app.listen({ port, host });
    return { app, endpoint: reachableOrigin(app.server.address() as AddressInfo) };
  }

  static async start(port = 0, host = '127.0.0.1'): Promise<LocalSqs> {
    const { app, endpoint } = await LocalSqs.listen(port, host);
    return new LocalSqs(app, endpoint);
  }

  /** A queue and its dead-letter queue, wired by a redrive policy. */
  async createQueues({
    name,
    fifo = false,
    maxReceiveCount,
    visibilityTimeoutSeconds,
  }: QueueOptions): Promise<QueuePair> {
    const suffix = fifo ? '.fifo' : '';
    const fifoAttributes: Record<string, string> = fifo
      ? { FifoQueue: 'true', DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId' }
      : {};
    const deadLetter = await this.create(`${name}-dlq${suffix}`, {
      ...fifoAttributes,
      MessageRetentionPeriod: '1209600',
    });
    const main = await this.create(`${name}${suffix}`, {
      ...fifoAttributes,
      VisibilityTimeout: String(visibilityTimeoutSeconds),
      RedrivePolicy: JSON.stringify({ maxReceiveCount, deadLetterTargetArn: deadLetter.arn }),
    });
    return { ...main, deadLetter, maxReceiveCount };
  }

  /** A topic subscribed to `queueArn` with raw delivery off: each message arrives wrapped in a Notification. */
  async createTopic(name: string, queueArn: string): Promise<string> {
    const { TopicArn } = await this.sns.send(new CreateTopicCommand({ Name: name }));
    await this.sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: queueArn,
        Attributes: { RawMessageDelivery: 'false' },
      }),
    );
    return TopicArn!;
  }

  /** Messages visible, in flight and delayed, as SQS reports them. */
  async depth(url: string): Promise<QueueDepth> {
    const { Attributes = {} } = await this.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    return {
      visible: Number(Attributes.ApproximateNumberOfMessages),
      inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
      delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed),
    };
  }

  async close(): Promise<void> {
    this.client.destroy();
    this.sns.destroy();
    await this.app.close();
  }

  private async create(name: string, attributes: Record<string, string>): Promise<{ url: string; arn: string }> {
    const { QueueUrl } = await this.client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    const { Attributes } = await this.client.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    return { url: QueueUrl!, arn: Attributes!.QueueArn! };
  }
}
