/**
 * `npm run dlq -- <command>`: inspect and redrive the dead-letter queue. `--help`, and docs/runbook.md
 * ("Dead-letter queue tool"), say how; the modules in ./dlq/ do it.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { runCli } from './dlq/cli-error.ts';
import { discardCommand } from './dlq/discard-command.ts';
import { watchInterrupt, type Interrupt } from './dlq/interrupt.ts';
import { listCommand } from './dlq/list-command.ts';
import { parseOptions, type Options } from './dlq/options.ts';
import { redriveCommand } from './dlq/redrive-command.ts';
import { createSqsClient } from './dlq/sqs-client.ts';
import { cancelCommand, statusCommand } from './dlq/status-command.ts';
import { USAGE } from './dlq/usage.ts';

async function main(): Promise<number> {
  const parsed = parseOptions(process.argv.slice(2), process.env);
  if (parsed.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const { options } = parsed;
  const interrupt = watchInterrupt(
    'stopping after the message in hand…',
    `quit: messages in hand are back in the DLQ after --visibility-timeout (${options.visibilityTimeout} s); a move task started by redrive goes on in SQS (see status, cancel)`,
  );
  const sqs = await createSqsClient(options.dlqUrl);
  try {
    return await runCommand(sqs, options, interrupt);
  } finally {
    sqs.destroy();
    interrupt.dispose();
  }
}

/** One command, to its exit code. */
function runCommand(sqs: SQSClient, options: Options, interrupt: Interrupt): Promise<number> {
  switch (options.command) {
    case 'list':
      return listCommand(sqs, options, interrupt);
    case 'redrive':
      return redriveCommand(sqs, options, interrupt);
    case 'discard':
      return discardCommand(sqs, options, interrupt);
    case 'status':
      return statusCommand(sqs, options);
    case 'cancel':
      return cancelCommand(sqs, options);
  }
}

runCli('dlq', main);
