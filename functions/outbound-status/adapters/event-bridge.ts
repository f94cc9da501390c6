import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { AWS_CLIENT_LIMITS } from '../shared/deadline.ts';
import { describeError } from '../shared/text.ts';

/** EventBridge takes at most this many entries in one PutEvents call. */
export const PUT_EVENTS_LIMIT = 10;

export interface EventEntry {
  detailType: string;
  /** The detail, as JSON. */
  detail: string;
  time: Date;
}

export interface Refused {
  entry: EventEntry;
  /** EventBridge's error code, or what failed the call. */
  reason: string;
}

/**
 * One PutEvents call of at most {@link PUT_EVENTS_LIMIT} entries: resolves with the entries
 * EventBridge did not take (none when all went in), never throws. The SDK retries a call that failed
 * as a whole (throttling, 5xx); entries refused inside an answer are the caller's to retry.
 */
export type PutEvents = (entries: EventEntry[], deadline: number) => Promise<Refused[]>;

export function eventBridgePutEvents(
  busName: string,
  source: string,
  client = new EventBridgeClient(AWS_CLIENT_LIMITS),
): PutEvents {
  return async (entries, deadline) => {
    const command = new PutEventsCommand({
      Entries: entries.map((entry) => ({
        EventBusName: busName,
        Source: source,
        DetailType: entry.detailType,
        Detail: entry.detail,
        Time: entry.time,
      })),
    });
    // Aborted at the deadline, so a call never goes on (or starts again) after its invocation gave up on it.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error('PutEvents timed out')), Math.max(0, deadline - Date.now()));
    try {
      const answer = await client.send(command, { abortSignal: abort.signal });
      if (!answer.FailedEntryCount) return [];
      // Entries answer in the order they were sent; one with an ErrorCode was not taken.
      return entries.flatMap((entry, i) => {
        const code = answer.Entries?.[i]?.ErrorCode;
        return code === undefined ? [] : [{ entry, reason: code }];
      });
    } catch (error) {
      const reason = describeError(error);
      return entries.map((entry) => ({ entry, reason }));
    } finally {
      clearTimeout(timer);
    }
  };
}
