import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { CliError, isMissingQueue } from './cli-error.ts';
import { deadLetterQueueName, mainQueueNameFor, nameOfQueueUrl } from './queue-names.ts';

export interface QueueRef {
  url: string;
  name: string;
  arn: string;
  fifo: boolean;
  /** As the queue was found: the depth a command starts from. */
  depth: Depth;
}

interface QueueChoice {
  dlqUrl?: string;
  queueUrl?: string;
  stack: string;
}

export interface Depth {
  visible: number;
  inFlight: number;
  delayed: number;
}

const DEPTH_ATTRIBUTES = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
] as const;

/** The DLQ: its URL as given, else the stack's standard DLQ, else the stack's FIFO DLQ. */
export async function resolveDeadLetterQueue(sqs: SQSClient, choice: QueueChoice): Promise<QueueRef> {
  if (choice.dlqUrl !== undefined) return describe(sqs, choice.dlqUrl, 'DLQ');
  for (const fifo of [false, true]) {
    const url = await urlOf(sqs, deadLetterQueueName(choice.stack, fifo));
    if (url !== undefined) return describe(sqs, url, 'DLQ');
  }
  throw new CliError(
    `no DLQ for stack "${choice.stack}": neither ${deadLetterQueueName(choice.stack, false)} nor ${deadLetterQueueName(choice.stack, true)} exists in this account and region; give --stack, --dlq or DLQ_URL`,
  );
}

/** The queue messages go back to: as given, else by the stack's naming from the DLQ's name, of the DLQ's type. */
export async function resolveMainQueue(sqs: SQSClient, choice: QueueChoice, dlq: QueueRef): Promise<QueueRef> {
  let queue: QueueRef;
  if (choice.queueUrl !== undefined) {
    queue = await describe(sqs, choice.queueUrl, 'main queue');
  } else {
    const name = mainQueueNameFor(dlq.name);
    const url = name === undefined ? undefined : await urlOf(sqs, name);
    if (url === undefined)
      throw new CliError(`main queue ${name ?? `for ${dlq.name}`} not found; give --queue or QUEUE_URL`);
    queue = await describe(sqs, url, 'main queue');
  }
  if (queue.fifo !== dlq.fifo)
    throw new CliError(`${queue.name} and ${dlq.name} are not both FIFO or both standard; check --queue and --dlq`);
  return queue;
}

export async function depthOf(sqs: SQSClient, url: string): Promise<Depth> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: [...DEPTH_ATTRIBUTES] }),
  );
  return toDepth(Attributes);
}

const toDepth = (attributes: Record<string, string>): Depth => ({
  visible: Number(attributes.ApproximateNumberOfMessages ?? 0),
  inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
  delayed: Number(attributes.ApproximateNumberOfMessagesDelayed ?? 0),
});

async function urlOf(sqs: SQSClient, name: string): Promise<string | undefined> {
  try {
    return (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
  } catch (error) {
    if (isMissingQueue(error)) return undefined;
    throw error;
  }
}

/** One GetQueueAttributes for what the queue is and how deep it is. SQS requires a FIFO queue's name to end in `.fifo`. */
async function describe(sqs: SQSClient, url: string, role: string): Promise<QueueRef> {
  try {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn', ...DEPTH_ATTRIBUTES] }),
    );
    const name = nameOfQueueUrl(url);
    return { url, name, arn: Attributes.QueueArn ?? '', fifo: name.endsWith('.fifo'), depth: toDepth(Attributes) };
  } catch (error) {
    if (isMissingQueue(error)) throw new CliError(`${role} not found: ${url}`);
    throw error;
  }
}
