import {
  ChangeMessageVisibilityBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { depthOf } from './queues.ts';

/** What a visitor did with a message: `keep` leaves it in the queue (released at the end), `gone` deleted it. */
type Verdict = 'keep' | 'gone';

interface ScanOptions {
  /** How long a message read stays hidden; after a crash, what was in hand is back after this. */
  visibilityTimeout: number;
  /** Checked before each message: true ends the scan there, as finished (e.g. a listing's --limit). */
  enough?: () => boolean;
  /** Stop once this many distinct messages were seen (the queue's approximate count), without a last empty receive. */
  expected?: number;
  /** Checked before each message: true stops after the message in hand. */
  stopRequested?: () => boolean;
}

export interface ScanResult {
  seen: number;
  /** `stopRequested` ended it. */
  interrupted: boolean;
  /** Visible but never received when the scan ended: on FIFO, messages behind a held message of their group. */
  unreached: number;
}

/** A long poll asks every SQS server, so an empty answer means empty; a short one may miss messages. */
const WAIT_SECONDS = 1;
const BATCH = 10;

/**
 * Reads a queue without consuming it: every message is received with a visibility timeout, handed
 * to `visit` once (SQS may deliver a message twice, and a kept one may come back when its timeout
 * ends), and what was kept is made visible again at the end, whatever happened in between.
 */
export async function scanQueue(
  sqs: SQSClient,
  url: string,
  visit: (message: Message) => Promise<Verdict>,
  options: ScanOptions,
): Promise<ScanResult> {
  const held = new Map<string, string>();
  const visited = new Set<string>();
  let interrupted = false;
  const full = () => options.enough?.() === true;
  try {
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: BATCH,
          VisibilityTimeout: options.visibilityTimeout,
          WaitTimeSeconds: WAIT_SECONDS,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      // Held from the moment of receipt: whatever happens next, each one is released or deleted.
      for (const message of Messages) {
        if (!visited.has(message.MessageId!) || held.has(message.MessageId!))
          held.set(message.MessageId!, message.ReceiptHandle!);
      }
      const fresh = Messages.filter((message) => !visited.has(message.MessageId!));
      for (const message of fresh) {
        if (full()) break;
        if (options.stopRequested?.()) {
          interrupted = true;
          break;
        }
        visited.add(message.MessageId!);
        if ((await visit(message)) === 'gone') held.delete(message.MessageId!);
      }
      if (options.stopRequested?.()) interrupted = true;
      // Only an empty answer ends it: kept messages back after their timeout say nothing of the rest.
      if (interrupted || Messages.length === 0 || full()) break;
      if (options.expected !== undefined && visited.size >= options.expected) break;
    }
    const unreached = (await depthOf(sqs, url)).visible;
    await release(sqs, url, [...held.values()]);
    return { seen: visited.size, interrupted, unreached };
  } catch (error) {
    await release(sqs, url, [...held.values()]).catch(() => {});
    throw error;
  }
}

/**
 * Visibility 0 for every message still held. A handle whose timeout already ended fails harmlessly
 * (the message is visible anyway), so failures are not reported.
 */
async function release(sqs: SQSClient, url: string, handles: string[]): Promise<void> {
  for (let i = 0; i < handles.length; i += BATCH) {
    const entries = handles
      .slice(i, i + BATCH)
      .map((handle, n) => ({ Id: String(n), ReceiptHandle: handle, VisibilityTimeout: 0 }));
    await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: url, Entries: entries }));
  }
}
