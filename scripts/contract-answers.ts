/**
 * What the published OpenAPI document says about each answer: when it happens, and an example.
 * Kept apart from the generator so a reviewer reads the catalogue without the plumbing.
 */
import type { ErrorBody } from '../functions/outbound-status/faces/answers.ts';
import type { ErrorCode } from '../functions/outbound-status/core/errors.ts';

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

/** Keyed by ErrorCode, so a new code does not compile until it is published. */
export const FUNCTION_ANSWERS: Record<ErrorCode, Refusal> = {
  METHOD_NOT_ALLOWED: {
    when: 'any method but POST; `Allow: POST`',
    example: { message: 'Method GET is not allowed; use POST' },
  },
  UNSUPPORTED_MEDIA_TYPE: {
    when: 'a `Content-Type` that is neither `application/json` nor `application/*+json` (none at all is accepted)',
    example: { message: 'Content-Type must be application/json' },
  },
  MALFORMED_JSON: { when: 'the body is not JSON, or is empty', example: { message: 'Body is not valid JSON' } },
  MALFORMED_BODY: {
    when: '`isBase64Encoded` is set but the body is not base64',
    example: { message: 'Body is flagged base64-encoded but is not valid base64' },
  },
  VALIDATION_FAILED: {
    when: 'wrong types, missing or unknown fields; `fields` names each (the first 20)',
    example: {
      message: 'Invalid request: status_id must be a positive integer, as a JSON number or a string of digits',
      fields: [{ field: 'status_id', message: 'must be a positive integer, as a JSON number or a string of digits' }],
    },
  },
  PAYLOAD_TOO_LARGE: {
    when: 'a body over `MAX_BODY_BYTES` (4096 by default), after base64 decoding',
    example: { message: 'Body is 5000 bytes; the limit is 4096 bytes' },
  },
  THULIUM_REFUSED: {
    when: 'Thulium refused the update (an unknown status, no records for the number, …); `thulium_errors` are its own',
    example: {
      message: 'Thulium refused the update (HTTP 400): Status 77 does not exist',
      thulium_errors: [{ message: 'Status 77 does not exist', code: 1002 }],
      thulium_request_id: '5f0c3e1a9b',
    },
  },
  THULIUM_RATE_LIMITED: {
    when: 'Thulium kept answering 429, after retries',
    example: { message: 'Thulium is rate limiting requests (HTTP 429)', retry_after_seconds: 30 },
  },
  THULIUM_UNAVAILABLE: {
    when: 'Thulium kept answering 5xx or resetting the connection, after retries',
    example: { message: 'Thulium is unavailable (HTTP 503)', retry_after_seconds: 1 },
  },
  SECRET_UNAVAILABLE: {
    when: 'Secrets Manager failed (throttling, 5xx, network)',
    example: {
      message: 'Secrets Manager is unavailable for secret thulium/outbound-status/api-user: ThrottlingException',
      retry_after_seconds: 5,
    },
  },
  THULIUM_TIMEOUT: {
    when: "Thulium did not answer within the invocation's deadline, retries included",
    example: { message: 'Thulium did not answer in time (UND_ERR_HEADERS_TIMEOUT)' },
  },
  DEADLINE_EXCEEDED: {
    when: 'the invocation had too little time left to call Thulium at all',
    example: { message: 'Too little time was left in this invocation to call Thulium' },
  },
  THULIUM_BAD_RESPONSE: {
    when: 'Thulium answered something unusable: a 2xx without `outbound_id`, a redirect, a 4xx without its error envelope',
    example: { message: 'Thulium answered HTTP 200 without {"outbound_id": [...]}' },
  },
  THULIUM_CREDENTIALS_REJECTED: {
    when: "Thulium rejected the secret's API user, also after a fresh read of the secret",
    example: { message: 'Thulium rejected the API user from the secret (HTTP 401)', thulium_request_id: '5f0c3e1a9c' },
  },
  ORDERING_STORE_UNAVAILABLE: {
    when: 'the ordering store (DynamoDB) failed: throttling, 5xx, a timeout. Nothing was applied unguarded, or Thulium applied it but it could not be recorded: send it again',
    example: {
      message:
        'The ordering store is unavailable (table thulium-outbound-status-ordering): ProvisionedThroughputExceededException',
      retry_after_seconds: 2,
    },
  },
  UPDATE_IN_PROGRESS: {
    when: 'another update for the same number was being applied for all of the time this request had',
    example: {
      message: 'Another update for this phone number was being applied until too little time was left for this one',
      retry_after_seconds: 1,
    },
  },
  SUPERSEDED: {
    when: 'a newer update for the number (by `updated_at`, or by when AWS received it) was applied already; this one was not sent to Thulium',
    example: {
      message:
        'A newer update for this number (version 2026-12-01T09:30:00.000Z) was applied already; this one (version 2026-12-01T09:29:58.120Z) was not sent to Thulium',
      update_version: '2026-12-01T09:29:58.120Z',
      applied_version: '2026-12-01T09:30:00.000Z',
    },
  },
  CONFIGURATION_INVALID: {
    when: "the function's environment or secret is wrong; its log line under `request_id` names the problem",
    example: { message: 'The function is misconfigured; its logs name the problem under this request_id' },
  },
};

/** Answers that are no ErrorCode: a bug in the function, and API Gateway's own refusals (status-api.ts). */
export const OTHER_ANSWERS: Array<Refusal & { status: number; code: string; by: 'function' | 'API Gateway' }> = [
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
