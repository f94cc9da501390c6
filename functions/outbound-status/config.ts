import * as z from 'zod/mini';
import { failure } from './core/errors.ts';
import { Environment } from './environment.ts';

type Variables = z.output<typeof Environment>;

/** The variables as the function uses them, grouped by the part that needs them. */
const toConfig = (e: Variables) => ({
  thulium: {
    baseUrl: e.THULIUM_BASE_URL,
    connectTimeoutMs: e.THULIUM_CONNECT_TIMEOUT_MS,
    requestTimeoutMs: e.THULIUM_REQUEST_TIMEOUT_MS,
    maxAttempts: e.THULIUM_MAX_ATTEMPTS,
    retryBaseMs: e.THULIUM_RETRY_BASE_MS,
    retryMaxMs: e.THULIUM_RETRY_MAX_MS,
    // A container never has more calls in flight than records of a batch; undici would open up
    // to its limit anyway, when a request is dispatched before the last one's socket is free again.
    connections: Math.min(e.THULIUM_CONNECTIONS, e.QUEUE_CONCURRENCY),
  },
  secretId: e.THULIUM_SECRET_ID,
  secretTtlSeconds: e.SECRET_TTL_SECONDS,
  credentialsRejectionHoldSeconds: e.CREDENTIALS_REJECTION_HOLD_SECONDS,
  deadLetterQueueUrl: e.DEAD_LETTER_QUEUE_URL,
  deadlineSafetyMarginMs: e.DEADLINE_SAFETY_MARGIN_MS,
  httpTimeoutMs: e.HTTP_TIMEOUT_MS,
  maxBodyBytes: e.MAX_BODY_BYTES,
  queue: {
    concurrency: e.QUEUE_CONCURRENCY,
    maxReceiveCount: e.QUEUE_MAX_RECEIVE_COUNT,
    visibilityBaseSeconds: e.RETRY_VISIBILITY_BASE_SECONDS,
    visibilityMaxSeconds: e.RETRY_VISIBILITY_MAX_SECONDS,
  },
  phonePolicy: { normalisation: e.PHONE_NORMALISATION, countryCode: e.PHONE_COUNTRY_CODE },
  /** Undefined when the guard is off (the checks above require its table and key when on). */
  ordering: orderingOf(e),
  /** The key of the numbers' hashes: the guard's, and log lines' and events' `number_key`. */
  numberKeySecretId: e.ORDERING_KEY_SECRET_ID,
  /** The bus outcome events go to; undefined: none are published. */
  outcomeEventBus: e.OUTCOME_EVENT_BUS === 'none' ? undefined : e.OUTCOME_EVENT_BUS,
  budget: {
    /** Undefined: each container keeps its own budget. */
    tableName: e.THULIUM_BUDGET === 'shared' ? tableOf(e, 'THULIUM_BUDGET is shared') : undefined,
    callsPerSecond: e.THULIUM_CALLS_PER_SECOND,
  },
});

function tableOf(e: Variables, why: string): string {
  if (!e.ORDERING_TABLE_NAME) throw failure('CONFIGURATION_INVALID', `ORDERING_TABLE_NAME is required while ${why}`);
  return e.ORDERING_TABLE_NAME;
}

/** Undefined only when the guard is switched off: a guard that is on never turns itself off. */
function orderingOf(e: Variables) {
  if (e.ORDERING_GUARD === 'off') return undefined;
  if (!e.ORDERING_TABLE_NAME || !e.ORDERING_KEY_SECRET_ID) {
    throw failure(
      'CONFIGURATION_INVALID',
      'ORDERING_TABLE_NAME and ORDERING_KEY_SECRET_ID are required while ORDERING_GUARD is on',
    );
  }
  return {
    tableName: e.ORDERING_TABLE_NAME,
    keySecretId: e.ORDERING_KEY_SECRET_ID,
    ttlSeconds: e.ORDERING_TTL_SECONDS,
  };
}

const Settings = z.pipe(Environment, z.transform(toConfig));
export type Config = z.output<typeof Settings>;

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Settings.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw failure('CONFIGURATION_INVALID', `Invalid environment: ${problems.join('; ')}`);
  }
  return parsed.data;
}
