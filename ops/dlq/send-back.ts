import { SendMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { senderAttributes } from './dead-letter.ts';
import type { QueueRef } from './queues.ts';

/**
 * The body exactly as it was, the sender's attributes without the function's reason. On FIFO the
 * message keeps its group, and its deduplication id comes from its DLQ message id: a resend after
 * an interruption within SQS's five minutes is dropped as the duplicate it is.
 */
export function sendBack(sqs: SQSClient, main: QueueRef) {
  return async (message: Message) => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: main.url,
        MessageBody: message.Body,
        MessageAttributes: senderAttributes(message),
        MessageGroupId: main.fifo ? (message.Attributes?.MessageGroupId ?? 'dead-letters') : undefined,
        MessageDeduplicationId: main.fifo ? `redrive-${message.MessageId}` : undefined,
      }),
    );
  };
}
