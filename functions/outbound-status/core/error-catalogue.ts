/**
 * Every error code the function answers or dead-letters with, declared once. The faces, the DLQ
 * tool, the published contracts and the generated docs all read this table; adding a code is one
 * entry here (and, where it carries data, a class in errors.ts).
 */
export type ErrorKind =
  /** The caller sent something that can never succeed as sent. */
  | 'invalid-request'
  /** Thulium understood the request and refused it. */
  | 'refused'
  /** Worth retrying later: Thulium or an AWS dependency is slow, down or limiting us. */
  | 'transient'
  /** Our own setup is wrong (environment, secret, API user); retrying helps once ops fix it. */
  | 'configuration'
  /** A newer update for the same number was applied already: this one must not be sent. */
  | 'superseded';

/** What a sender should do about an answer with this code. */
export type RetryAdvice =
  /** As sent, it fails again: fix the update. */
  | 'never'
  /** After the answer's Retry-After (503), or after a back-off. */
  | 'later'
  /** It may have applied; sending it again is safe. */
  | 'safe'
  /** It was never sent: send it again. */
  | 'again'
  /** Once ops fixed the setup. */
  | 'after-fix'
  /** A newer update stands: nothing to do. */
  | 'no-need';

export interface CodeEntry {
  kind: ErrorKind;
  httpStatus: number;
  retry: RetryAdvice;
  /** Retry-After of a 503 whose cause gives none of its own. */
  retryAfterSeconds?: number;
  /** When it happens, for people: one line, Markdown. */
  description: string;
  /** A message the function gives with this code, word for word (the published examples use it). */
  message: string;
}

