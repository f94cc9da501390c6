import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { SupersededError, type OutboundStatusError } from '../core/errors.ts';
import { versionText, type UpdateVersion } from '../core/ordering.ts';
import { METRIC, METRIC_NAMESPACE, SERVICE_NAME } from './metric-names.ts';
import type { StatusUpdate } from '../core/contract.ts';
import { maskPhoneNumber, maskPhoneNumbersIn } from '../core/phone-number.ts';
import type { UpdateStats } from '../core/update-status.ts';
import type { FinalOutcome } from './outcome-event.ts';
import { type OutcomeBatch, outcomeEntry, type OutcomeFields } from './outcome-events.ts';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME;

export const logger = new Logger({ serviceName });
export const metrics = new Metrics({
  serviceName,
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRIC_NAMESPACE,
});

export type Outcome =
  /** Thulium applied the update. */
  | 'updated'
  /** HTTP: the caller got an error answer. */
  | 'answered-error'
  /** Queue: moved to the dead-letter queue with its reason. */
  | 'dead-lettered'
  /** Queue: reported as a batch item failure; SQS delivers it again. */
  | 'retry-scheduled'
  /** A newer update for the number was applied already: not sent (queue: acknowledged; HTTP: 409). */
  | 'superseded';

export interface OutcomeRecord {
  outcome: Outcome;
  face: 'http' | 'queue';
  correlationId: string;
  /** Absent when the body never parsed. */
  update?: StatusUpdate;
  version?: UpdateVersion;
  stats?: UpdateStats;
  startedAt: number;
  error?: OutboundStatusError;
  /** The sender's reference, as echoed. */
  reference?: string;
  /** The number's searchable key (adapters/number-key.ts), when the key could be read. */
  numberKey?: string;
  /** Applied: the campaigns Thulium named. */
  outboundIds?: (string | number)[];
  extra?: Record<string, unknown>;
}

/**
 * The one log line (and metrics) per outcome, and its event when the outcome is final; the phone
 * number is masked here and nowhere else.
 */
export function recordOutcome(record: OutcomeRecord, events?: OutcomeBatch): void {
  const { error } = record;
  const line = {
    outcome: record.outcome,
    face: record.face,
    correlation_id: record.correlationId,
    reference: record.reference,
    number_key: record.numberKey,
    phone_number: record.update && maskPhoneNumber(record.update.phoneNumber),
    // A phone number sent as status_id is valid input; it must not reach the logs whole either.
    status_id: record.update && maskPhoneNumbersIn(record.update.statusId),
    update_version: record.version && versionText(record.version.at),
    version_source: record.version?.source,
    applied_version: error instanceof SupersededError ? versionText(error.appliedVersion) : undefined,
    thulium_attempts: record.stats?.attempts,
    thulium_wait_ms: record.stats?.waitedMs || undefined,
    credentials_refreshed: record.stats?.credentialsRefreshed || undefined,
    thulium_request_id: record.stats?.thuliumRequestId,
    duration_ms: Date.now() - record.startedAt,
    error: error && {
      code: error.code,
      kind: error.kind,
      message: error.message,
      thulium_request_id: error.thuliumRequestId,
    },
    ...record.extra,
  };
  logger[levelOf(record.outcome, error)](MESSAGES[record.outcome], line);
  const final = FINAL[record.outcome];
  if (final && events) {
    const owner = { correlationId: record.correlationId, numberKey: record.numberKey, reference: record.reference };
    events.add(outcomeEntry(final, line as OutcomeFields, record.outboundIds), owner);
  }

  metrics.addMetric(METRICS[record.outcome], MetricUnit.Count, 1);
  if (record.stats) metrics.addMetric(METRIC.thuliumAttempts, MetricUnit.Count, record.stats.attempts);
  if (error && error.kind !== 'superseded') {
    metrics.singleMetric().addDimension('ErrorCode', error.code).addMetric(METRIC.failures, MetricUnit.Count, 1);
  }
}

/**
 * Teams page on ERROR, so it is kept for what needs a person: a transient failure that outlived its
 * last delivery, a configuration fault (bugs log their own). What heals itself, or is the sender's
 * to fix and reaches the DLQ alarm anyway, is WARN.
 */
function levelOf(outcome: Outcome, error: OutboundStatusError | undefined): 'info' | 'warn' | 'error' {
  if (!error || error.kind === 'superseded') return 'info';
  if (error.kind === 'configuration') return 'error';
  return outcome === 'dead-lettered' && error.kind === 'transient' ? 'error' : 'warn';
}

const MESSAGES: Record<Outcome, string> = {
  updated: 'status updated',
  'answered-error': 'status update answered with an error',
  'dead-lettered': 'status update moved to the dead-letter queue',
  'retry-scheduled': 'status update left on the queue for a retry',
  superseded: 'status update superseded by a newer one; not sent to Thulium',
};

/** The outcomes an event is published for: not a retry (not final), not an HTTP error answer (the caller has it). */
const FINAL: Record<Outcome, FinalOutcome | undefined> = {
  updated: 'applied',
  superseded: 'superseded',
  'dead-lettered': 'dead-lettered',
  'answered-error': undefined,
  'retry-scheduled': undefined,
};

const METRICS: Record<Outcome, string> = {
  updated: METRIC.updated,
  'answered-error': METRIC.errorAnswers,
  'dead-lettered': METRIC.deadLettered,
  'retry-scheduled': METRIC.retriesScheduled,
  superseded: METRIC.superseded,
};

/** A failed call to the ordering store, whatever the update's outcome; WARN, as the update is retried or answered 503. */
export function recordStoreFailure(error: OutboundStatusError): void {
  logger.warn('ordering store call failed', { error: { code: error.code, kind: error.kind, message: error.message } });
  metrics.addMetric(METRIC.orderingStoreFailures, MetricUnit.Count, 1);
}
