import { PhoneNumber } from '../../functions/outbound-status/core/contract.ts';
import { normalisePhoneNumber, type PhonePolicy } from '../../functions/outbound-status/core/phone-number.ts';
import { unwrapEnvelope } from '../../functions/outbound-status/faces/envelopes.ts';
import { type DeadLetter, readDeadLetter } from '../dlq/dead-letter.ts';
import { plural } from '../dlq/format.ts';
import type { Interrupt } from '../dlq/interrupt.ts';
import { resolveDeadLetterQueue } from '../dlq/queues.ts';
import { scanQueue } from '../dlq/scan.ts';
import { createSqsClient } from '../dlq/sqs-client.ts';
import { coverageNotes } from '../dlq/survey.ts';
import { describeError } from '../dlq/cli-error.ts';
import { SERVICES } from './aws.ts';
import type { Options } from './options.ts';

export interface LettersSection {
  queue?: string;
  /** The number's, as `npm run dlq -- list` reads them. */
  letters: DeadLetter[];
  /** What the reading could not see, as `dlq list` says it. */
  notes: string[];
  interrupted?: boolean;
  error?: string;
}

/** The number as the function keys it, and by which rule: known once the stack's outputs are. */
export interface Lookup {
  normalised: string;
  policy: PhonePolicy;
}

/**
 * The DLQ's letters of this number, read as `dlq list` reads them: each message received once with a
 * visibility timeout, all made visible again at the end. Every letter is read to find the number's:
 * its number is in the body only. The reading starts at once; a letter waits for the lookup.
 */
export async function readLetters(
  options: Options,
  lookup: Promise<Lookup>,
  interrupt: Interrupt,
): Promise<LettersSection> {
  const sqs = await createSqsClient(options.dlqUrl);
  let queue: string | undefined;
  try {
    const dlq = await resolveDeadLetterQueue(sqs, options);
    queue = dlq.name;
    const letters: DeadLetter[] = [];
    if (dlq.depth.visible > 0) {
      process.stderr.write(
        `reading ${dlq.name} for this number's letters (~${plural(dlq.depth.visible, 'message')}, none taken)…\n`,
      );
    }
    const scan =
      dlq.depth.visible === 0
        ? { seen: 0, interrupted: false, unreached: 0 }
        : await scanQueue(
            sqs,
            dlq.url,
            async (message) => {
              const { normalised, policy } = await lookup;
              if (isLetterOf(message.Body ?? '', normalised, policy)) letters.push(readDeadLetter(message));
              return 'keep';
            },
            {
              visibilityTimeout: options.visibilityTimeout,
              expected: dlq.depth.visible,
              stopRequested: interrupt.requested,
            },
          );
    letters.sort((a, b) => (a.failedAt ?? '').localeCompare(b.failedAt ?? ''));
    return { queue, letters, notes: coverageNotes(dlq, { letters, scan }), interrupted: scan.interrupted || undefined };
  } catch (error) {
    return { queue, letters: [], notes: [], error: describeError(error, SERVICES.sqs) };
  } finally {
    sqs.destroy();
  }
}

/**
 * Whether a body is an update of this number: its phone_number, inside any envelope, normalised as
 * the function normalises it. A body no update can be read from (broken JSON, say) still counts when
 * a number in its text normalises to the same digits: ops look for exactly those letters.
 */
export function isLetterOf(body: string, normalised: string, policy: PhonePolicy): boolean {
  const number = numberOf(body);
  if (number !== undefined) return normalisePhoneNumber(number, policy) === normalised;
  const wanted = digitsOf(normalised);
  return [...body.matchAll(PHONE_LIKE)].some(([text]) => digitsOf(normalisePhoneNumber(text, policy)) === wanted);
}

/** The same pattern that masks numbers in free text (core/phone-number.ts). */
const PHONE_LIKE = /\+?\d(?:[\d\s\-()./]*\d){5,}/g;

const digitsOf = (text: string) => text.replace(/\D/g, '');

function numberOf(body: string): string | undefined {
  try {
    const { payload } = unwrapEnvelope(JSON.parse(body), Buffer.byteLength(body, 'utf8'));
    const parsed = PhoneNumber.safeParse((payload as { phone_number?: unknown } | null)?.phone_number);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
