/**
 * The ordering store's table, one item per phone number: what the stack creates, what the local
 * DynamoDB is given, and what the store adapter reads and writes. No phone number is kept in clear.
 */
export const ORDERING_TABLE = {
  /** String: HMAC-SHA256 of the normalised number, hex, keyed with the secret `ORDERING_KEY_SECRET_ID`. */
  partitionKey: 'number_hash',
  /** Number: epoch seconds after which DynamoDB may delete the item (the table's TTL attribute). */
  ttlAttribute: 'expires_at',
} as const;

/** What a number's item says of the update applied last; `npm run trace` reads it back. */
export const APPLIED = {
  /** Number: the update's version, epoch ms. */
  version: 'applied_version',
  /** String: the status id Thulium was sent. */
  statusId: 'applied_status_id',
  /** Number: when Thulium's answer was recorded, epoch ms. */
  at: 'applied_at',
  /** String: `http` or `queue`. */
  face: 'applied_face',
  /** String: API Gateway's request id, or the SQS message id. */
  correlationId: 'applied_correlation_id',
  /** String: the sender's reference as echoed (digit runs masked); absent when it gave none. */
  reference: 'applied_reference',
} as const;

/** How long an item outlives its number's last update: the main queue's retention, the DLQ's 14 days, one day to spare. */
export const orderingTtlSeconds = (queueRetentionDays: number) => (queueRetentionDays + 14 + 1) * 86_400;

/** The shared Thulium budget's one item in the same table: a key no HMAC (64 hex digits) can take. */
export const BUDGET_ITEM_KEY = 'thulium-budget';
