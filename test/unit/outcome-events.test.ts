import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EventEntry, PutEvents } from '../../functions/outbound-status/adapters/event-bridge.ts';
import { METRIC } from '../../functions/outbound-status/faces/metric-names.ts';
import { logger, metrics } from '../../functions/outbound-status/faces/observability.ts';
import { OutcomeEventDetail } from '../../functions/outbound-status/faces/outcome-event.ts';
import {
  outcomeEntry,
  outcomeEvents,
  type OutcomeFields,
} from '../../functions/outbound-status/faces/outcome-events.ts';

const line: OutcomeFields = {
  face: 'queue',
  correlation_id: 'm-1',
  reference: 'crm-1',
  number_key: '0123456789abcdef',
  phone_number: '******333',
  status_id: '3',
  update_version: '2026-12-07T09:30:00.000Z',
  version_source: 'sqs',
  applied_version: '2026-12-07T09:31:00.000Z',
  thulium_request_id: 'th-1',
  error: { code: 'THULIUM_REFUSED', kind: 'refused', message: 'no such status' },
};
const entry = (i: number): EventEntry => ({
  detailType: 'Status update applied',
  detail: `{"i":${i}}`,
  time: new Date(),
});
const soon = () => Date.now() + 5_000;

/** A PutEvents that records each call's size and refuses the entries `refuse` names. */
function fakePut(refuse: (entry: EventEntry, round: number) => string | undefined = () => undefined) {
  const calls: number[] = [];
  const seen = new Map<EventEntry, number>();
  const put: PutEvents = async (entries) => {
    calls.push(entries.length);
    return entries.flatMap((e) => {
      const round = (seen.get(e) ?? 0) + 1;
      seen.set(e, round);
      const reason = refuse(e, round);
      return reason === undefined ? [] : [{ entry: e, reason }];
    });
  };
  return { put, calls };
}

function watch() {
  const warn = vi.spyOn(logger, 'warn').mockImplementation(() => {});
  const counted = vi.spyOn(metrics, 'addMetric').mockImplementation(() => metrics);
  const total = (name: string) =>
    counted.mock.calls.filter(([metric]) => metric === name).reduce((sum, [, , value]) => sum + Number(value), 0);
  return { warn, total };
}

afterEach(() => vi.restoreAllMocks());

describe('the outcome events of one invocation', () => {
  it('go ten to a call, a full call at once and the rest when the invocation closes', async () => {
    const { total } = watch();
    const { put, calls } = fakePut();
    const batch = outcomeEvents(put).open(soon());
    for (let i = 0; i < 25; i++) batch.add(entry(i), { correlationId: `m-${i}` });
    expect(calls).toEqual([10, 10]);
    await batch.close(soon());
    expect(calls).toEqual([10, 10, 5]);
    expect(total(METRIC.outcomeEventsPublished)).toBe(25);
    expect(total(METRIC.outcomeEventsFailed)).toBe(0);
  });

  it('sends entries EventBridge refused again, and only those', async () => {
    const { warn, total } = watch();
    const { put, calls } = fakePut((e, round) =>
      e.detail === '{"i":3}' && round === 1 ? 'ThrottlingException' : undefined,
    );
    const batch = outcomeEvents(put).open(soon());
    for (let i = 0; i < 5; i++) batch.add(entry(i), { correlationId: `m-${i}` });
    await batch.close(soon());
    expect(calls).toEqual([5, 1]);
    expect(total(METRIC.outcomeEventsPublished)).toBe(5);
    expect(warn).not.toHaveBeenCalled();
  });

  it('counts and logs what never went in, by correlation id, and resolves', async () => {
    const { warn, total } = watch();
    const { put, calls } = fakePut((e) => (e.detail === '{"i":1}' ? 'InternalFailure' : undefined));
    const batch = outcomeEvents(put).open(soon());
    for (let i = 0; i < 3; i++)
      batch.add(entry(i), { correlationId: `m-${i}`, numberKey: `k-${i}`, reference: `r-${i}` });
    await batch.close(soon());
    expect(calls).toEqual([3, 1, 1]);
    expect(total(METRIC.outcomeEventsPublished)).toBe(2);
    expect(total(METRIC.outcomeEventsFailed)).toBe(1);
    expect(warn).toHaveBeenCalledWith('outcome events not published', {
      count: 1,
      reasons: ['InternalFailure'],
      events: [{ correlation_id: 'm-1', detail_type: 'Status update applied', number_key: 'k-1', reference: 'r-1' }],
    });
  });

  it('stops waiting at the deadline: an unanswered call counts as failed', async () => {
    const { total } = watch();
    const batch = outcomeEvents(() => new Promise(() => {})).open(soon());
    batch.add(entry(0), { correlationId: 'm-0' });
    const started = Date.now();
    await batch.close(Date.now() + 50);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(total(METRIC.outcomeEventsFailed)).toBe(1);
  });

  it('sends nothing again once the invocation stopped waiting', async () => {
    const { total } = watch();
    let calls = 0;
    const put: PutEvents = async (entries) => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 30));
      return entries.map((e) => ({ entry: e, reason: 'ThrottlingException' }));
    };
    const batch = outcomeEvents(put).open(soon());
    for (let i = 0; i < 10; i++) batch.add(entry(i), { correlationId: `m-${i}` });
    await batch.close(Date.now() + 10);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(calls).toBe(1);
    expect(total(METRIC.outcomeEventsFailed)).toBe(10);
  });
});

describe("an outcome's event", () => {
  it.each([
    ['applied', 'Status update applied', { outbound_id: ['00001', '00002'], thulium_request_id: 'th-1' }],
    ['superseded', 'Status update superseded', { applied_version: line.applied_version }],
    ['dead-lettered', 'Status update dead-lettered', { error: line.error }],
  ] as const)('%s carries its own fields and parses with the published schema', (outcome, detailType, own) => {
    const event = outcomeEntry(outcome, line, ['00001', '00002']);
    expect(event.detailType).toBe(detailType);
    const detail = JSON.parse(event.detail);
    // Each outcome carries the common fields, and its own.
    const { applied_version, thulium_request_id, error, ...common } = line;
    expect(OutcomeEventDetail.parse(detail)).toEqual({ outcome, ...common, ...own });
  });
});
