/**
 * The loopback SQS of `npm start` (dev/aws/sqs.ts), with what tests add: reading a queue empty
 * or peeking at it, each read kept for the suite's leak scan.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { LocalSqs } from '../../dev/aws/sqs.ts';
import { expose } from './leaks.ts';

export { isEmpty, messagesIn, type QueueDepth, type QueueOptions, type QueuePair } from '../../dev/aws/sqs.ts';

/** Makes messages received from `url` visible again at once. */
export async function release(client: SQSClient, url: string, messages: Message[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    const entries = messages
      .slice(i, i + 10)
      .map((m, n) => ({ Id: String(n), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 }));
    await client.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: url, Entries: entries }));
  }
}

export class SqsEmulator extends LocalSqs {
  private readonly seen = expose<string[]>([]);

  static override async start(): Promise<SqsEmulator> {
    const { app, endpoint } = await LocalSqs.listen();
    return new SqsEmulator(app, endpoint);
  }

  /** Takes every message off a queue (deleting each, so a FIFO group does not stay locked). */
  async drain(url: string): Promise<Message[]> {
    const messages: Message[] = [];
    for (;;) {
      const { Messages = [] } = await this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) return messages;
      messages.push(...Messages);
      // Dead-letter attributes are the function's words: the suite's leak scan reads them too.
      this.seen.push(JSON.stringify(Messages.map((m) => m.MessageAttributes)));
      await this.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
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
          new ReceiveMessageCommand({
            QueueUrl: url,
            MaxNumberOfMessages: 10,
            VisibilityTimeout: 60,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        if (Messages.length === 0) return messages;
        messages.push(...Messages);
        this.seen.push(JSON.stringify(Messages.map((m) => m.MessageAttributes)));
      }
    } finally {
      await release(this.client, url, messages);
    }
  }
}
