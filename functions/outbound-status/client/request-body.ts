import { toStatusUpdate, type StatusUpdate } from '../core/contract.ts';
import { InvalidRequestError } from '../core/errors.ts';

/** What a caller hands the helpers: the contract's two fields, in camelCase. */
export interface StatusUpdateInput {
  phoneNumber: string | number;
  statusId: string | number;
  /**
   * When this status was decided: for each number the latest stands, and an older update is
   * never sent to Thulium. A Date, or an RFC 3339 string with offset and milliseconds. Without
   * it, the time SQS or API Gateway takes the update in counts.
   */
  updatedAt?: Date | string;
  /**
   * Your own id for this update (1–128 printable ASCII characters): echoed in its outcome event, so
   * a rule can route your outcomes to you (docs/outcome-events.md), and in the function's logs.
   * Never sent to Thulium. A run of six or more digits is masked wherever it is echoed.
   */
  reference?: string;
}

/**
 * The contract's JSON body, checked by the function's own schema before anything leaves the
 * process. In a batch, field names carry the entry's position: `updates[3].phone_number`.
 */
export function toRequestBody(input: StatusUpdateInput, index?: number): { body: string; update: StatusUpdate } {
  const json = input === null || typeof input !== 'object' ? input : fields(input);
  try {
    const update = toStatusUpdate(json);
    const updatedAt = (json as { updated_at?: string }).updated_at;
    const body = {
      phone_number: update.phoneNumber,
      status_id: update.statusId,
      updated_at: updatedAt,
      reference: update.reference,
    };
    return { body: JSON.stringify(body), update };
  } catch (error) {
    if (index === undefined || !(error instanceof InvalidRequestError)) throw error;
    const fields = error.fields.map((f) => ({ field: `updates[${index}].${f.field}`, message: f.message }));
    throw new InvalidRequestError(error.code, `updates[${index}]: ${error.message}`, fields);
  }
}

function fields({ phoneNumber, statusId, updatedAt, reference }: StatusUpdateInput) {
  const updated_at =
    updatedAt instanceof Date
      ? Number.isNaN(updatedAt.getTime())
        ? 'Invalid Date'
        : updatedAt.toISOString()
      : updatedAt;
  return {
    phone_number: phoneNumber,
    status_id: statusId,
    ...(updated_at !== undefined && { updated_at }),
    ...(reference !== undefined && { reference }),
  };
}
