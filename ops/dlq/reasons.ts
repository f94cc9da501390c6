import type { ErrorCode, ErrorKind } from '../../functions/outbound-status/core/errors.ts';
import { usageError } from './cli-error.ts';

/**
 * The function's error codes with their kind. `satisfies` makes the compiler reject this list as
 * soon as errors.ts gains or loses a code, so `--reason` validation cannot drift from the function.
 */
const KIND_BY_CODE = {
  METHOD_NOT_ALLOWED: 'invalid-request',
  UNSUPPORTED_MEDIA_TYPE: 'invalid-request',
  MALFORMED_JSON: 'invalid-request',
  MALFORMED_BODY: 'invalid-request',
  VALIDATION_FAILED: 'invalid-request',
  PAYLOAD_TOO_LARGE: 'invalid-request',
  THULIUM_REFUSED: 'refused',
  THULIUM_RATE_LIMITED: 'transient',
  THULIUM_UNAVAILABLE: 'transient',
  THULIUM_TIMEOUT: 'transient',
  DEADLINE_EXCEEDED: 'transient',
  THULIUM_BAD_RESPONSE: 'transient',
  SECRET_UNAVAILABLE: 'transient',
  ORDERING_STORE_UNAVAILABLE: 'transient',
  UPDATE_IN_PROGRESS: 'transient',
  SUPERSEDED: 'superseded',
  THULIUM_CREDENTIALS_REJECTED: 'configuration',
  CONFIGURATION_INVALID: 'configuration',
} as const satisfies Record<ErrorCode, ErrorKind>;

/**
 * Messages SQS moved itself (redrive policy, maxReceiveCount reached) carry no reason: the function
 * failed as a whole, e.g. on a bad environment, and its error log says why.
 */
export const UNRECORDED = 'UNRECORDED';

export const REASONS: readonly string[] = [...Object.keys(KIND_BY_CODE), UNRECORDED];

/** Sent again unchanged, these fail the same way and come straight back to the DLQ. */
export function failsAgain(kind: string | undefined): boolean {
  return kind === 'invalid-request' || kind === 'refused';
}

/** No reasons chosen means all of them. */
export const matchesReasons = (reasons: string[], reason: string) => reasons.length === 0 || reasons.includes(reason);

/** The kind a message's own ErrorKind attribute states, else the one its code implies. */
export function kindOf(reason: string, statedKind: string | undefined): string | undefined {
  return statedKind ?? (KIND_BY_CODE as Record<string, string>)[reason];
}

/** `--reason a,b` to known codes; case is forgiven, unknown codes are not. */
export function parseReasons(values: string[]): string[] {
  const codes = values
    .flatMap((value) => value.split(','))
    .map((code) => code.trim().toUpperCase())
    .filter(Boolean);
  const unknown = codes.filter((code) => !REASONS.includes(code));
  if (unknown.length > 0) {
    throw usageError(`unknown reason ${unknown.join(', ')}; known reasons: ${REASONS.join(', ')}`);
  }
  return [...new Set(codes)];
}
