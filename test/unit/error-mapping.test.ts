import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  CredentialsRejectedError,
  InvalidRequestError,
  SecretUnavailableError,
  ThuliumBadResponseError,
  ThuliumRefusedError,
  ThuliumTimeoutError,
  ThuliumUnavailableError,
  type OutboundStatusError,
} from '../../functions/outbound-status/core/errors.ts';
import { errorResponse } from '../../functions/outbound-status/faces/http-face.ts';

const cases: [OutboundStatusError, number, string][] = [
  [new InvalidRequestError('VALIDATION_FAILED', 'bad', [{ field: 'status_id', message: 'x' }]), 400, 'invalid-request'],
  [new InvalidRequestError('PAYLOAD_TOO_LARGE', 'big'), 413, 'invalid-request'],
  [new InvalidRequestError('METHOD_NOT_ALLOWED', 'GET'), 405, 'invalid-request'],
  [new ThuliumRefusedError(400, [{ message: 'Unknown status', code: 7 }], 'req-1'), 422, 'refused'],
  [new ThuliumUnavailableError('down', { retryAfterSeconds: 9, rateLimited: true }), 503, 'transient'],
  [new ThuliumTimeoutError('slow'), 504, 'transient'],
  [new ThuliumBadResponseError('html'), 502, 'transient'],
  [new SecretUnavailableError('sm down'), 503, 'transient'],
  [new CredentialsRejectedError(401), 502, 'configuration'],
  [new ConfigurationError('no url'), 500, 'configuration'],
];

describe('each error carries its classification, and the HTTP face maps it once', () => {
  it.each(cases)('%s → HTTP %i, kind %s', (error, status, kind) => {
    expect(error.kind).toBe(kind);
    const response = errorResponse(error, 'req');
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toBe('application/json');
    expect(JSON.parse(response.body).error).toMatchObject({ code: error.code, request_id: 'req' });
  });

  it("passes each error's own message, but keeps configuration details for the logs", () => {
    for (const [error] of cases) {
      const { message } = JSON.parse(errorResponse(error, 'req').body).error;
      if (error.code === 'CONFIGURATION_INVALID') expect(message).not.toContain(error.message);
      else expect(message).toBe(error.message);
    }
  });

  it("gives 503s a Retry-After, Thulium's own when it sent one", () => {
    expect(errorResponse(cases[4][0], 'r').headers['retry-after']).toBe('9');
    expect(errorResponse(new SecretUnavailableError('x'), 'r').headers['retry-after']).toBe('5');
  });

  it("carries Thulium's messages and request id on a refusal, and the offending fields on a 400", () => {
    expect(JSON.parse(errorResponse(cases[3][0], 'r').body).error).toMatchObject({
      thulium_errors: [{ message: 'Unknown status', code: 7 }],
      thulium_request_id: 'req-1',
    });
    expect(JSON.parse(errorResponse(cases[0][0], 'r').body).error.fields).toEqual([
      { field: 'status_id', message: 'x' },
    ]);
  });
});