export const ERROR_CATALOGUE = {
  METHOD_NOT_ALLOWED: {
    kind: 'invalid-request',
    httpStatus: 405,
    retry: 'never',
    description: 'any method but POST; `Allow: POST`',
    message: 'Method GET is not allowed; use POST',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    kind: 'invalid-request',
    httpStatus: 415,
    retry: 'never',
    description:
      'a `Content-Type` that is neither `application/json` nor `application/*+json` (none at all is accepted)',
    message: 'Content-Type must be application/json',
  },
  MALFORMED_JSON: {
    kind: 'invalid-request',
    httpStatus: 400,
    retry: 'never',
    description: 'the body is not JSON, or is empty',
    message: 'Body is not valid JSON',
  },
  MALFORMED_BODY: {
    kind: 'invalid-request',
    httpStatus: 400,
    retry: 'never',
    description: '`isBase64Encoded` is set but the body is not base64',
    message: 'Body is flagged base64-encoded but is not valid base64',
  },
  VALIDATION_FAILED: {
    kind: 'invalid-request',
    httpStatus: 400,
    retry: 'never',
    description: 'wrong types, missing or unknown fields; `fields` names each (the first 20)',
    message: 'Invalid request: status_id must be a positive integer, as a JSON number or a string of digits',
  },
  PAYLOAD_TOO_LARGE: {
    kind: 'invalid-request',
    httpStatus: 413,
    retry: 'never',
    description: 'a body over `MAX_BODY_BYTES`, after base64 decoding',
    message: 'Body is 5000 bytes; the limit is 4096 bytes',
  },
  THULIUM_REFUSED: {
    kind: 'refused',
    httpStatus: 422,
    retry: 'never',
    description:
      'Thulium refused the update (an unknown status, no records for the number, …); `thulium_errors` are its own',
    message: 'Thulium refused the update (HTTP 400): Status 77 does not exist',
  },
  THULIUM_RATE_LIMITED: {
    kind: 'transient',
    httpStatus: 503,
    retry: 'later',
    description:
      "Thulium kept answering 429 after retries, or has paused the deployment's calls, or no turn of its budget came in time (answered at once, without calling it)",
    message: 'Thulium is rate limiting requests (HTTP 429)',
  },
  THULIUM_UNAVAILABLE: {
    kind: 'transient',
    httpStatus: 503,
    retry: 'later',
    description: 'Thulium kept answering 5xx or resetting the connection, after retries',
    message: 'Thulium is unavailable (HTTP 503)',
  },
  SECRET_UNAVAILABLE: {
    kind: 'transient',
    httpStatus: 503,
    retry: 'later',
    retryAfterSeconds: 5,
    description: 'Secrets Manager failed (throttling, 5xx, network)',
    message: 'Secrets Manager is unavailable for secret thulium/outbound-status/api-user: ThrottlingException',
  },
  THULIUM_TIMEOUT: {
    kind: 'transient',
    httpStatus: 504,
    retry: 'safe',
    description: "Thulium did not answer within the invocation's deadline, retries included; it may have applied it",
    message: 'Thulium did not answer in time (UND_ERR_HEADERS_TIMEOUT)',
  },
  DEADLINE_EXCEEDED: {
    kind: 'transient',
    httpStatus: 504,
    retry: 'again',
    description: 'the invocation had too little time left to call Thulium at all',
    message: 'Too little time was left in this invocation to call Thulium',
  },
  THULIUM_BAD_RESPONSE: {
    kind: 'transient',
    httpStatus: 502,
    retry: 'safe',
    description:
      'Thulium answered something unusable: a 2xx without `outbound_id`, a redirect, a 4xx without its error envelope',
    message: 'Thulium answered HTTP 200 without {"outbound_id": [...]}',
  },
  THULIUM_CREDENTIALS_REJECTED: {
    kind: 'configuration',
    httpStatus: 502,
    retry: 'after-fix',
    description:
      "Thulium rejected the secret's API user, also after a fresh read of the secret; that user is held back for `CREDENTIALS_REJECTION_HOLD_SECONDS`",
    message: 'Thulium rejected the API user from the secret (HTTP 401)',
  },
  ORDERING_STORE_UNAVAILABLE: {
    kind: 'transient',
    httpStatus: 503,
    retry: 'later',
    retryAfterSeconds: 2,
    description:
      'the ordering store (DynamoDB) failed: throttling, 5xx, a timeout. Nothing was applied unguarded, or Thulium applied it but it could not be recorded: send it again',
    message:
      'The ordering store is unavailable (table thulium-outbound-status-ordering): ProvisionedThroughputExceededException',
  },
  UPDATE_IN_PROGRESS: {
    kind: 'transient',
    httpStatus: 503,
    retry: 'later',
    retryAfterSeconds: 1,
    description: 'another update for the same number was being applied for all of the time this request had',
    message: 'Another update for this phone number was being applied until too little time was left for this one',
  },
  SUPERSEDED: {
    kind: 'superseded',
    httpStatus: 409,
    retry: 'no-need',
    description:
      'a newer update for the number (by `updated_at`, or by when AWS received it) was applied already; this one was not sent to Thulium',
    message:
      'A newer update for this number (version 2026-12-01T09:30:00.000Z) was applied already; this one (version 2026-12-01T09:29:58.120Z) was not sent to Thulium',
  },
  CONFIGURATION_INVALID: {
    kind: 'configuration',
    httpStatus: 500,
    retry: 'after-fix',
    description: "the function's environment or secret is wrong; its log line under `request_id` names the problem",
    message: 'The function is misconfigured; its logs name the problem under this request_id',
  },
} as const satisfies Record<string, CodeEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;
export type KindOf<C extends ErrorCode> = (typeof ERROR_CATALOGUE)[C]['kind'];

export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

export const entryOf = (code: ErrorCode): CodeEntry => ERROR_CATALOGUE[code];

/** Codes of one kind, e.g. every `invalid-request` code, for the types that only take those. */
export type CodesOfKind<K extends ErrorKind> = {
  [C in ErrorCode]: KindOf<C> extends K ? C : never;
}[ErrorCode];
