import type { SQSRecord } from 'aws-lambda';
import { beforeDeadline } from '../shared/deadline.ts';
import { describeError } from '../shared/text.ts';
import { logger } from './observability.ts';
import type { QueueDependencies } from './queue-face.ts';

/** Best effort: if this fails, the message still comes back after the queue's own visibility timeout. */
export async function delayRedelivery(
  record: SQSRecord,
  seconds: number,
  deps: QueueDependencies,
  cleanupDeadline: number,
): Promise<number | undefined> {
  try {
    const change = deps.sqs.changeMessageVisibility({
      QueueUrl: queueUrlOf(record.eventSourceARN),
      ReceiptHandle: record.receiptHandle,
      VisibilityTimeout: seconds,
    });
    await beforeDeadline(change, cleanupDeadline, () => new Error('ChangeMessageVisibility timed out'));
    return seconds;
  } catch (visibilityError) {
    logger.warn('could not extend message visibility', {
      correlation_id: record.messageId,
      reason: describeError(visibilityError),
    });
    return undefined;
  }
}

/** arn:aws:sqs:eu-west-1:123456789012:orders → https://sqs.eu-west-1.amazonaws.com/123456789012/orders */
function queueUrlOf(arn: string): string {
  const [, partition, , region, account, name] = arn.split(':');
  const domain = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sqs.${region}.${domain}/${account}/${name}`;
}
