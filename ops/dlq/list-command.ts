import type { SQSClient } from '@aws-sdk/client-sqs';
import { formatListing } from './format.ts';
import type { Interrupt } from './interrupt.ts';
import type { Options } from './options.ts';
import { resolveDeadLetterQueue } from './queues.ts';
import { coverageNotes, surveyDeadLetters } from './survey.ts';

/** `list`: the DLQ by reason, read without consuming. With --json, one object a line and the notes on stderr. */
export async function listCommand(sqs: SQSClient, options: Options, interrupt: Interrupt): Promise<void> {
  const dlq = await resolveDeadLetterQueue(sqs, options);
  const survey = await surveyDeadLetters(sqs, dlq, {
    reasons: options.reasons,
    visibilityTimeout: options.visibilityTimeout,
    limit: options.limit,
    interrupt,
    onLetter: options.json ? (letter) => process.stdout.write(`${JSON.stringify(letter)}\n`) : undefined,
  });
  const notes = coverageNotes(dlq, survey, options.limit);
  if (options.json) {
    process.stderr.write(notes.map((note) => `${note}\n`).join(''));
    return;
  }
  const filter = options.reasons.length === 0 ? '' : ` with reason ${options.reasons.join(' or ')}`;
  const listing = survey.letters.length === 0 ? `no messages${filter}` : formatListing(survey.letters);
  process.stdout.write(`${listing}\n\n${notes.join('\n')}\n`);
}
