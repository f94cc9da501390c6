import type { Config } from '../config.ts';
import type { ErrorCode, ErrorKind } from '../core/error-catalogue.ts';
import { visibilityBackoffSeconds } from '../shared/backoff.ts';

/** SQS refuses a visibility timeout above 12 hours. */
const MAX_VISIBILITY_SECONDS = 43_200;

/** Where a failed queue record goes; exactly one of these, never nothing. */
export type Disposition =
  /** Nothing to retry: SQS deletes it (a newer update stands). */
  | { action: 'acknowledge' }
  /** Into the DLQ by the function's hand, with its reason. */
  | { action: 'dead-letter' }
  /** Listed for SQS to deliver again as soon as its visibility ends: it was never tried. */
  | { action: 'retry-now' }
  /** Listed, with its visibility stretched to a back-off. */
  | { action: 'retry-later'; visibilitySeconds: number };

export interface FailedRecord {
  code: ErrorCode;
  kind: ErrorKind;
  /** Thulium's Retry-After, when it gave one, or the wait for a turn of the budget. */
  retryAfterSeconds?: number;
  /** It waited for a turn of the budget that would not come in time. */
  awaitingTurn?: boolean;
  receiveCount: number;
}

/**
 * The queue face's rule for a record that did not apply. Hopeless records go to the DLQ at once, and
 * so does any record on its last delivery, so it arrives there with its reason rather than reason-less
 * through the redrive policy.
 */
export function dispositionOf(
  failed: FailedRecord,
  queue: Config['queue'],
  random: () => number = Math.random,
): Disposition {
  if (failed.kind === 'superseded') return { action: 'acknowledge' };
  const hopeless = failed.kind === 'invalid-request' || failed.kind === 'refused';
  if (hopeless || failed.receiveCount >= queue.maxReceiveCount) return { action: 'dead-letter' };
  if (failed.code === 'DEADLINE_EXCEEDED') return { action: 'retry-now' };
  // Its turn is known: back then, a tenth later at most, so records refused together do not return as one burst.
  if (failed.awaitingTurn && failed.retryAfterSeconds !== undefined) {
    const seconds = Math.round(failed.retryAfterSeconds * (1 + random() / 10));
    return { action: 'retry-later', visibilitySeconds: Math.min(Math.max(1, seconds), MAX_VISIBILITY_SECONDS) };
  }
  const backoff = visibilityBackoffSeconds(
    failed.receiveCount,
    queue.visibilityBaseSeconds,
    queue.visibilityMaxSeconds,
    random,
  );
  // Thulium's Retry-After (at most an hour) wins over our own maximum: coming back sooner only meets another 429.
  const seconds = Math.min(Math.max(backoff, failed.retryAfterSeconds ?? 0), MAX_VISIBILITY_SECONDS);
  return { action: 'retry-later', visibilitySeconds: seconds };
}
