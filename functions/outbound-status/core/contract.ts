import * as z from 'zod/mini';
import { InvalidRequestError, type FieldProblem } from './errors.ts';
import { maskPhoneNumbersIn } from './phone-number.ts';
import { truncate } from '../shared/text.ts';

/** Digits and the separators people type, a + only in front; at least one digit. ASCII only, on purpose. */
const PHONE_PATTERN = /^\+?[0-9\-(). /]*[0-9][0-9\-(). /]*$/;
const PHONE_MAX_LENGTH = 32;
/** Enough to fix a request; a body with a thousand unknown keys does not get a thousand-line answer. */
const MAX_FIELD_PROBLEMS = 20;
/** Up to 15 digits keeps every id below 2^53, so a JSON number and its string agree. */
const STATUS_ID_PATTERN = /^[1-9][0-9]{0,14}$/;
const STATUS_ID_MAX = 999_999_999_999_999;

/** A missing field says so; a present but wrong one gets the field's rule. */
const requiredOr = (message: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'is required' : message;

const PHONE_MESSAGE = `must be a phone number of at most ${PHONE_MAX_LENGTH} characters: ASCII digits, optionally with spaces, dashes, dots, slashes, parentheses or a leading +`;
const STATUS_MESSAGE = 'must be a positive integer, as a JSON number or a string of digits';

export const PhoneNumber = z
  .pipe(
    z.union(
      [
        z
          .string()
          .check(
            z.minLength(1, PHONE_MESSAGE),
            z.maxLength(PHONE_MAX_LENGTH, PHONE_MESSAGE),
            z.regex(PHONE_PATTERN, PHONE_MESSAGE),
          ),
        z.int(PHONE_MESSAGE).check(z.minimum(0, PHONE_MESSAGE), z.maximum(Number.MAX_SAFE_INTEGER, PHONE_MESSAGE)),
      ],
      { error: requiredOr(PHONE_MESSAGE) },
    ),
    z.transform(String),
  )
  .register(z.globalRegistry, {
    description: 'The main phone number of the campaign records, as Thulium stores it.',
    examples: ['111222333'],
  });

export const StatusId = z
  .pipe(
    z.union(
      [
        z.string().check(z.regex(STATUS_ID_PATTERN, STATUS_MESSAGE)),
        z.int(STATUS_MESSAGE).check(z.minimum(1, STATUS_MESSAGE), z.maximum(STATUS_ID_MAX, STATUS_MESSAGE)),
      ],
      { error: requiredOr(STATUS_MESSAGE) },
    ),
    z.transform(String),
  )
  .register(z.globalRegistry, {
    description: 'Id of a Thulium dictionary status (an outbound campaign status).',
    examples: ['3'],
  });

const UPDATED_AT_MESSAGE =
  'must be an RFC 3339 date-time with an offset and milliseconds, such as 2026-12-01T09:30:00.000Z or 2026-12-01T10:30:00.000+01:00';

export const UpdatedAt = z.iso
  .datetime({ offset: true, precision: 3, error: UPDATED_AT_MESSAGE })
  .register(z.globalRegistry, {
    description:
      'When the sender decided this status. For each number the update with the latest updated_at stands; an older one is not sent to Thulium. Without it, the time AWS took the update in counts.',
    examples: ['2026-12-01T09:30:00.000Z'],
  });

/** Thulium's path, and the API's own: a caller moving from Thulium to this function swaps only the base URL. */
export const ENDPOINT_PATH = '/api/outbound_status_by_phone_number';

const REFERENCE_MAX_LENGTH = 128;
const REFERENCE_MESSAGE = `must be 1 to ${REFERENCE_MAX_LENGTH} printable ASCII characters (space to ~)`;

export const Reference = z
  .string({ error: REFERENCE_MESSAGE })
  .check(z.regex(/^[\x20-\x7E]{1,128}$/, REFERENCE_MESSAGE))
  .register(z.globalRegistry, {
    description:
      "The sender's own id for this update, echoed in its outcome event, the function's log lines and a dead letter's attributes; never sent to Thulium. A run of six or more digits in it is masked there, like a phone number.",
    examples: ['crm-optout-2026-000042'],
  });

/** The one contract: an HTTP body and an SQS message body are both this JSON object. */
export const StatusUpdateRequest = z
  .strictObject(
    {
      phone_number: PhoneNumber,
      status_id: StatusId,
      updated_at: z.optional(UpdatedAt),
      reference: z.optional(Reference),
    },
    { error: 'must be a JSON object' },
  )
  .register(z.globalRegistry, {
    title: 'StatusUpdateRequest',
    description: 'Set the status of every outbound-campaign record whose main number is phone_number.',
    examples: [{ phone_number: '111222333', status_id: '3' }],
  });

/** What the use case works with: both values as the strings Thulium expects. */
export interface StatusUpdate {
  phoneNumber: string;
  statusId: string;
  /** The sender's `updated_at`, epoch ms. */
  updatedAt?: number;
  /** The sender's own id for the update: echoed, never sent to Thulium. */
  reference?: string;
}

/** Thulium's answer, passed to HTTP callers unchanged. */
export const StatusUpdateResponse = z.looseObject({
  outbound_id: z.array(z.union([z.string(), z.number()])),
});
export type StatusUpdateResponse = z.infer<typeof StatusUpdateResponse>;

export function parseStatusUpdate(body: string, maxBytes: number): StatusUpdate {
  return toStatusUpdate(parseJsonBody(body, maxBytes));
}

export function parseJsonBody(body: string, maxBytes: number): unknown {
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > maxBytes) throw tooLarge(bytes, maxBytes);
  try {
    return JSON.parse(body);
  } catch {
    throw new InvalidRequestError('MALFORMED_JSON', 'Body is not valid JSON');
  }
}

