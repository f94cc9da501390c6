import { describe, expect, it } from 'vitest';
import { parseStatusUpdate, StatusUpdateRequest } from '../../functions/outbound-status/core/contract.ts';
import { InvalidRequestError } from '../../functions/outbound-status/core/errors.ts';

const parse = (value: unknown, maxBytes = 4096) =>
  parseStatusUpdate(typeof value === 'string' ? value : JSON.stringify(value), maxBytes);

function failure(value: unknown, maxBytes?: number): InvalidRequestError {
  try {
    parse(value, maxBytes);
  } catch (error) {
    if (error instanceof InvalidRequestError) return error;
    throw error;
  }
  throw new Error('expected an InvalidRequestError');
}

describe('StatusUpdateRequest', () => {
  it('takes the vendor example as it is', () => {
    expect(parse({ phone_number: '111222333', status_id: '3' })).toEqual({ phoneNumber: '111222333', statusId: '3' });
  });

  it('turns JSON numbers into the strings Thulium expects', () => {
    expect(parse({ phone_number: 111222333, status_id: 3 })).toEqual({ phoneNumber: '111222333', statusId: '3' });
  });

  it('reads updated_at, with any offset, as the instant it names', () => {
    const at = Date.parse('2026-12-01T09:30:00.120Z');
    expect(parse({ phone_number: '1', status_id: 3, updated_at: '2026-12-01T09:30:00.120Z' }).updatedAt).toBe(at);
    expect(parse({ phone_number: '1', status_id: 3, updated_at: '2026-12-01T11:30:00.120+02:00' }).updatedAt).toBe(at);
    expect(parse({ phone_number: '1', status_id: 3 })).not.toHaveProperty('updatedAt');
  });

  it.each([
    '2026-12-01T09:30:00Z',
    '2026-12-01T09:30:00.120',
    '2026-12-01T09:30:00.120456Z',
    '2026-02-30T09:30:00.000Z',
    1764581400000,
    '',
  ])('refuses updated_at %j, naming the format', (updatedAt) => {
    expect(failure({ phone_number: '1', status_id: 3, updated_at: updatedAt }).fields).toEqual([
      { field: 'updated_at', message: expect.stringContaining('RFC 3339 date-time with an offset and milliseconds') },
    ]);
  });

  it('keeps the phone number exactly as sent, separators and prefix included', () => {
    expect(parse({ phone_number: '+48 111-222-333', status_id: 3 }).phoneNumber).toBe('+48 111-222-333');
  });

  it.each([
    [{ phone_number: '1', status_id: 0 }, 'status_id'],
    [{ phone_number: '1', status_id: -1 }, 'status_id'],
    [{ phone_number: '1', status_id: 1.5 }, 'status_id'],
    [{ phone_number: '1', status_id: '01' }, 'status_id'],
    [{ phone_number: '1', status_id: ' 3' }, 'status_id'],
    [{ phone_number: '1', status_id: 2 ** 53 }, 'status_id'],
    [{ phone_number: '1', status_id: 1_000_000_000_000_000 }, 'status_id'],
    [{ phone_number: '1', status_id: '1000000000000000' }, 'status_id'],
    [{ phone_number: '48+111', status_id: 3 }, 'phone_number'],
    [{ phone_number: '1', status_id: true }, 'status_id'],
    [{ phone_number: '1', status_id: null }, 'status_id'],
    [{ phone_number: '', status_id: 3 }, 'phone_number'],
    [{ phone_number: 'abc', status_id: 3 }, 'phone_number'],
    [{ phone_number: '１２３', status_id: 3 }, 'phone_number'],
    [{ phone_number: '123\u0000', status_id: 3 }, 'phone_number'],
    [{ phone_number: '1'.repeat(33), status_id: 3 }, 'phone_number'],
    [{ phone_number: 1.5, status_id: 3 }, 'phone_number'],
    [{ phone_number: 2 ** 60, status_id: 3 }, 'phone_number'],
    [{ phone_number: { n: 1 }, status_id: 3 }, 'phone_number'],
  ])('refuses %j, naming %s', (value, field) => {
    const error = failure(value);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.fields.map((f) => f.field)).toEqual([field]);
    expect(error.message).toContain(field);
  });

  it('names unknown fields, __proto__ included, without echoing control characters', () => {
    const error = failure('{"phone_number":"1","status_id":1,"__proto__":{"x":1},"a\\u0007b":2}');
    expect(error.fields.map((f) => f.field).sort()).toEqual(['__proto__', 'a\\u0007b']);
  });

  it('refuses what is not a JSON object', () => {
    for (const value of ['null', '[]', '"text"', '42'])
      expect(failure(value).fields).toEqual([{ field: 'body', message: 'must be a JSON object' }]);
  });

  it('refuses malformed JSON and bodies over the limit before parsing', () => {
    expect(failure('{"phone_number":').code).toBe('MALFORMED_JSON');
    expect(failure({ phone_number: '1', status_id: 1 }, 10).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('counts the limit in UTF-8 bytes, not characters', () => {
    const body = JSON.stringify({ phone_number: '1', status_id: 1, note: 'ż'.repeat(20) });
    expect(body.length).toBeLessThan(80);
    expect(failure(body, 80).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('describes its input as JSON Schema', async () => {
    const { z } = await import('zod');
    const schema = z.toJSONSchema(StatusUpdateRequest, { io: 'input' }) as Record<string, any>;
    expect(schema.required).toEqual(['phone_number', 'status_id']);
    expect(schema.additionalProperties).toBe(false);
  });
});

describe('problems named in answers and logs', () => {
  it('are bounded in number and length, and mask a phone number sent as a key', () => {
    const keys = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}${'x'.repeat(200)}`, i]));
    const error = failure({ phone_number: '1', status_id: 1, ...keys }, 100_000);
    expect(error.fields).toHaveLength(20);
    expect(Math.max(...error.fields.map((f) => f.field.length))).toBeLessThanOrEqual(65);
    const masked = failure({ phone_number: '1', status_id: 1, '501234567': true });
    expect(masked.fields).toEqual([{ field: '******567', message: 'is not an accepted field' }]);
  });
});
