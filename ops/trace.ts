/**
 * `npm run -s trace -- <phone_number>`: what happened to one number, from the ordering store, the DLQ
 * and the function's logs. `--help`, and docs/trace.md, say how; the modules in ./trace/ do it.
 */
import { runCli } from './dlq/cli-error.ts';
import { watchInterrupt } from './dlq/interrupt.ts';
import { AwsClients } from './trace/aws.ts';
import { formatReport } from './trace/format.ts';
import { parseOptions } from './trace/options.ts';
import { exitCodeOf, failedParts, trace } from './trace/report.ts';
import { USAGE } from './trace/usage.ts';

async function main(): Promise<number> {
  const parsed = parseOptions(process.argv.slice(2), process.env);
  if (parsed.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const { options } = parsed;
  const interrupt = watchInterrupt(
    'stopping: the DLQ after the message in hand, the log query at once…',
    `quit: DLQ messages in hand are visible again after --visibility-timeout (${options.visibilityTimeout} s)`,
  );
  const aws = new AwsClients();
  try {
    const report = await trace(aws, options, interrupt);
    process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : `${formatReport(report)}\n`);
    // A JSON reader may look at the parts alone: a guessed lookup is said where a person sees it.
    if (options.json && report.warning !== undefined) process.stderr.write(`trace: WARNING: ${report.warning}\n`);
    const failed = failedParts(report);
    // stdout holds every part, failed ones included; this line is for whoever only sees stderr.
    if (failed.length > 0) process.stderr.write(`trace: could not read: ${failed.join(', ')} (see above)\n`);
    return exitCodeOf(report);
  } finally {
    aws.destroy();
    interrupt.dispose();
  }
}

runCli('trace', main);
