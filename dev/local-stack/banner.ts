import type { LocalStack } from '../start.ts';

/** What `npm start` prints: where everything is, and a command to paste for each way in. */
export function banner(stack: LocalStack): string {
  const { settings, queue, commands } = stack;
  const names = (url: string) => url.split('/').pop();
  return [
    `thulium-outbound-status listening on ${stack.url} (${stack.mode})`,
    `queue ${names(queue.queue.url)} (DLQ ${names(queue.queue.deadLetter.url)} after ${settings.maxReceiveCount} deliveries) and topic ${queue.topicArn} on ${queue.sqs.endpoint}:`,
    `  ${settings.maxConcurrency} pollers, batches of ${settings.batchSize} within ${settings.batchWindowSeconds} s, function timeout ${settings.timeoutSeconds} s`,
    ...stack.warnings.map((warning) => `WARNING: ${warning}`),
    '',
    'HTTP (with a reference of your own, echoed in its outcome event):',
    `  ${commands.curl}`,
    'The queue, the topic, and the producer helper (any AWS keys do):',
    `  ${commands.sendMessage}`,
    `  ${commands.publish}`,
    `  ${commands.producer}`,
    'A status Thulium refuses goes to the DLQ with its reason; list it:',
    `  ${commands.sendRefused}`,
    `  ${commands.dlqList}`,
    ...(commands.trace ? ['What happened to a number:', `  ${commands.trace}`] : []),
    '',
    `One line per update below${stack.showsEvents ? ', and one per outcome event' : ''}. Ctrl-C stops everything.`,
  ].join('\n');
}
