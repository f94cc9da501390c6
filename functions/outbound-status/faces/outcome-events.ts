import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { setTimeout as sleep } from 'node:timers/promises';
import { PUT_EVENTS_LIMIT, type EventEntry, type PutEvents, type Refused } from '../adapters/event-bridge.ts';
import { METRIC } from './metric-names.ts';
import { logger, metrics } from './observability.ts';
import { OUTCOME_DETAIL_TYPES, type FinalOutcome, type OutcomeEventDetail } from './outcome-event.ts';

/** How long publishing may hold an invocation after its last outcome: a person may be waiting for the answer. */
const PUBLISH_WAIT_MS = 2_000;
/** Sends of an entry EventBridge refused; the SDK already retried a call that failed whole. */
const ROUNDS = 3;
const ROUND_PAUSE_MS = 50;

/** Whose event it is, for the WARN line when it is not published. */
export interface EventOwner {
  correlationId: string;
  numberKey?: string;
  reference?: string;
}

/** The outcome events of one invocation: sent ten at a time, the rest when it closes. */
export interface OutcomeBatch {
  add(entry: EventEntry, owner: EventOwner): void;
  /** Sends what is left and waits for every send until `deadline` at most; never throws. */
  close(deadline: number): Promise<void>;
}

export interface OutcomeEvents {
  /** `deadline`: the latest a send started before closing may run to. */
  open(deadline: number): OutcomeBatch;
}

const NO_EVENTS: OutcomeBatch = { add() {}, close: async () => {} };

export function outcomeEvents(put: PutEvents | undefined): OutcomeEvents {
  return { open: (deadline) => (put ? openBatch(put, deadline) : NO_EVENTS) };
}

function openBatch(put: PutEvents, deadline: number): OutcomeBatch {
  const owners = new Map<EventEntry, EventOwner>();
  const inFlight = new Set<EventEntry>();
  const refused: Refused[] = [];
  const sends: Promise<void>[] = [];
  let pending: EventEntry[] = [];
  let published = 0;
  // Past close, nothing is sent again: what is counted as not published stays so.
  let closed = false;

  async function send(entries: EventEntry[], until: number): Promise<void> {
    for (const entry of entries) inFlight.add(entry);
    let left = entries;
    for (let round = 1; left.length > 0; round++) {
      const failed = await put(left, until);
      published += left.length - failed.length;
      const last = closed || round >= ROUNDS || Date.now() + ROUND_PAUSE_MS * 2 ** round > until;
      for (const entry of left) if (last || !failed.some((f) => f.entry === entry)) inFlight.delete(entry);
      if (last) refused.push(...failed);
      left = last ? [] : failed.map((f) => f.entry);
      if (left.length > 0) await sleep(ROUND_PAUSE_MS * 2 ** round * (0.5 + Math.random() / 2));
    }
  }
  const flush = (until: number) => {
    sends.push(send(pending, until));
    pending = [];
  };

  return {
    add(entry, owner) {
      owners.set(entry, owner);
      pending.push(entry);
      // A full call goes at once, beside the records still in flight.
      if (pending.length === PUT_EVENTS_LIMIT) flush(deadline);
    },
    async close(until) {
      const end = Math.min(until, Date.now() + PUBLISH_WAIT_MS);
      if (pending.length > 0) flush(end);
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, Math.max(0, end - Date.now()));
      });
      await Promise.race([Promise.all(sends), expired]);
      clearTimeout(timer);
      closed = true;
      const unconfirmed = [...inFlight].map((entry) => ({ entry, reason: 'not confirmed before the deadline' }));
      report(published, [...refused, ...unconfirmed], owners);
    },
  };
}

function report(published: number, failed: Refused[], owners: Map<EventEntry, EventOwner>): void {
  if (published > 0) metrics.addMetric(METRIC.outcomeEventsPublished, MetricUnit.Count, published);
  if (failed.length === 0) return;
  metrics.addMetric(METRIC.outcomeEventsFailed, MetricUnit.Count, failed.length);
  // The outcomes stand; the line says whose events are missing, so a sender can be told.
  logger.warn('outcome events not published', {
    count: failed.length,
    reasons: [...new Set(failed.map((f) => f.reason))],
    events: failed.map(({ entry }) => {
      const owner = owners.get(entry);
      return {
        correlation_id: owner?.correlationId,
        detail_type: entry.detailType,
        number_key: owner?.numberKey,
        reference: owner?.reference,
      };
    }),
  });
}

/** What an outcome's log line holds that its event carries too. */
export interface OutcomeFields {
  face: 'http' | 'queue';
  correlation_id: string;
  reference?: string;
  number_key?: string;
  phone_number?: string;
  status_id?: string;
  update_version?: string;
  version_source?: string;
  applied_version?: string;
  thulium_request_id?: string;
  error?: { code: string; kind: string; message: string; thulium_request_id?: string };
  envelope?: unknown;
  envelope_origin?: unknown;
}

/** The event of a final outcome, from the fields of its log line: one masking for both. */
export function outcomeEntry(
  outcome: FinalOutcome,
  line: OutcomeFields,
  outboundIds: (string | number)[] | undefined,
): EventEntry {
  const detail: OutcomeEventDetail = {
    outcome,
    face: line.face,
    correlation_id: line.correlation_id,
    reference: line.reference,
    number_key: line.number_key,
    phone_number: line.phone_number,
    status_id: line.status_id,
    update_version: line.update_version,
    version_source: line.version_source,
    ...(outcome === 'applied' && { outbound_id: outboundIds, thulium_request_id: line.thulium_request_id }),
    ...(outcome === 'superseded' && { applied_version: line.applied_version }),
    ...(outcome === 'dead-lettered' && { error: line.error }),
    envelope: line.envelope as OutcomeEventDetail['envelope'],
    envelope_origin: line.envelope_origin as string | undefined,
  };
  return { detailType: OUTCOME_DETAIL_TYPES[outcome], detail: JSON.stringify(detail), time: new Date() };
}
