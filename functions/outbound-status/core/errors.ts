import { type CodesOfKind, ERROR_CATALOGUE, type ErrorCode, type ErrorKind } from './error-catalogue.ts';
import { versionText } from './ordering.ts';

export type { ErrorCode, ErrorKind } from './error-catalogue.ts';

export interface FieldProblem {
  field: string;
  message: string;
}

export interface ThuliumErrorDetail {
  message: string;
  code?: string | number;
}

interface ErrorDetails extends ErrorOptions {
  /** Thulium's own id of the request, for its support, when Thulium gave one. */
  thuliumRequestId?: string;
}

/**
 * Every failure the function knows about. Its code says what it is; the catalogue gives its kind,
 * HTTP status and retry advice. The subclasses below exist only where an error carries data.
 */
export class OutboundStatusError extends Error {
  readonly code: ErrorCode;
  /** A field, not a getter, so a logged or serialised error carries it. */
  readonly kind: ErrorKind;
  readonly thuliumRequestId?: string;
  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details);
    // THULIUM_TIMEOUT → ThuliumTimeoutError: the error type Lambda and the logs show says what failed.
    this.name = `${code.toLowerCase().replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase())}Error`;
    this.code = code;
    this.kind = ERROR_CATALOGUE[code].kind;
    if (details.thuliumRequestId !== undefined) this.thuliumRequestId = details.thuliumRequestId;
  }
}

/** Codes whose message never varies: the catalogue's is the one given. */
type FixedMessageCode = 'DEADLINE_EXCEEDED' | 'UPDATE_IN_PROGRESS';

/** An error that carries nothing but its code and message (the classes below carry more). */
export function failure(code: FixedMessageCode): OutboundStatusError;
export function failure(code: ErrorCode, message: string, details?: ErrorDetails): OutboundStatusError;
export function failure(code: ErrorCode, message?: string, details?: ErrorDetails): OutboundStatusError {
  return new OutboundStatusError(code, message ?? ERROR_CATALOGUE[code].message, details);
}

export class InvalidRequestError extends OutboundStatusError {
  declare readonly code: CodesOfKind<'invalid-request'>;
  readonly fields: FieldProblem[];
  constructor(code: CodesOfKind<'invalid-request'>, message: string, fields: FieldProblem[] = []) {
    super(code, message);
    this.name = 'InvalidRequestError';
    this.fields = fields;
  }
}

/** Thulium answered a 4xx other than auth or rate limiting: the update as sent will never apply. */
export class ThuliumRefusedError extends OutboundStatusError {
  readonly thuliumStatus: number;
  readonly thuliumErrors: ThuliumErrorDetail[];
  constructor(thuliumStatus: number, thuliumErrors: ThuliumErrorDetail[], thuliumRequestId?: string) {
    super('THULIUM_REFUSED', `Thulium refused the update (HTTP ${thuliumStatus})${summarise(thuliumErrors)}`, {
      thuliumRequestId,
    });
    this.name = 'ThuliumRefusedError';
    this.thuliumStatus = thuliumStatus;
    this.thuliumErrors = thuliumErrors;
  }
}

/** Thulium limited us or was down; `retryAfterSeconds` is its Retry-After, or our own back-off. */
export class ThuliumUnavailableError extends OutboundStatusError {
  declare readonly code: 'THULIUM_RATE_LIMITED' | 'THULIUM_UNAVAILABLE';
  readonly retryAfterSeconds: number;
  /** No turn of the deployment's budget came in time for this attempt, and `retryAfterSeconds` says when one would. */
  readonly awaitingTurn: boolean;
  constructor(
    message: string,
    options: { retryAfterSeconds: number; rateLimited: boolean; thuliumRequestId?: string; awaitingTurn?: boolean },
  ) {
    super(options.rateLimited ? 'THULIUM_RATE_LIMITED' : 'THULIUM_UNAVAILABLE', message, options);
    this.name = 'ThuliumUnavailableError';
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.awaitingTurn = options.awaitingTurn ?? false;
  }
}

export class CredentialsRejectedError extends OutboundStatusError {
  readonly thuliumStatus: number;
  constructor(thuliumStatus: number, thuliumRequestId?: string, note = '') {
    super(
      'THULIUM_CREDENTIALS_REJECTED',
      `Thulium rejected the API user from the secret (HTTP ${thuliumStatus})${note}`,
      { thuliumRequestId },
    );
    this.name = 'CredentialsRejectedError';
    this.thuliumStatus = thuliumStatus;
  }
}

/** An update older than the newest applied for its number; nothing was sent to Thulium. */
export class SupersededError extends OutboundStatusError {
  /** Epoch ms: this update's version, and the newest applied for its number. */
  readonly version: number;
  readonly appliedVersion: number;
  constructor(version: number, appliedVersion: number) {
    super(
      'SUPERSEDED',
      `A newer update for this number (version ${versionText(appliedVersion)}) was applied already; this one (version ${versionText(version)}) was not sent to Thulium`,
    );
    this.name = 'SupersededError';
    this.version = version;
    this.appliedVersion = appliedVersion;
  }
}

function summarise(errors: ThuliumErrorDetail[]): string {
  return errors.length === 0 ? '' : `: ${errors.map((e) => e.message).join('; ')}`;
}
