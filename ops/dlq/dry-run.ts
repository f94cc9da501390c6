import type { SQSClient } from '@aws-sdk/client-sqs';
import { EXIT_INTERRUPTED } from './cli-error.ts';
import { formatCounts, plural, withReasons } from './format.ts';
import type { Interrupt } from './interrupt.ts';
import type { Options } from './options.ts';
import type { QueueRef } from './queues.ts';
import { coverageNotes, surveyDeadLetters } from './survey.ts';

/**
 * What `redrive` (to `main`) or `discard` (without `main`) would do, from a reading that leaves
 * every message where it was. Nothing is sent or deleted.
 */
export async function dryRun(
  sqs: SQSClient,
  dlq: QueueRef,
  main: QueueRef | undefined,
  options: Options,
  interrupt: Interrupt,
): Promise<number> {
  const survey = await surveyDeadLetters(sqs, dlq, options, interrupt);
  const filter = withReasons(options.reasons);
  const lines = [`dry run: nothing was ${main === undefined ? 'deleted' : 'moved'}.`];
  if (survey.letters.length === 0) {
    lines.push(`no messages${filter} found`);
  } else {
    const fate = main === undefined ? `deleted from ${dlq.name}` : `moved from ${dlq.name} to ${main.name}`;
    lines.push(`${plural(survey.letters.length, 'message')}${filter} would be ${fate}:`, formatCounts(survey.letters));
    lines.push(`with --apply: ${howApplied(main, options, dlq.depth.visible)}`);
  }
  lines.push('', ...coverageNotes(dlq, survey));
  process.stdout.write(`${lines.join('\n')}\n`);
  return survey.scan.interrupted ? EXIT_INTERRUPTED : 0;
}

function howApplied(main: QueueRef | undefined, options: Options, visible: number): string {
  if (main === undefined) return 'each is deleted for good, one line per message on stdout';
  if (options.reasons.length === 0) {
    return `an SQS message move task moves every message in the DLQ (~${visible} now, whatever the reason), attributes as they are`;
  }
  return `each is sent to ${main.name} (body unchanged, the function's reason attributes removed), then deleted from the DLQ`;
}
