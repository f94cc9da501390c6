/** The function's CloudWatch metrics (Powertools EMF). The stack's dashboard and the docs read them here. */
export const SERVICE_NAME = 'thulium-outbound-status';
export const METRIC_NAMESPACE = 'ThuliumOutboundStatus';

interface MetricEntry {
  name: string;
  /** What one count means, for people: the generated docs read it. */
  description: string;
}

export const METRIC_CATALOGUE = {
  coldStart: { name: 'ColdStart', description: "Powertools': invocations that started a new container." },
  updated: { name: 'Updated', description: 'Updates Thulium applied, either face.' },
  errorAnswers: { name: 'ErrorAnswers', description: 'HTTP callers answered with an error (any status but 200).' },
  deadLettered: {
    name: 'DeadLettered',
    description: 'Queue messages the function moved to the DLQ, with their reason.',
  },
  retriesScheduled: {
    name: 'RetriesScheduled',
    description:
      'Queue messages left for SQS to deliver again: a transient or configuration failure before its last delivery, a record the batch had no time for, or a DLQ send that failed.',
  },
  thuliumAttempts: { name: 'ThuliumAttempts', description: 'Calls to Thulium, retries included, per update.' },
  failures: {
    name: 'Failures',
    description:
      'Failed updates by `ErrorCode` dimension, whatever their outcome; superseded updates are not failures.',
  },
  unexpectedErrors: {
    name: 'UnexpectedErrors',
    description: 'Bugs: failures no code classifies, logged with their stack.',
  },
  unsupportedEvents: {
    name: 'UnsupportedEvents',
    description: 'Invocations with an event that is neither API Gateway (REST or HTTP API) nor SQS.',
  },
  superseded: {
    name: 'Superseded',
    description:
      'Updates older than one already applied for their number: acknowledged (queue) or answered 409, never sent.',
  },
  orderingStoreFailures: {
    name: 'OrderingStoreFailures',
    description: 'Calls to the ordering store (DynamoDB) that failed: throttling, 5xx, timeouts, a missing table.',
  },
  thuliumRateLimited: {
    name: 'ThuliumRateLimited',
    description:
      "Episodes of Thulium's 429: once per episode for the whole deployment (shared budget), counted by the container that paused the others (a 503 with Retry-After pauses, uncounted).",
  },
  thuliumBudgetRate: {
    name: 'ThuliumBudgetRate',
    description:
      'Calls a second the Thulium budget allows, as the container saw it at the end of an invocation: the set rate, or the learned one (absent while no limit is known).',
  },
  thuliumPauseMs: {
    name: 'ThuliumPauseMs',
    description: "Length of each pause Thulium asked for (Retry-After, ms), when it paused the deployment's calls.",
  },
  thuliumBudgetFallbacks: {
    name: 'ThuliumBudgetFallbacks',
    description:
      'Times a container could not reach the shared budget (a failed or slow store call) and fell back to a budget of its own: the last known rate divided among the containers it knew of.',
  },
  outcomeEventsPublished: {
    name: 'OutcomeEventsPublished',
    description: 'Outcome events EventBridge accepted (applied, superseded, dead-lettered), when a bus is set.',
  },
  outcomeEventsFailed: {
    name: 'OutcomeEventsFailed',
    description:
      "Outcome events EventBridge did not take, after the invocation's retries: the update's outcome stands, only its event is missing.",
  },
} as const satisfies Record<string, MetricEntry>;

type MetricKey = keyof typeof METRIC_CATALOGUE;

/** Each metric's name, by key: what the code emits and the dashboard graphs. */
export const METRIC = Object.fromEntries(Object.entries(METRIC_CATALOGUE).map(([key, { name }]) => [key, name])) as {
  [K in MetricKey]: (typeof METRIC_CATALOGUE)[K]['name'];
};
