import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { failure, type OutboundStatusError } from '../core/errors.ts';
import { versionText } from '../core/ordering.ts';
import type { SqsCalls } from './sqs-calls.ts';
import { truncate } from '../shared/text.ts';

const MAX_ATTRIBUTE_CHARACTERS = 1_000;
/** SQS accepts at most ten message attributes. */
const MAX_ATTRIBUTES = 10;

/** Where messages that can never succeed go, with the reason beside the untouched body. */
export interface DeadLetterQueue {
  /**
   * `versionAt`: the update's version (epoch ms), carried as {@link UPDATE_VERSION_ATTRIBUTE} so a
   * redrive never makes it new; `reference`: the sender's, as echoed, carried as {@link REFERENCE_ATTRIBUTE}.
   */
  send(
    record: SQSRecord,
    reason: OutboundStatusError,
    carried?: { versionAt?: number; reference?: string },
  ): Promise<void>;
}

/**
 * Not a reason attribute: a redrive keeps it, so a redriven update is judged by when it was sent,
 * not by when it came back.
 */
export const UPDATE_VERSION_ATTRIBUTE = 'UpdateVersion';

/** The sender's `reference`, as echoed; named apart from the `Reference` a sender may set itself. */
export const REFERENCE_ATTRIBUTE = 'UpdateReference';

export function sqsDeadLetterQueue(sqs: SqsCalls, queueUrl: string | undefined): DeadLetterQueue {
  return {
    async send(record, reason, { versionAt: version, reference } = {}) {
      if (queueUrl === undefined) {
        throw failure('CONFIGURATION_INVALID', 'DEAD_LETTER_QUEUE_URL is not set; cannot move a failed message');
      }
      const fifo = queueUrl.endsWith('.fifo');
      const receiveCount = record.attributes.ApproximateReceiveCount ?? '1';
      await sqs.sendMessage({
        QueueUrl: queueUrl,
        MessageBody: record.body,
        MessageAttributes: withOriginalAttributes(record, {
          ...reasonAttributes(record, reason, receiveCount),
          ...(reference !== undefined && { [REFERENCE_ATTRIBUTE]: text(reference) }),
          ...(version !== undefined && { [UPDATE_VERSION_ATTRIBUTE]: text(versionText(version)) }),
        }),
        MessageGroupId: fifo ? (record.attributes.MessageGroupId ?? 'dead-letters') : undefined,
        // Per delivery: a message redriven and failing again within 5 minutes must not be deduplicated away.
        MessageDeduplicationId: fifo ? `${record.messageId}-${receiveCount}` : undefined,
      });
    },
  };
}

/** What a dead letter carries beside the sender's own attributes; a redrive takes these off again. */
export const REASON_ATTRIBUTES = [
  'ErrorCode',
  'ErrorKind',
  'ErrorMessage',
  'ThuliumRequestId',
  'SourceMessageId',
  'SourceQueueArn',
  'ReceiveCount',
  'FailedAt',
  'UpdateReference',
] as const;

const isReasonAttribute = (name: string) => (REASON_ATTRIBUTES as readonly string[]).includes(name);

function reasonAttributes(record: SQSRecord, reason: OutboundStatusError, receiveCount: string) {
  const attributes: Partial<Record<(typeof REASON_ATTRIBUTES)[number], MessageAttributeValue>> = {
    ErrorCode: text(reason.code),
    ErrorKind: text(reason.kind),
    ErrorMessage: text(reason.message),
    SourceMessageId: text(record.messageId),
    SourceQueueArn: text(record.eventSourceARN),
    ReceiveCount: { DataType: 'Number', StringValue: receiveCount },
    FailedAt: text(new Date().toISOString()),
  };
  if (reason.thuliumRequestId !== undefined) attributes.ThuliumRequestId = text(reason.thuliumRequestId);
  return attributes;
}

/** The sender's own attributes travel along where SQS's limit leaves room; the reason comes first. */
function withOriginalAttributes(record: SQSRecord, reason: Record<string, MessageAttributeValue>) {
  const attributes = { ...reason };
  for (const [name, value] of Object.entries(record.messageAttributes ?? {})) {
    if (Object.keys(attributes).length >= MAX_ATTRIBUTES) break;
    // A message dead-lettered before carries its old reason: none of it may survive beside the new one.
    if (name in attributes || isReasonAttribute(name)) continue;
    attributes[name] = {
      DataType: value.dataType,
      StringValue: value.stringValue,
      BinaryValue: value.binaryValue === undefined ? undefined : Buffer.from(value.binaryValue, 'base64'),
    };
  }
  return attributes;
}

/**
 * SQS refuses a message whose attributes hold characters outside its allowed set; such a refusal
 * would repeat on every delivery, so the text is made safe and bounded (whole code points only).
 */
function text(value: string): MessageAttributeValue {
  const safe = value.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '?');
  return { DataType: 'String', StringValue: truncate(safe, MAX_ATTRIBUTE_CHARACTERS) || '-' };
}
