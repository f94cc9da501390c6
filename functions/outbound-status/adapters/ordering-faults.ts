import { failure, OutboundStatusError } from '../core/errors.ts';

/** DynamoDB answers that no retry will fix until someone changes the table, the role or the settings. */
const CONFIGURATION_FAULTS = new Set([
  'ResourceNotFoundException',
  'AccessDeniedException',
  'ValidationException',
  'UnrecognizedClientException',
]);

/** The condition of a conditional write failed: another holder, or a newer version; the store itself is fine. */
export const isConditionFailure = (error: unknown) => (error as Error)?.name === 'ConditionalCheckFailedException';

/** The item a condition failed on: DynamoDB returns it (ReturnValuesOnConditionCheckFailure); an emulator may not. */
export const itemOfConditionFailure = (error: unknown) =>
  (error as { Item?: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> }).Item;

export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/** A failed store call as the use case sees it: configuration when only a change helps, else transient. */
export function classify(tableName: string, error: unknown): OutboundStatusError {
  if (error instanceof OutboundStatusError) return error;
  const name = (error as { name?: string } | undefined)?.name ?? 'UnknownError';
  if (CONFIGURATION_FAULTS.has(name))
    return failure('CONFIGURATION_INVALID', `Cannot use ordering table ${tableName}: ${name}`);
  return failure('ORDERING_STORE_UNAVAILABLE', `The ordering store is unavailable (table ${tableName}): ${name}`, {
    cause: error,
  });
}
