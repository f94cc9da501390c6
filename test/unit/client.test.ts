import { describe, expect, it } from 'vitest';
import { messageGroupIdFor } from '../../functions/outbound-status/client/queue-sender.ts';
import { toRequestBody } from '../../functions/outbound-status/client/request-body.ts';
import { StatusUpdateError } from '../../functions/outbound-status/client/errors.ts';
import { OutcomeEventError, parseOutcomeEvent } from '../../functions/outbound-status/client/outcome-events.ts';
import { OUTCOME_DETAIL_TYPES } from '../../functions/outbound-status/faces/outcome-event.ts';

describe('the producer helper', () => {
  it("sends the contract's body, both values as strings, after the contract's own check", () => {
    expect(toRequestBody({ phoneNumber: 111222333, statusId: 3 }).body).toBe(
      '{"phone_number":"111222333","status_id":"3"}',
    );
    expect(() => toRequestBody({ phoneNumber: '111222333', statusId: '3a' })).toThrow(
      expect.objectContaining({
        code: 'VALIDATION_FAILED',
        fields: [{ field: 'status_id', message: expect.stringContaining('positive integer') }],
      }),
    );
    expect(() => toRequestBody(null as never, 7)).toThrow(
      expect.objectContaining({ fields: [{ field: 'updates[7].body', message: 'must be a JSON object' }] }),
    );
  });

  it('carries updated_at, from a Date or a string, checked like the rest of the contract', () => {
    const decided = new Date('2026-12-01T09:30:00.000Z');
    expect(toRequestBody({ phoneNumber: '111222333', statusId: '3', updatedAt: decided }).body).toBe(
      '{"phone_number":"111222333","status_id":"3","updated_at":"2026-12-01T09:30:00.000Z"}',
    );
    expect(
      JSON.parse(
        toRequestBody({ phoneNumber: '111222333', statusId: '3', updatedAt: '2026-12-01T10:30:00.000+01:00' }).body,
      ).updated_at,
    ).toBe('2026-12-01T10:30:00.000+01:00');
    for (const updatedAt of ['2026-12-01 09:30', '2026-12-01T09:30:00Z', new Date(Number.NaN)]) {
      expect(() => toRequestBody({ phoneNumber: '111222333', statusId: '3', updatedAt })).toThrow(
        expect.objectContaining({
          code: 'VALIDATION_FAILED',
          fields: [{ field: 'updated_at', message: expect.stringContaining('RFC 3339') }],
        }),
      );
    }
  });

  it('carries reference, checked by the contract: printable ASCII, 1 to 128 characters', () => {
    expect(toRequestBody({ phoneNumber: '111222333', statusId: 3, reference: 'crm-optout-42' }).body).toBe(
      '{"phone_number":"111222333","status_id":"3","reference":"crm-optout-42"}',
    );
    for (const reference of ['', 'zażółć', 'tab\there', 'x'.repeat(129), 42 as never]) {
      expect(() => toRequestBody({ phoneNumber: '111222333', statusId: 3, reference }, 2)).toThrow(
        expect.objectContaining({
          code: 'VALIDATION_FAILED',
          fields: [{ field: 'updates[2].reference', message: expect.stringContaining('printable ASCII') }],
        }),
      );
    }
  });

  it("groups a number's FIFO messages by its digits, without the number in the group id", () => {
    const id = messageGroupIdFor({ phoneNumber: '+48 111-222-333', statusId: '3' });
    expect(id).toBe(messageGroupIdFor({ phoneNumber: '+48111222333', statusId: '8' }));
    expect(id).not.toBe(messageGroupIdFor({ phoneNumber: '+48111222334', statusId: '8' }));
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(id).not.toContain('111222333');
  });
});

