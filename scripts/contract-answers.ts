/**
 * What the published OpenAPI document says about each answer: when it happens, and an example.
 * Kept apart from the generator so a reviewer reads the catalogue without the plumbing.
 */
import type { ErrorBody } from '../functions/outbound-status/faces/answers.ts';
import { entryOf, ERROR_CODES, type ErrorCode } from '../functions/outbound-status/core/error-catalogue.ts';

/** The vendor page's examples (shared/spec): its request, and the values its parameter list gives. */
export const VENDOR_REQUESTS = {
  vendor: { summary: "The vendor's example request", value: { phone_number: '111222333', status_id: '3' } },
  vendorParameters: {
    summary: "The vendor's parameter examples",
    value: { phone_number: '333444555', status_id: '8' },
  },
};
export const VENDOR_RESPONSE = { outbound_id: ['00001', '00002', '00003'] };

type Example = Omit<ErrorBody, 'code' | 'request_id'>;
interface Refusal {
  when: string;
  example: Example;
}
type Answer = Refusal & { status: number; code: string; by: 'function' | 'API Gateway' };

/** What an example shows beyond the catalogue's message: the data some codes carry. */
const EXAMPLE_DATA: Partial<Record<ErrorCode, Omit<Example, 'message'>>> = {
  VALIDATION_FAILED: {
    fields: [{ field: 'status_id', message: 'must be a positive integer, as a JSON number or a string of digits' }],
  },
  THULIUM_REFUSED: {
    thulium_errors: [{ message: 'Status 77 does not exist', code: 1002 }],
    thulium_request_id: '5f0c3e1a9b',
  },
  THULIUM_RATE_LIMITED: { retry_after_seconds: 30 },
  THULIUM_UNAVAILABLE: { retry_after_seconds: 1 },
  THULIUM_CREDENTIALS_REJECTED: { thulium_request_id: '5f0c3e1a9c' },
  SUPERSEDED: { update_version: '2026-12-01T09:29:58.120Z', applied_version: '2026-12-01T09:30:00.000Z' },
};

/** The function's answers, one per code of the catalogue. */
export const FUNCTION_ANSWERS: Answer[] = ERROR_CODES.map((code) => {
  const { httpStatus, description, message, retryAfterSeconds } = entryOf(code);
  const retry = retryAfterSeconds === undefined ? {} : { retry_after_seconds: retryAfterSeconds };
  return {
    code,
    status: httpStatus,
    by: 'function',
    when: description,
    example: { message, ...retry, ...EXAMPLE_DATA[code] },
  };
});

/** Answers that are no ErrorCode: a bug in the function, and API Gateway's own refusals (status-api.ts). */
export const OTHER_ANSWERS: Answer[] = [
  {
    status: 500,
    code: 'INTERNAL_ERROR',
    by: 'function',
    when: 'a bug: no details in the answer, the error is logged under `request_id`',
    example: { message: 'Unexpected failure; the function logs it under this request_id' },
  },
  {
    status: 400,
    code: 'VALIDATION_FAILED',
    by: 'API Gateway',
    when: 'its request validator: the body does not match `StatusUpdateRequest` (no `fields`)',
    example: { message: 'Invalid request body' },
  },
  {
    status: 403,
    code: 'MISSING_AUTHENTICATION_TOKEN',
    by: 'API Gateway',
    when: 'the request is not signed, or names another path or method',
    example: { message: 'Missing Authentication Token' },
  },
  {
    status: 403,
    code: 'INVALID_SIGNATURE',
    by: 'API Gateway',
    when: 'the SigV4 signature does not match (wrong key, region or service, a changed body)',
    example: { message: 'The request signature we calculated does not match the signature you provided.' },
  },
  {
    status: 403,
    code: 'EXPIRED_TOKEN',
    by: 'API Gateway',
    when: 'the session token of the signing credentials has expired',
    example: { message: 'The security token included in the request is expired' },
  },
  {
    status: 403,
    code: 'ACCESS_DENIED',
    by: 'API Gateway',
    when: "the caller's IAM policy, or the API's resource policy, does not allow `execute-api:Invoke`",
    example: {
      message:
        'User: arn:aws:sts::111122223333:assumed-role/caller/session is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:eu-central-1:111122223333:your-api-id/v1/POST/api/outbound_status_by_phone_number',
    },
  },
  {
    status: 413,
    code: 'REQUEST_TOO_LARGE',
    by: 'API Gateway',
    when: "over API Gateway's 10 MB payload limit",
    example: { message: 'Request Too Long' },
  },
  {
    status: 429,
    code: 'THROTTLED',
    by: 'API Gateway',
    when: "over the stage's rate or burst limit",
    example: { message: 'Too Many Requests' },
  },
];

export const STATUS_SUMMARY: Record<number, string> = {
  400: 'The body is not the contract; Thulium was not called.',
  403: 'API Gateway refused the caller; the function did not run.',
  405: 'Only POST is served; Thulium was not called.',
  409: 'A newer update for the number stands; this one was not sent to Thulium.',
  413: 'The body is too large; Thulium was not called.',
  415: 'The body is not declared JSON; Thulium was not called.',
  422: 'Thulium refused the update: as sent, it will never apply.',
  429: 'API Gateway throttled the caller; the function did not run.',
  500: 'The function failed on its own account; the logs say why under `request_id`.',
  502: 'Thulium answered, but not usably.',
  503: 'Thulium, Secrets Manager or the ordering store is unavailable, or the number is busy; try again after `Retry-After` seconds.',
  504: 'No answer from Thulium in time; the update may have applied, and sending it again is safe.',
};
