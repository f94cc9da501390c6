import type { SQSClient } from '@aws-sdk/client-sqs';
import { EXIT_INTERRUPTED } from './cli-error.ts';
import { formatListing, withReasons } from './format.ts';
import type { Interrupt } from './interrupt.ts';
import type { Options } from './options.ts';
import { resolveDeadLetterQueue } from './queues.ts';
import { coverageNotes, surveyDeadLetters } from './survey.ts';

/** `list`: the DLQ by reason, read without consuming. With --json, one object a line and the notes on stderr. */
export async function listCommand(sqs: SQSClient, options: Options, interrupt: Interrupt): Promise<number> {
  const dlq = await resolveDeadLetterQueue(sqs, options);
  const survey = await surveyDeadLetters(
    sqs,
    dlq,
    options,
    interrupt,
    options.json ? (letter) => process.stdout.write(`${JSON.stringify(letter)}\n`) : undefined,
  );
  const notes = coverageNotes(dlq, survey, options.limit);
  if (options.json) {
    process.stderr.write(notes.map((note) => `${note}\n`).join(''));
  } else {
    const listing =
      survey.letters.length === 0 ? `no messages${withReasons(options.reasons)}` : formatListing(survey.letters);
    process.stdout.write(`${listing}\n\n${notes.join('\n')}\n`);
  }
  return interrupt.requested() ? EXIT_INTERRUPTED : 0;
}
