import {
  BatchProcessor,
  EventType,
  processPartialResponse,
  SqsFifoPartialProcessorAsync,
} from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import pLimit from 'p-limit';
import type { Config } from '../config.ts';
import type { StatusUpdate } from '../core/contract.ts';
import { beforeDeadline, MIN_ATTEMPT_MS } from '../shared/deadline.ts';
import { UPDATE_VERSION_ATTRIBUTE, type DeadLetterQueue } from '../adapters/dead-letter-queue.ts';
import { parseQueueBody, referenceOfBody } from './envelopes.ts';
import { echoedReference } from '../core/contract.ts';
import type { NumberKeys } from '../adapters/number-key.ts';
import type { OutcomeBatch, OutcomeEvents } from './outcome-events.ts';
import { failure, OutboundStatusError, ThuliumUnavailableError } from '../core/errors.ts';
import { dispositionOf } from './disposition.ts';
import { logger, metrics, type Outcome, recordOutcome } from './observability.ts';
import { type Delivery, recordVersion } from './record-version.ts';
import type { SqsCalls } from '../adapters/sqs-calls.ts';
import { METRIC } from './metric-names.ts';
import { delayRedelivery } from './redelivery.ts';
import { describeError } from '../shared/text.ts';
import type { UpdateStats, UpdateStatus } from '../core/update-status.ts';

export interface QueueDependencies {
  updateStatus: UpdateStatus;
  deadLetters: DeadLetterQueue;
  sqs: SqsCalls;
  maxBodyBytes: number;
  queue: Config['queue'];
  /** Time kept after the deadline for moving messages to the DLQ, delaying retries and publishing outcome events. */
  safetyMarginMs: number;
  numberKey: NumberKeys;
  events: OutcomeEvents;
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
  const cleanupDeadline = deadline + deps.safetyMarginMs / 2;
  const events = deps.events.open(cleanupDeadline);
  const limit = pLimit(deps.queue.concurrency);
  const handleRecord = (record: SQSRecord) => limit(() => processRecord(record, deps, deadline, events));
  try {
    if (event.Records[0]?.eventSourceARN.endsWith('.fifo')) {
      // FIFO records run one by one, and a failure fails the rest of its message group, to keep order.
      const processor = new SqsFifoPartialProcessorAsync();
      return await processPartialResponse(event, handleRecord, processor, {
        context,
        throwOnFullBatchFailure: false,
        skipGroupOnError: true,
      });
    }
    return await processPartialResponse(event, handleRecord, new BatchProcessor(EventType.SQS), {
      context,
      throwOnFullBatchFailure: false,
    });
  } finally {
    // The records' fates are settled; their events never change them.
    await events.close(cleanupDeadline);
  }
}

