/**
 * infra/create-app.ts's DEFAULT_STACK_NAME. Not imported: that module loads the whole CDK, seconds
 * before the first SQS call; test/integration/dlq-cli.test.ts checks the two agree.
 */
export const DEFAULT_STACK = 'ThuliumOutboundStatus';

/** The names infra/status-queue.ts gives the queue and the DLQ; FIFO stacks add `.fifo`. */
export const mainQueueName = (stack: string, fifo: boolean) => `${stack}-updates${fifo ? '.fifo' : ''}`;
export const deadLetterQueueName = (stack: string, fifo: boolean) => `${stack}-updates-dlq${fifo ? '.fifo' : ''}`;

/** `X-updates-dlq[.fifo]` → `X-updates[.fifo]`: the main queue by the stack's naming. */
export function mainQueueNameFor(deadLetterName: string): string | undefined {
  const match = /^(.*)-dlq(\.fifo)?$/.exec(deadLetterName);
  return match ? `${match[1]}${match[2] ?? ''}` : undefined;
}

export const nameOfQueueUrl = (url: string) => url.replace(/\/+$/, '').split('/').pop() ?? url;
