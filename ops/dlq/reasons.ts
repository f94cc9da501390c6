import { ERROR_CATALOGUE, ERROR_CODES, type ErrorCode } from '../../functions/outbound-status/core/error-catalogue.ts';
import { usageError } from './cli-error.ts';

/**
 * Messages SQS moved itself (redrive policy, maxReceiveCount reached) carry no reason: the function
 * failed as a whole, e.g. on a bad environment, and its error log says why.
 */
export const UNRECORDED = 'UNRECORDED';

export const REASONS: readonly string[] = [...ERROR_CODES, UNRECORDED];

/** Sent again unchanged, these fail the same way and come straight back to the DLQ. */
export function failsAgain(kind: string | undefined): boolean {
  return kind === 'invalid-request' || kind === 'refused';
}

/** No reasons chosen means all of them. */
export const matchesReasons = (reasons: string[], reason: string) => reasons.length === 0 || reasons.includes(reason);

/** The kind a message's own ErrorKind attribute states, else the one its code implies. */
export function kindOf(reason: string, statedKind: string | undefined): string | undefined {
  return statedKind ?? ERROR_CATALOGUE[reason as ErrorCode]?.kind;
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
