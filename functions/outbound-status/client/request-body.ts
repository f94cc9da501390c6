import { toStatusUpdate, type StatusUpdate } from '../core/contract.ts';
import { InvalidRequestError } from '../core/errors.ts';

/** What a caller hands the helpers: the contract's two fields, in camelCase. */
export interface StatusUpdateInput {
  phoneNumber: string | number;
  statusId: string | number;
}

/**
 * The contract's JSON body, checked by the function's own schema before anything leaves the
 * process. In a batch, field names carry the entry's position: `updates[3].phone_number`.
 */
export function toRequestBody(input: StatusUpdateInput, index?: number): { body: string; update: StatusUpdate } {
  const json = input === null || typeof input !== 'object' ? input : { phone_number: input.phoneNumber, status_id: input.statusId };
  try {
    const update = toStatusUpdate(json);
    return { body: JSON.stringify({ phone_number: update.phoneNumber, status_id: update.statusId }), update };
  } catch (error) {
    if (index === undefined || !(error instanceof InvalidRequestError)) throw error;
    const fields = error.fields.map((f) => ({ field: `updates[${index}].${f.field}`, message: f.message }));
    throw new InvalidRequestError(error.code, `updates[${index}]: ${error.message}`, fields);
  }
}
