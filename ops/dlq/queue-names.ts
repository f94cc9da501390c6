/**
 * infra/create-app.ts's DEFAULT_STACK_NAME. Not imported: that module loads the whole CDK, seconds
 * before the first SQS call; test/integration/dlq-cli.test.ts checks the two agree.
 */
export const DEFAULT_STACK = 'ThuliumOutboundStatus';

/** The names infra/status-queue.ts gives the queues; FIFO stacks add `.fifo`. */
export const queueName = (stack: string, fifo: boolean) => `${stack}-updates${fifo ? '.fifo' : ''}`;
export const deadLetterQueueName = (stack: string, fifo: boolean) => `${stack}-updates-dlq${fifo ? '.fifo' : ''}`;

/** `X-updates-dlq[.fifo]` → `X-updates[.fifo]`: the stack's naming, when only the DLQ was named. */
export function mainQueueNameFor(deadLetterName: string): string | undefined {
  const match = /^(.*)-dlq(\.fifo)?$/.exec(deadLetterName);
  return match ? `${match[1]}${match[2] ?? ''}` : undefined;
}

export const nameOfQueueUrl = (url: string) => url.replace(/\/+$/, '').split('/').pop() ?? url;
