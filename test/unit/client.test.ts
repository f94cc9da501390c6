import { describe, expect, it } from 'vitest';
import { messageGroupIdFor } from '../../functions/outbound-status/client/queue-sender.ts';
import { toRequestBody } from '../../functions/outbound-status/client/request-body.ts';
import { StatusUpdateError } from '../../functions/outbound-status/client/errors.ts';

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
