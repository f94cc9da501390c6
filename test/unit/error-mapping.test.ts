import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, ERROR_CODES } from '../../functions/outbound-status/core/error-catalogue.ts';
import {
  CredentialsRejectedError,
  failure,
  InvalidRequestError,
  ThuliumRefusedError,
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
  [failure('THULIUM_TIMEOUT', 'slow'), 504, 'transient'],
  [failure('THULIUM_BAD_RESPONSE', 'html'), 502, 'transient'],
  [failure('SECRET_UNAVAILABLE', 'sm down'), 503, 'transient'],
  [new CredentialsRejectedError(401), 502, 'configuration'],
  [failure('CONFIGURATION_INVALID', 'no url'), 500, 'configuration'],
  [failure('UPDATE_IN_PROGRESS'), 503, 'transient'],
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

  it.each([
    ['THULIUM_TIMEOUT', 'ThuliumTimeoutError'],
    ['CONFIGURATION_INVALID', 'ConfigurationInvalidError'],
    ['DEADLINE_EXCEEDED', 'DeadlineExceededError'],
  ] as const)('%s is named %s, the error type Lambda and the logs show', (code, name) => {
    expect(failure(code, 'm').name).toBe(name);
  });

  it("gives 503s a Retry-After, Thulium's own when it sent one", () => {
    expect(errorResponse(cases[4][0], 'r').headers['retry-after']).toBe('9');
    expect(errorResponse(failure('SECRET_UNAVAILABLE', 'x'), 'r').headers['retry-after']).toBe('5');
    expect(errorResponse(failure('ORDERING_STORE_UNAVAILABLE', 'x'), 'r').headers['retry-after']).toBe('2');
  });

  it.each(ERROR_CODES)('%s: answered with the status and kind the catalogue declares, and its message', (code) => {
    const { httpStatus, kind, message } = ERROR_CATALOGUE[code];
    const error = failure(code, message);
    expect(error).toMatchObject({ kind, name: expect.stringMatching(/^[A-Z][A-Za-z]+Error$/) });
    // A logged error carries its kind, as the old error classes' own field did.
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ code, kind });
    const response = errorResponse(error, 'r');
    expect(response.statusCode).toBe(httpStatus);
    expect('retry-after' in response.headers).toBe(httpStatus === 503);
    if (code !== 'CONFIGURATION_INVALID') expect(JSON.parse(response.body).error.message).toBe(message);
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
