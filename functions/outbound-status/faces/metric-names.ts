/** The function's CloudWatch metrics (Powertools EMF). The stack's dashboard reads the same names. */
export const SERVICE_NAME = 'thulium-outbound-status';
export const METRIC_NAMESPACE = 'ThuliumOutboundStatus';

export const METRIC = {
  updated: 'Updated',
  errorAnswers: 'ErrorAnswers',
  deadLettered: 'DeadLettered',
  retriesScheduled: 'RetriesScheduled',
  thuliumAttempts: 'ThuliumAttempts',
  /** With an ErrorCode dimension. */
  failures: 'Failures',
  unexpectedErrors: 'UnexpectedErrors',
  unsupportedEvents: 'UnsupportedEvents',
  /** Updates older than one already applied for their number: acknowledged (queue) or answered 409, never sent. */
  superseded: 'Superseded',
  /** Calls to the ordering store (DynamoDB) that failed: throttling, 5xx, timeouts, a missing table. */
  orderingStoreFailures: 'OrderingStoreFailures',
  /** Times Thulium's 429 lowered a container's pace: once per episode (a 503 with Retry-After pauses, uncounted). */
  thuliumRateLimited: 'ThuliumRateLimited',
} as const;