export const tooLarge = (bytes: number, maxBytes: number) =>
  new InvalidRequestError('PAYLOAD_TOO_LARGE', `Body is ${bytes} bytes; the limit is ${maxBytes} bytes`);

/** Checks parsed JSON against the contract; every offending field is named. */
export function toStatusUpdate(json: unknown): StatusUpdate {
  const parsed = StatusUpdateRequest.safeParse(json);
  if (!parsed.success) {
    // One problem per field: an empty string breaks both the length and the pattern rule.
    const seen = new Set<string>();
    const fields = parsed.error.issues
      .flatMap(toFieldProblems)
      .filter((p) => !seen.has(p.field) && seen.add(p.field))
      .slice(0, MAX_FIELD_PROBLEMS);
    throw new InvalidRequestError(
      'VALIDATION_FAILED',
      `Invalid request: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}`,
      fields,
    );
  }
  const { phone_number: phoneNumber, status_id: statusId, updated_at, reference } = parsed.data;
  return {
    phoneNumber,
    statusId,
    ...(updated_at !== undefined && { updatedAt: Date.parse(updated_at) }),
    ...(reference !== undefined && { reference }),
  };
}

/** A reference as it is echoed (events, logs, dead letters, the ordering table): digit runs that could be a phone number masked. */
export const echoedReference = (reference: string | undefined) =>
  reference === undefined ? undefined : maskPhoneNumbersIn(reference);

/** The reference of a body the contract refused for another field, so its dead-letter event still reaches its sender. */
export function referenceIn(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const parsed = Reference.safeParse((payload as { reference?: unknown }).reference);
  return parsed.success ? parsed.data : undefined;
}

function toFieldProblems(issue: z.core.$ZodIssue): FieldProblem[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ field: printable(key), message: 'is not an accepted field' }));
  }
  const field = issue.path.length === 0 ? 'body' : issue.path.map((p) => printable(String(p))).join('.');
  return [{ field, message: issue.message }];
}

/**
 * Field names come from the caller: bound them, keep control characters out of answers and logs,
 * and mask a phone number sent as a key.
 */
function printable(name: string): string {
  return truncate(maskPhoneNumbersIn(JSON.stringify(name).slice(1, -1)), 64, '…');
}
