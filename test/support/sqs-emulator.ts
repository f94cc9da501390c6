/**
 * SQS on loopback: the fauxqs emulator, which speaks the real SQS API (the AWS SDK's JSON
 * protocol), with a client for it as a sender or Lambda's poller would use one.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { expose } from './leaks.ts';

const REGION = 'eu-central-1';

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

export const isEmpty = (depth: QueueDepth) => depth.visible + depth.inFlight + depth.delayed === 0;

/** Makes messages received from `url` visible again at once. */
export async function release(client: SQSClient, url: string, messages: Message[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    const entries = messages.slice(i, i + 10).map((m, n) => ({ Id: String(n), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 }));
    await client.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: url, Entries: entries }));
  }
}

export interface QueueOptions {
  name: string;
  fifo?: boolean;
  maxReceiveCount: number;
  visibilityTimeoutSeconds: number;
}

export class SqsEmulator {
  readonly client: SQSClient;
  private readonly server: FauxqsServer;
  private readonly seen = expose<string[]>([]);
  private constructor(server: FauxqsServer) {
    this.server = server;
    this.client = new SQSClient({
      region: REGION,
      endpoint: server.address,
      credentials: { accessKeyId: 'AKIDLOOPBACK', secretAccessKey: 'loopback-secret' },
      useQueueUrlAsEndpoint: false,
    });
  }

  static async start(): Promise<SqsEmulator> {
    return new SqsEmulator(await startFauxqs({ port: 0, logger: false, defaultRegion: REGION }));
  }

  /** What the function's own SQS client gets as AWS_ENDPOINT_URL_SQS. */
  get endpoint(): string {
    return this.server.address;
  }

  /** A queue and its dead-letter queue, wired by a redrive policy. */
  async createQueues({ name, fifo = false, maxReceiveCount, visibilityTimeoutSeconds }: QueueOptions): Promise<QueuePair> {
    const suffix = fifo ? '.fifo' : '';
    const fifoAttributes: Record<string, string> = fifo ? { FifoQueue: 'true', DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId' } : {};
    const deadLetter = await this.create(`${name}-dlq${suffix}`, { ...fifoAttributes, MessageRetentionPeriod: '1209600' });
    const main = await this.create(`${name}${suffix}`, {
      ...fifoAttributes,
      VisibilityTimeout: String(visibilityTimeoutSeconds),
      RedrivePolicy: JSON.stringify({ maxReceiveCount, deadLetterTargetArn: deadLetter.arn }),
    });
    return { ...main, deadLetter, maxReceiveCount };
  }

  /** Messages visible, in flight and delayed, as SQS reports them. */
  async depth(url: string): Promise<QueueDepth> {
    const { Attributes = {} } = await this.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
      }),
    );
    return {
      visible: Number(Attributes.ApproximateNumberOfMessages),
      inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
      delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed),
    };
  }

  /** Takes every message off a queue (deleting each, so a FIFO group does not stay locked). */
  async drain(url: string): Promise<Message[]> {
    const messages: Message[] = [];
    for (;;) {
      const { Messages = [] } = await this.client.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] }),
      );
      if (Messages.length === 0) return messages;
      messages.push(...Messages);
      // Dead-letter attributes are the function's words: the suite's leak scan reads them too.
      this.seen.push(JSON.stringify(Messages.map((m) => m.MessageAttributes)));
      await this.client.send(
        new DeleteMessageBatchCommand({ QueueUrl: url, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
      );
    }
  }

  /**
   * Every message a queue would hand out now, left in the queue: each is received once, then made
   * visible again. Each read counts as a receive, so the queue's maxReceiveCount must allow it; on
   * FIFO, a group's later messages stay out of sight behind its first.
   */
  async peek(url: string): Promise<Message[]> {
    const messages: Message[] = [];
    try {
      for (;;) {
        const { Messages = [] } = await this.client.send(
          new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 60, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] }),
        );
        if (Messages.length === 0) return messages;
        messages.push(...Messages);
        this.seen.push(JSON.stringify(Messages.map((m) => m.MessageAttributes)));
      }
    } finally {
      await release(this.client, url, messages);
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
    await this.server.stop();
  }

  private async create(name: string, attributes: Record<string, string>): Promise<{ url: string; arn: string }> {
    const { QueueUrl } = await this.client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    const { Attributes } = await this.client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    return { url: QueueUrl!, arn: Attributes!.QueueArn! };
  }
}

