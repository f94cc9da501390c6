import { SendMessageCommand, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { ConfigurationError, thuliumRequestIdOf, type OutboundStatusError } from './errors.ts';

const MAX_ATTRIBUTE_LENGTH = 1_000;

/** Where messages that can never succeed go, with the reason beside the untouched body. */
export interface DeadLetterQueue {
  send(record: SQSRecord, reason: OutboundStatusError): Promise<void>;
}

export function sqsDeadLetterQueue(sqs: SQSClient, queueUrl: string | undefined): DeadLetterQueue {
  return {
    async send(record, reason) {
      if (queueUrl === undefined) {
        throw new ConfigurationError('DEAD_LETTER_QUEUE_URL is not set; cannot move a failed message');
      }
      const fifo = queueUrl.endsWith('.fifo');
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: record.body,
          MessageAttributes: reasonAttributes(record, reason),
          MessageGroupId: fifo ? (record.attributes.MessageGroupId ?? 'dead-letters') : undefined,
          MessageDeduplicationId: fifo ? record.messageId : undefined,
        }),
      );
    },
  };
}

export function reasonAttributes(record: SQSRecord, reason: OutboundStatusError): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {
    ErrorCode: text(reason.code),
    ErrorKind: text(reason.kind),
    ErrorMessage: text(reason.message.slice(0, MAX_ATTRIBUTE_LENGTH)),
    SourceMessageId: text(record.messageId),
    SourceQueueArn: text(record.eventSourceARN),
    ReceiveCount: { DataType: 'Number', StringValue: record.attributes.ApproximateReceiveCount ?? '1' },
    FailedAt: text(new Date().toISOString()),
  };
  const thuliumRequestId = thuliumRequestIdOf(reason);
  if (thuliumRequestId !== undefined) attributes.ThuliumRequestId = text(thuliumRequestId);
  return attributes;
}

const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value || '-' });
