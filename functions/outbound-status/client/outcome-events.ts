import type * as z from 'zod/mini';
import { OUTCOME_DETAIL_TYPES, OUTCOME_EVENT_SOURCE, OutcomeEvent } from '../faces/outcome-event.ts';

/** At most this many problems in the message: enough to see what arrived, not a page of it. */
const MAX_PROBLEMS = 5;

/** What was handed to parseOutcomeEvent is not an outcome event of this function. */
export class OutcomeEventError extends Error {
  /** Each problem: where in the event (`detail.outcome`, or `event` for the whole) and what is wrong. */
  readonly problems: { path: string; message: string }[];
  constructor(problems: { path: string; message: string }[]) {
    const listed = problems
      .slice(0, MAX_PROBLEMS)
      .map((p) => `${p.path}: ${p.message}`)
      .join('; ');
    super(`Not an outcome event of ${OUTCOME_EVENT_SOURCE}: ${listed}`);
    this.name = 'OutcomeEventError';
    this.problems = problems;
  }
}

/**
 * An outcome event, checked: the event object a Lambda target of the rule receives, or the JSON text
 * an SQS target delivers (the message body). Fields added to the detail later are kept, not refused.
 * Throws an OutcomeEventError naming what is wrong.
 */
export function parseOutcomeEvent(input: unknown): OutcomeEvent {
  const value = typeof input === 'string' ? jsonOf(input) : input;
  const parsed = OutcomeEvent.safeParse(value, { reportInput: true });
  if (!parsed.success) {
    throw new OutcomeEventError(
      parsed.error.issues.map((issue) => ({
        path: issue.path.length === 0 ? 'event' : issue.path.map(String).join('.'),
        message: problemOf(issue),
      })),
    );
  }
  // Each type names one outcome: an event saying otherwise was not written by this function.
  const { detail } = parsed.data;
  const expected = OUTCOME_DETAIL_TYPES[detail.outcome];
  if (parsed.data['detail-type'] !== expected) {
    throw new OutcomeEventError([
      { path: 'detail-type', message: `is "${parsed.data['detail-type']}" but detail.outcome is "${detail.outcome}"` },
    ]);
  }
  return parsed.data;
}

function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new OutcomeEventError([{ path: 'event', message: 'is not JSON' }]);
  }
}

/** zod/mini carries no messages of its own (a library must not set zod's locale for its caller): say it here. */
function problemOf(issue: z.core.$ZodIssue): string {
  if (issue.input === undefined) return 'is missing';
  if (issue.code === 'invalid_type') return `must be ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
  if (issue.code === 'invalid_value') {
    // The value is the sender's own `source` or `detail-type`, short; bounded all the same.
    const given = JSON.stringify(issue.input).slice(0, 60);
    return `is ${given}, not ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`;
  }
  return issue.message;
}
