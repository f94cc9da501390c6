/**
 * `npm run dlq -- <command>`: inspect and redrive the dead-letter queue. `--help`, and README
 * ("Dead-letter queue tool"), say how; the modules in ./dlq/ do it.
 */
import { CliError, describeError } from './dlq/cli-error.ts';
import { watchInterrupt } from './dlq/interrupt.ts';
import { parseOptions } from './dlq/options.ts';
import { runCommand } from './dlq/run.ts';
import { createSqsClient } from './dlq/sqs-client.ts';
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

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`dlq: ${describeError(error)}\n`);
    process.exitCode = error instanceof CliError ? error.exitCode : 1;
  },
);

// A late rejection must not print a stack trace either.
process.on('unhandledRejection', (error) => {
  process.stderr.write(`dlq: ${describeError(error)}\n`);
  process.exit(1);
});