describe("the producer helper's StatusUpdateError", () => {
  it.each([
    [400, 'VALIDATION_FAILED', 'invalid-request'],
    [422, 'THULIUM_REFUSED', 'refused'],
    [409, 'SUPERSEDED', 'superseded'],
    [503, 'UPDATE_IN_PROGRESS', 'transient'],
    [504, 'DEADLINE_EXCEEDED', 'transient'],
    [502, 'THULIUM_BAD_RESPONSE', 'transient'],
    [502, 'THULIUM_CREDENTIALS_REJECTED', 'configuration'],
    [500, 'CONFIGURATION_INVALID', 'configuration'],
    [500, 'INTERNAL_ERROR', 'configuration'],
    [403, 'ACCESS_DENIED', 'configuration'],
    [429, 'THROTTLED', 'transient'],
    [413, 'REQUEST_TOO_LARGE', 'invalid-request'],
    [502, undefined, 'transient'],
    [404, undefined, 'invalid-request'],
  ] as const)('HTTP %i %s is %s', (status, code, kind) => {
    const envelope = code === undefined ? undefined : { code, message: 'm', request_id: 'r' };
    expect(new StatusUpdateError(status, envelope).kind).toBe(kind);
  });
});

/** As EventBridge hands the event to a rule's target. */
const outcomeEvent = (detail: Record<string, unknown>) => ({
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': OUTCOME_DETAIL_TYPES[detail.outcome as keyof typeof OUTCOME_DETAIL_TYPES],
  source: 'thulium.outbound-status',
  account: '111122223333',
  time: '2026-12-01T09:30:02Z',
  region: 'eu-central-1',
  resources: [],
  detail,
});
const common = {
  face: 'queue',
  correlation_id: '059f36b4-87a3-44ab-83d2-661975830a7d',
  reference: 'crm-optout-42',
  number_key: '3f9c0a1be4d27c55',
  phone_number: '******333',
  status_id: '3',
  update_version: '2026-12-01T09:30:00.000Z',
  version_source: 'updated_at',
};
const OUTCOMES = {
  applied: { ...common, outcome: 'applied', outbound_id: ['00001', '00002'], thulium_request_id: 'req-1' },
  superseded: { ...common, outcome: 'superseded', face: 'http', applied_version: '2026-12-01T09:31:00.000Z' },
  'dead-lettered': {
    ...common,
    outcome: 'dead-lettered',
    status_id: '77',
    error: { code: 'THULIUM_REFUSED', kind: 'refused', message: 'Thulium refused the update', thulium_request_id: 'r' },
  },
};

describe("the producer helper's parseOutcomeEvent", () => {
  it.each(Object.entries(OUTCOMES))(
    'reads an event of outcome %s, typed, fields it does not know kept',
    (_, detail) => {
      const event = outcomeEvent({ ...detail, added_later: true });
      expect(parseOutcomeEvent(event)).toEqual(event);
    },
  );

  it("reads the JSON text an SQS target delivers as the message body, and a dead letter's detail without a number", () => {
    const { phone_number: _, number_key: __, ...unreadable } = OUTCOMES['dead-lettered'];
    const body = JSON.stringify(
      outcomeEvent({ ...unreadable, error: { ...unreadable.error, code: 'MALFORMED_JSON' } }),
    );
    const event = parseOutcomeEvent(body);
    expect(event.detail).toMatchObject({ outcome: 'dead-lettered', error: { code: 'MALFORMED_JSON' } });
    expect(event.detail.phone_number).toBeUndefined();
  });

  it.each([
    ['a foreign event', { ...outcomeEvent(OUTCOMES.applied), source: 'aws.s3' }, 'source: '],
    ['an unknown outcome', outcomeEvent({ ...OUTCOMES.applied, outcome: 'lost' }), 'detail.outcome: '],
    [
      'a detail without its correlation id',
      outcomeEvent({ ...OUTCOMES.applied, correlation_id: undefined }),
      'detail.correlation_id: ',
    ],
    [
      'a type that is not its outcome',
      { ...outcomeEvent(OUTCOMES.applied), 'detail-type': OUTCOME_DETAIL_TYPES.superseded },
      'detail-type: is "Status update superseded" but detail.outcome is "applied"',
    ],
    ['the detail alone', OUTCOMES.applied, 'source: '],
    ['text that is not JSON', '{"source":', 'event: is not JSON'],
    ['nothing', undefined, 'event: '],
  ])('refuses %s, saying what is wrong', (_, input, problem) => {
    expect(() => parseOutcomeEvent(input)).toThrow(OutcomeEventError);
    expect(() => parseOutcomeEvent(input)).toThrow(
      expect.objectContaining({
        message: expect.stringContaining(`Not an outcome event of thulium.outbound-status: `),
      }),
    );
    expect(() => parseOutcomeEvent(input)).toThrow(
      expect.objectContaining({ message: expect.stringContaining(problem) }),
    );
  });
});
