import {
  BatchProcessor,
  EventType,
  processPartialResponse,
  SqsFifoPartialProcessorAsync,
} from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import pLimit from 'p-limit';
import { visibilityBackoffSeconds } from '../shared/backoff.ts';
import type { Config } from '../config.ts';
import type { StatusUpdate } from '../core/contract.ts';
import { beforeDeadline, MIN_ATTEMPT_MS } from '../shared/deadline.ts';
import { UPDATE_VERSION_ATTRIBUTE, type DeadLetterQueue } from '../adapters/dead-letter-queue.ts';
import { versionOf, versionText, type UpdateVersion } from '../core/ordering.ts';
import { parseQueueBody } from './envelopes.ts';
import { DeadlineExceededError, OutboundStatusError, ThuliumUnavailableError } from '../core/errors.ts';
import { logger, metrics, recordOutcome, type OutcomeRecord } from './observability.ts';
import type { SqsCalls } from '../adapters/sqs-calls.ts';
import { METRIC } from './metric-names.ts';
import type { UpdateStats, UpdateStatus } from '../core/update-status.ts';

export interface QueueDependencies {
  updateStatus: UpdateStatus;
  deadLetters: DeadLetterQueue;
  sqs: SqsCalls;
  maxBodyBytes: number;
  queue: Config['queue'];
  /** Time kept after the deadline for moving messages to the DLQ and delaying retries. */
  safetyMarginMs: number;
}

/**
 * Each record ends in exactly one place: applied, in the dead-letter queue with its reason, or in
 * `batchItemFailures` for SQS to deliver again. Powertools builds the response from what throws.
 */
export async function handleQueueBatch(
  event: SQSEvent,
  deps: QueueDependencies,
  deadline: number,
  context: Context,
): Promise<SQSBatchResponse> {
  const limit = pLimit(deps.queue.concurrency);
  const handleRecord = (record: SQSRecord) => limit(() => processRecord(record, deps, deadline));
  if (event.Records[0]?.eventSourceARN.endsWith('.fifo')) {
    // FIFO records run one by one, and a failure fails the rest of its message group, to keep order.
    const processor = new SqsFifoPartialProcessorAsync();
    return processPartialResponse(event, handleRecord, processor, {
      context,
      throwOnFullBatchFailure: false,
      skipGroupOnError: true,
    });
  }
  return processPartialResponse(event, handleRecord, new BatchProcessor(EventType.SQS), {
    context,
    throwOnFullBatchFailure: false,
  });
}

