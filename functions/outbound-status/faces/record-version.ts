import { type UpdateVersion, versionOf, versionText } from '../core/ordering.ts';

/** What a queue record says of when its update was sent, before and after its body is read. */
export interface Delivery {
  /** The dead-letter queue's `UpdateVersion` attribute, when the record was redriven. */
  carriedVersion?: string;
  /** SQS's `SentTimestamp` attribute (epoch ms, as text). */
  sentTimestamp?: string;
  /** The SNS or EventBridge envelope the update came in, with its own time. */
  envelope?: { source: 'sns' | 'eventbridge'; sentAt: number | undefined };
  /** The sender's own `updated_at`, once the body is read. */
  updatedAt?: number;
}

/**
 * A queue record's version, newest knowledge first: the sender's `updated_at`; a redriven dead
 * letter's first version (a redrive must never make an update new); the wrapping envelope's time;
 * SQS's SentTimestamp; and, failing all, now.
 */
export function recordVersion(delivery: Delivery, now: number): UpdateVersion {
  return versionOf(delivery, carriedVersion(delivery.carriedVersion) ?? receivedVersion(delivery, now));
}

/** Only in the form dead-letter-queue.ts writes: a sender's own attribute of that name is no version. */
function carriedVersion(carried: string | undefined): UpdateVersion | undefined {
  const at = Date.parse(carried ?? '');
  return Number.isFinite(at) && versionText(at) === carried ? { at, source: 'dead-letter' } : undefined;
}

function receivedVersion({ envelope, sentTimestamp }: Delivery, now: number): UpdateVersion {
  if (envelope?.sentAt !== undefined) return { at: envelope.sentAt, source: envelope.source };
  const sent = Number(sentTimestamp);
  return { at: Number.isFinite(sent) && sent > 0 ? sent : now, source: 'sqs' };
}