async function processRecord(
  record: SQSRecord,
  deps: QueueDependencies,
  deadline: number,
  events: OutcomeBatch,
): Promise<void> {
  const startedAt = Date.now();
  const correlationId = record.messageId;
  const stats: UpdateStats = { attempts: 0, credentialsRefreshed: false };
  const delivery: Delivery = {
    carriedVersion: record.messageAttributes?.[UPDATE_VERSION_ATTRIBUTE]?.stringValue,
    sentTimestamp: record.attributes.SentTimestamp,
  };
  let update: StatusUpdate | undefined;
  let version = recordVersion(delivery, startedAt);
  // Which SNS topic or EventBridge source wrapped the update, so a log line leads to its sender.
  let via: Record<string, unknown> = {};
  let numberKey: Promise<string | undefined> | undefined;
  /** The sender's reference, as echoed everywhere. */
  let reference: string | undefined;
  const who = async () => ({ reference, numberKey: await numberKey });
  try {
    // A record reached after the batch ran out of time is left untouched for its next delivery.
    if (deadline - Date.now() < MIN_ATTEMPT_MS) throw failure('DEADLINE_EXCEEDED');
    const parsed = parseQueueBody(record.body, deps.maxBodyBytes);
    update = parsed.update;
    reference = echoedReference(update.reference);
    numberKey = deps.numberKey(update.phoneNumber, deadline);
    if (parsed.envelope !== 'none') {
      via = { envelope: parsed.envelope, envelope_origin: parsed.origin };
      delivery.envelope = { source: parsed.envelope, sentAt: parsed.sentAt };
    }
    version = recordVersion({ ...delivery, updatedAt: update.updatedAt }, startedAt);
    const trail = { face: 'queue' as const, correlationId, reference };
    const answer = await deps.updateStatus({ ...update, version }, deadline, stats, { trail });
    const extra = { campaigns: answer.outbound_id.length, ...via };
    const outboundIds = answer.outbound_id;
    const applied = { outcome: 'updated', face: 'queue', correlationId, update, version, stats, startedAt } as const;
    recordOutcome({ ...applied, ...(await who()), outboundIds, extra }, events);
  } catch (error) {
    if (!(error instanceof OutboundStatusError)) {
      logger.error('unexpected failure; message left for retry', {
        correlation_id: correlationId,
        error: error as Error,
      });
      metrics.addMetric(METRIC.unexpectedErrors, MetricUnit.Count, 1);
      throw error;
    }
    // A body the contract refused may still name its sender's reference, for its dead-letter event.
    reference ??= update ? undefined : echoedReference(referenceOfBody(record.body));
    const common = { face: 'queue' as const, correlationId, update, version, stats: update && stats, startedAt, error };
    const known = await who();
    await settle(
      record,
      error,
      { versionAt: version.at, reference: known.reference },
      deps,
      deadline,
      (outcome, extra = {}) => recordOutcome({ ...common, ...known, outcome, extra: { ...extra, ...via } }, events),
    );
  }
}

type Log = (outcome: Outcome, extra?: Record<string, unknown>) => void;

/** Carries out the record's disposition; throws (for batchItemFailures) whenever SQS must deliver it again. */
async function settle(
  record: SQSRecord,
  error: OutboundStatusError,
  /** The update's version (epoch ms), carried into the DLQ so a redrive never makes it new; the echoed reference. */
  carried: { versionAt: number; reference?: string },
  deps: QueueDependencies,
  deadline: number,
  log: Log,
): Promise<void> {
  const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? '1');
  const unavailable = error instanceof ThuliumUnavailableError ? error : undefined;
  const disposition = dispositionOf(
    {
      code: error.code,
      kind: error.kind,
      retryAfterSeconds: unavailable?.retryAfterSeconds,
      awaitingTurn: unavailable?.awaitingTurn,
      receiveCount,
    },
    deps.queue,
  );
  const cleanupDeadline = deadline + deps.safetyMarginMs / 2;
  switch (disposition.action) {
    case 'acknowledge':
      // The newer update stands, and this one must never be sent.
      return log('superseded');
    case 'dead-letter':
      try {
        await beforeDeadline(
          deps.deadLetters.send(record, error, carried),
          cleanupDeadline,
          () => new Error('DLQ send timed out'),
        );
      } catch (dlqError) {
        log('retry-scheduled', { dead_letter_failure: describeError(dlqError) });
        throw error;
      }
      return log('dead-lettered', { receive_count: receiveCount });
    case 'retry-now':
      // Never tried: no back-off, its next delivery gets a full attempt.
      log('retry-scheduled', { receive_count: receiveCount });
      throw error;
    case 'retry-later': {
      const visibility = await delayRedelivery(record, disposition.visibilitySeconds, deps, cleanupDeadline);
      log('retry-scheduled', { receive_count: receiveCount, visibility_seconds: visibility });
      throw error;
    }
    default:
      // A disposition this switch does not know fails to compile, and is retried, never acknowledged.
      disposition satisfies never;
      throw error;
  }
}
