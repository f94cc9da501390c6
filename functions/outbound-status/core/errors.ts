import { versionText } from './ordering.ts';

/**
 * Every failure the function knows about, each carrying its own classification.
 * The faces map `kind` (and, for HTTP, `code`) once; nothing else inspects messages.
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

export type ErrorCode =
  | 'METHOD_NOT_ALLOWED'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'MALFORMED_JSON'
  | 'MALFORMED_BODY'
  | 'VALIDATION_FAILED'
  | 'PAYLOAD_TOO_LARGE'
  | 'THULIUM_REFUSED'
  | 'THULIUM_RATE_LIMITED'
  | 'THULIUM_UNAVAILABLE'
  | 'THULIUM_TIMEOUT'
  | 'DEADLINE_EXCEEDED'
  | 'THULIUM_BAD_RESPONSE'
  | 'THULIUM_CREDENTIALS_REJECTED'
  | 'SECRET_UNAVAILABLE'
  | 'ORDERING_STORE_UNAVAILABLE'
  | 'UPDATE_IN_PROGRESS'
  | 'SUPERSEDED'
  | 'CONFIGURATION_INVALID';

export interface FieldProblem {
  field: string;
  message: string;
}

export interface ThuliumErrorDetail {
  message: string;
  code?: string | number;
}

export abstract class OutboundStatusError extends Error {
  abstract readonly kind: ErrorKind;
  abstract readonly code: ErrorCode;
  /** Thulium's own id of the request, for its support, when Thulium gave one. */
  readonly thuliumRequestId?: string;
}

export class InvalidRequestError extends OutboundStatusError {
  readonly kind = 'invalid-request';
  readonly code: Extract<
    ErrorCode,
    | 'METHOD_NOT_ALLOWED'
    | 'UNSUPPORTED_MEDIA_TYPE'
    | 'MALFORMED_JSON'
    | 'MALFORMED_BODY'
    | 'VALIDATION_FAILED'
    | 'PAYLOAD_TOO_LARGE'
  >;
  readonly fields: FieldProblem[];
  constructor(code: InvalidRequestError['code'], message: string, fields: FieldProblem[] = []) {
    super(message);
    this.name = 'InvalidRequestError';
    this.code = code;
    this.fields = fields;
  }
}

/** Thulium answered a 4xx other than auth or rate limiting: the update as sent will never apply. */
export class ThuliumRefusedError extends OutboundStatusError {
  readonly kind = 'refused';
  readonly code = 'THULIUM_REFUSED';
  readonly thuliumStatus: number;
  readonly thuliumErrors: ThuliumErrorDetail[];
  override readonly thuliumRequestId: string | undefined;
  constructor(thuliumStatus: number, thuliumErrors: ThuliumErrorDetail[], thuliumRequestId?: string) {
    super(`Thulium refused the update (HTTP ${thuliumStatus})${summarise(thuliumErrors)}`);
    this.name = 'ThuliumRefusedError';
    this.thuliumStatus = thuliumStatus;
    this.thuliumErrors = thuliumErrors;
    this.thuliumRequestId = thuliumRequestId;
  }
}

export class ThuliumUnavailableError extends OutboundStatusError {
  readonly kind = 'transient';
  readonly code: 'THULIUM_RATE_LIMITED' | 'THULIUM_UNAVAILABLE';
  readonly retryAfterSeconds: number;
  override readonly thuliumRequestId: string | undefined;
  constructor(
    message: string,
    options: { retryAfterSeconds: number; rateLimited: boolean; thuliumRequestId?: string },
  ) {
    super(message);
    this.name = 'ThuliumUnavailableError';
    this.code = options.rateLimited ? 'THULIUM_RATE_LIMITED' : 'THULIUM_UNAVAILABLE';
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.thuliumRequestId = options.thuliumRequestId;
  }
}

export class ThuliumTimeoutError extends OutboundStatusError {
  readonly kind = 'transient';
  readonly code = 'THULIUM_TIMEOUT';
  constructor(message: string) {
    super(message);
    this.name = 'ThuliumTimeoutError';
  }
}

/**
 * Thulium answered 2xx with something that is not `{"outbound_id": [...]}`. The update may have
 * applied; repeating it is safe (setting the same status twice leaves the same state).
 */
export class ThuliumBadResponseError extends OutboundStatusError {
  readonly kind = 'transient';
  readonly code = 'THULIUM_BAD_RESPONSE';
  override readonly thuliumRequestId: string | undefined;
  constructor(message: string, thuliumRequestId?: string) {
    super(message);
    this.name = 'ThuliumBadResponseError';
    this.thuliumRequestId = thuliumRequestId;
  }
}

export class CredentialsRejectedError extends OutboundStatusError {
  readonly kind = 'configuration';
  readonly code = 'THULIUM_CREDENTIALS_REJECTED';
  readonly thuliumStatus: number;
  override readonly thuliumRequestId: string | undefined;
  constructor(thuliumStatus: number, thuliumRequestId?: string, note = '') {
    super(`Thulium rejected the API user from the secret (HTTP ${thuliumStatus})${note}`);
    this.name = 'CredentialsRejectedError';
    this.thuliumStatus = thuliumStatus;
    this.thuliumRequestId = thuliumRequestId;
  }
}

/** Too little of the invocation was left to start a call to Thulium at all. */
export class DeadlineExceededError extends OutboundStatusError {
  readonly kind = 'transient';
  readonly code = 'DEADLINE_EXCEEDED';
  constructor(message = 'Too little time was left in this invocation to call Thulium') {
    super(message);
    this.name = 'DeadlineExceededError';
  }
}

export class SecretUnavailableError extends OutboundStatusError {
  readonly kind = 'transient';
  readonly code = 'SECRET_UNAVAILABLE';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SecretUnavailableError';
  }
}

export class ConfigurationError extends OutboundStatusError {
  readonly kind = 'configuration';
  readonly code = 'CONFIGURATION_INVALID';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigurationError';
  }
}

/** An update older than the newest applied for its number; nothing was sent to Thulium. */
export class SupersededError extends OutboundStatusError {
  readonly kind = 'superseded';
  readonly code = 'SUPERSEDED';
  /** Epoch ms: this update's version, and the newest applied for its number. */
  readonly version: number;
  readonly appliedVersion: number;
  constructor(version: number, appliedVersion: number) {
    super(
      `A newer update for this number (version ${versionText(appliedVersion)}) was applied already; this one (version ${versionText(version)}) was not sent to Thulium`,
    );
    this.name = 'SupersededError';
    this.version = version;
    this.appliedVersion = appliedVersion;
  }
}

/** The ordering store (DynamoDB) failed: throttling, 5xx, a timeout. Nothing was applied unguarded. */
export class OrderingStoreUnavailableError extends OutboundStatusError {
  readonly kind = 'transient';
  readonly code = 'ORDERING_STORE_UNAVAILABLE';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OrderingStoreUnavailableError';
  }
}

/** Another update for the same number held it for the whole of this invocation's time. */
export class UpdateInProgressError extends OutboundStatusError {
  readonly kind = 'transient';
  readonly code = 'UPDATE_IN_PROGRESS';
  constructor() {
    super('Another update for this phone number was being applied until too little time was left for this one');
    this.name = 'UpdateInProgressError';
  }
}

function summarise(errors: ThuliumErrorDetail[]): string {
  return errors.length === 0 ? '' : `: ${errors.map((e) => e.message).join('; ')}`;
}
