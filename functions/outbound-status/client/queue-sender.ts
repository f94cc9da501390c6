import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  type MessageAttributeValue,
  type SendMessageBatchRequestEntry,
} from '@aws-sdk/client-sqs';
import pLimit from 'p-limit';
import { fullJitterDelay } from '../shared/backoff.ts';
import type { StatusUpdate } from '../core/contract.ts';
import { QueueSendError, type FailedEntry } from './errors.ts';
import { toRequestBody, type StatusUpdateInput } from './request-body.ts';

export interface SendOptions {
  /** Defaults to one client per process, configured by the SDK's own settings (region, credentials, endpoint). */
  sqs?: SQSClient;
  /** FIFO: defaults to a hash of the number's digits, so one number's updates keep their order. */
  messageGroupId?: string;
  /** FIFO: defaults to a new UUID per update, reused by its retries, so a retry is never queued twice. */
  deduplicationId?: string;
  messageAttributes?: Record<string, MessageAttributeValue>;
}

export interface BatchOptions {
  sqs?: SQSClient;
  /** Sends of each entry SQS reports as failed without blaming the sender; default 5. */
  maxAttempts?: number;
  /** SendMessageBatch calls in flight on a standard queue; a FIFO queue gets one at a time, in order. */
  concurrency?: number;
  messageAttributes?: Record<string, MessageAttributeValue>;
}

const SQS_BATCH_LIMIT = 10;
let sharedClient: SQSClient | undefined;
// A queue URL must not override AWS_ENDPOINT_URL_SQS or a configured endpoint (a VPC endpoint, say).
const clientOf = (options: { sqs?: SQSClient }) =>
  options.sqs ?? (sharedClient ??= new SQSClient({ useQueueUrlAsEndpoint: false }));
const isFifo = (queueUrl: string) => queueUrl.endsWith('.fifo');

/** A group id that keeps a number's updates in order without putting the number itself in SQS's metadata. */
export const messageGroupIdFor = (update: StatusUpdate) =>
  createHash('sha256').update(update.phoneNumber.replace(/\D/g, '')).digest('hex').slice(0, 32);

/** Queues one update; resolves once SQS holds it. */
export async function sendStatusUpdate(
  queueUrl: string,
  input: StatusUpdateInput,
  options: SendOptions = {},
): Promise<{ messageId: string }> {
  const { body, update } = toRequestBody(input);
  const fifo = isFifo(queueUrl);
  const answer = await clientOf(options).send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: body,
      MessageAttributes: options.messageAttributes,
      MessageGroupId: fifo ? (options.messageGroupId ?? messageGroupIdFor(update)) : undefined,
      MessageDeduplicationId: fifo ? (options.deduplicationId ?? randomUUID()) : undefined,
    }),
  );
  return { messageId: answer.MessageId as string };
}

/**
 * Queues many updates with SendMessageBatch, ten at a time. Every update is checked before the
 * first is sent. Entries SQS fails without blaming the sender are sent again with back-off; if any
 * still fail, a QueueSendError lists them and the message ids of all the others.
 */
export async function sendStatusUpdates(
  queueUrl: string,
  inputs: StatusUpdateInput[],
  options: BatchOptions = {},
): Promise<{ messageIds: string[] }> {
  const fifo = isFifo(queueUrl);
  const entries = inputs.map((input, index): SendMessageBatchRequestEntry => {
    const { body, update } = toRequestBody(input, index);
    return {
      Id: String(index),
      MessageBody: body,
      MessageAttributes: options.messageAttributes,
      MessageGroupId: fifo ? messageGroupIdFor(update) : undefined,
      MessageDeduplicationId: fifo ? randomUUID() : undefined,
    };
  });
  const send = (batch: SendMessageBatchRequestEntry[]) =>
    sendWithRetries(clientOf(options), queueUrl, batch, options.maxAttempts ?? 5);
  const limit = pLimit(fifo ? 1 : (options.concurrency ?? 4));
  const results = await Promise.all(batchesOf(entries, fifo).map((batch) => limit(() => send(batch))));
  const sent = results.flatMap((r) => r.sent).sort((a, b) => a.index - b.index);
  const failed = results.flatMap((r) => r.failed).sort((a, b) => a.index - b.index);
  if (failed.length > 0) throw new QueueSendError(failed, sent);
  return { messageIds: sent.map((s) => s.messageId) };
}

/**
 * Batches of at most ten, in order. On FIFO a message group appears once per batch: a batch is
 * settled, retries included, before the next goes, so a retried entry never lands after a later
 * update of the same number.
 */
function batchesOf(entries: SendMessageBatchRequestEntry[], fifo: boolean): SendMessageBatchRequestEntry[][] {
  const batches: SendMessageBatchRequestEntry[][] = [];
  let groups = new Set<string | undefined>();
  for (const entry of entries) {
    const current = batches.at(-1);
    if (!current || current.length === SQS_BATCH_LIMIT || (fifo && groups.has(entry.MessageGroupId))) {
      batches.push([entry]);
      groups = new Set([entry.MessageGroupId]);
    } else {
      current.push(entry);
      groups.add(entry.MessageGroupId);
    }
  }
  return batches;
}

async function sendWithRetries(
  sqs: SQSClient,
  queueUrl: string,
  batch: SendMessageBatchRequestEntry[],
  maxAttempts: number,
) {
  const sent: { index: number; messageId: string }[] = [];
  const blamed: FailedEntry[] = [];
  let pending = batch;
  let failed: FailedEntry[] = [];
  for (let attempt = 1; pending.length > 0 && attempt <= maxAttempts; attempt++) {
    if (attempt > 1) await sleep(fullJitterDelay(attempt, 100, Number.POSITIVE_INFINITY));
    failed = [];
    try {
      const answer = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending }));
      for (const ok of answer.Successful ?? []) sent.push({ index: Number(ok.Id), messageId: ok.MessageId as string });
      for (const f of answer.Failed ?? []) {
        failed.push({
          index: Number(f.Id),
          code: f.Code ?? 'Unknown',
          message: f.Message ?? '',
          senderFault: f.SenderFault === true,
        });
      }
    } catch (error) {
      // The SDK has retried the call itself; unless SQS blamed the request, the entries get another round (same dedup ids on FIFO).
      const { name, message, $fault } = error as Error & { $fault?: string };
      failed = pending.map((e) => ({ index: Number(e.Id), code: name, message, senderFault: $fault === 'client' }));
    }
    blamed.push(...failed.filter((f) => f.senderFault));
    const retry = new Set(failed.filter((f) => !f.senderFault).map((f) => String(f.index)));
    pending = pending.filter((e) => retry.has(e.Id as string));
  }
  return { sent, failed: [...blamed, ...failed.filter((f) => !f.senderFault)] };
}