async function processRecord(record: SQSRecord, deps: QueueDependencies, deadline: number): Promise<void> {
  const startedAt = Date.now();
  const correlationId = record.messageId;
  const stats: UpdateStats = { attempts: 0, credentialsRefreshed: false };
  const cleanupDeadline = deadline + deps.safetyMarginMs / 2;
  let update: StatusUpdate | undefined;
  let version = deliveredVersion(record);
  // Which SNS topic or EventBridge source wrapped the update, so a log line leads to its sender.
  let via: Record<string, unknown> = {};
  const log = (outcome: OutcomeRecord) => recordOutcome({ ...outcome, extra: { ...outcome.extra, ...via } });
  try {
    // A record reached after the batch ran out of time is left untouched for its next delivery.
    if (deadline - Date.now() < MIN_ATTEMPT_MS) throw new DeadlineExceededError();
    const parsed = parseQueueBody(record.body, deps.maxBodyBytes);
    update = parsed.update;
    if (parsed.envelope !== 'none') via = { envelope: parsed.envelope, envelope_origin: parsed.origin };
    if (version.source === 'sqs' && parsed.sentAt !== undefined && parsed.envelope !== 'none') {
      version = { at: parsed.sentAt, source: parsed.envelope };
    }
    version = versionOf(update, version);
    const answer = await deps.updateStatus({ ...update, version }, deadline, stats);
    log({
      outcome: 'updated',
      face: 'queue',
      correlationId,
      update,
      version,
      stats,
      startedAt,
      extra: { campaigns: answer.outbound_id.length },
    });
  } catch (error) {
    if (!(error instanceof OutboundStatusError)) {
      logger.error('unexpected failure; message left for retry', {
        correlation_id: correlationId,
        error: error as Error,
      });
      metrics.addMetric(METRIC.unexpectedErrors, MetricUnit.Count, 1);
      throw error;
    }
    const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? '1');
    const common = { face: 'queue' as const, correlationId, update, version, stats: update && stats, startedAt, error };
    if (error.kind === 'superseded') {
      // Acknowledged: the newer update stands, and this one must never be sent.
      log({ ...common, outcome: 'superseded' });
      return;
    }
    const hopeless = error.kind === 'invalid-request' || error.kind === 'refused';
    // On its last delivery a message goes to the DLQ by our hand, so it arrives with its reason.
    if (hopeless || receiveCount >= deps.queue.maxReceiveCount) {
      try {
        await beforeDeadline(
          deps.deadLetters.send(record, error, version.at),
          cleanupDeadline,
          () => new Error('DLQ send timed out'),
        );
      } catch (dlqError) {
        log({ ...common, outcome: 'retry-scheduled', extra: { dead_letter_failure: describe(dlqError) } });
        throw error;
      }
      log({ ...common, outcome: 'dead-lettered', extra: { receive_count: receiveCount } });
      return;
    }
    if (error instanceof DeadlineExceededError) {
      // Never tried: no back-off, its next delivery gets a full attempt.
      log({ ...common, outcome: 'retry-scheduled', extra: { receive_count: receiveCount } });
      throw error;
    }
    const visibility = await delayRedelivery(record, error, receiveCount, deps, cleanupDeadline);
    log({
      ...common,
      outcome: 'retry-scheduled',
      extra: { receive_count: receiveCount, visibility_seconds: visibility },
    });
    throw error;
  }
}

/**
 * When AWS took the update in, before its body is read: a redriven dead letter keeps its first
 * version, anything else has SQS's SentTimestamp (an SNS or EventBridge envelope's time wins, above).
 */
function deliveredVersion(record: SQSRecord): UpdateVersion {
  // Only in the form dead-letter-queue.ts writes: a sender's own attribute of that name is no version.
  const carried = record.messageAttributes?.[UPDATE_VERSION_ATTRIBUTE]?.stringValue ?? '';
  const at = Date.parse(carried);
  if (Number.isFinite(at) && versionText(at) === carried) return { at, source: 'dead-letter' };
  const sent = Number(record.attributes.SentTimestamp);
  return { at: Number.isFinite(sent) && sent > 0 ? sent : Date.now(), source: 'sqs' };
}

/** Best effort: if this fails, the message still comes back after the queue's own visibility timeout. */
async function delayRedelivery(
  record: SQSRecord,
  error: OutboundStatusError,
  receiveCount: number,
  deps: QueueDependencies,
  cleanupDeadline: number,
): Promise<number | undefined> {
  const { visibilityBaseSeconds, visibilityMaxSeconds } = deps.queue;
  let seconds = visibilityBackoffSeconds(receiveCount, visibilityBaseSeconds, visibilityMaxSeconds);
  // Thulium's Retry-After (at most an hour) wins over our own maximum: coming back sooner only meets another 429.
  if (error instanceof ThuliumUnavailableError) seconds = Math.max(seconds, error.retryAfterSeconds);
  seconds = Math.min(seconds, 43_200);
  try {
    const change = deps.sqs.changeMessageVisibility({
      QueueUrl: queueUrlOf(record.eventSourceARN),
      ReceiptHandle: record.receiptHandle,
      VisibilityTimeout: seconds,
    });
    await beforeDeadline(change, cleanupDeadline, () => new Error('ChangeMessageVisibility timed out'));
    return seconds;
  } catch (visibilityError) {
    logger.warn('could not extend message visibility', {
      correlation_id: record.messageId,
      reason: describe(visibilityError),
    });
    return undefined;
  }
}

/** arn:aws:sqs:eu-west-1:123456789012:orders → https://sqs.eu-west-1.amazonaws.com/123456789012/orders */
function queueUrlOf(arn: string): string {
  const [, partition, , region, account, name] = arn.split(':');
  const domain = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sqs.${region}.${domain}/${account}/${name}`;
}

const describe = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));
