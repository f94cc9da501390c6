import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { ConfigurationError } from './core/errors.ts';
import { PHONE_NORMALISATIONS, type PhonePolicy } from './core/phone-number.ts';
import { orderingTtlSeconds } from './adapters/ordering-table.ts';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

// zod/mini carries no messages of its own; a misconfigured deployment is told in English.
z.config(en());

const integer = (fallback: number, min: number, max: number) =>
  z._default(z.pipe(z.coerce.number(), z.int().check(z.minimum(min), z.maximum(max))), fallback);

/** Plain HTTP is accepted only for a simulator on this machine; a tenant is always reached over TLS. */
const BaseUrl = z.string().check(
  z.refine((value) => {
    const url = URL.parse(value);
    return url?.protocol === 'https:' || (url?.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
  }, 'must be an https:// URL (http:// only for localhost)'),
);

const Environment = z
  .object({
    THULIUM_BASE_URL: BaseUrl,
    THULIUM_SECRET_ID: z.string().check(z.minLength(1)),
    DEAD_LETTER_QUEUE_URL: z.optional(z.url()),
    SECRET_TTL_SECONDS: integer(300, 0, 86_400),
    CREDENTIALS_REJECTION_HOLD_SECONDS: integer(60, 0, 86_400),
    THULIUM_CONNECT_TIMEOUT_MS: integer(3_000, 100, 60_000),
    THULIUM_REQUEST_TIMEOUT_MS: integer(10_000, 100, 900_000),
    THULIUM_MAX_ATTEMPTS: integer(3, 1, 10),
    THULIUM_RETRY_BASE_MS: integer(200, 1, 60_000),
    THULIUM_RETRY_MAX_MS: integer(5_000, 1, 300_000),
    THULIUM_CONNECTIONS: integer(10, 1, 256),
    DEADLINE_SAFETY_MARGIN_MS: integer(1_000, 0, 60_000),
    HTTP_TIMEOUT_MS: integer(29_000, 1_000, 900_000),
    MAX_BODY_BYTES: integer(4_096, 64, 1_048_576),
    QUEUE_CONCURRENCY: integer(10, 1, 100),
    QUEUE_MAX_RECEIVE_COUNT: integer(5, 1, 1_000),
    RETRY_VISIBILITY_BASE_SECONDS: integer(30, 0, 43_200),
    RETRY_VISIBILITY_MAX_SECONDS: integer(900, 0, 43_200),
    PHONE_NORMALISATION: z._default(z.enum(PHONE_NORMALISATIONS), 'as-is'),
    PHONE_COUNTRY_CODE: z._default(z.string().check(z.regex(/^[1-9][0-9]{0,3}$/)), '48'),
    ORDERING_GUARD: z._default(z.enum(['on', 'off']), 'on'),
    ORDERING_TABLE_NAME: z.optional(
      z.string().check(z.regex(/^[a-zA-Z0-9_.-]{3,255}$/, 'must be a DynamoDB table name')),
    ),
    ORDERING_KEY_SECRET_ID: z.optional(z.string().check(z.minLength(1))),
    // The longest a queue keeps a message (7 days), the DLQ's 14 and a spare day; never less than the DLQ's 14 and one.
    ORDERING_TTL_SECONDS: integer(orderingTtlSeconds(7), orderingTtlSeconds(0), 31_536_000),
  })
  .check(
    z.refine((e) => e.ORDERING_GUARD === 'off' || e.ORDERING_TABLE_NAME !== undefined, {
      path: ['ORDERING_TABLE_NAME'],
      message: 'is required while ORDERING_GUARD is on',
    }),
    z.refine((e) => e.ORDERING_GUARD === 'off' || e.ORDERING_KEY_SECRET_ID !== undefined, {
      path: ['ORDERING_KEY_SECRET_ID'],
      message: 'is required while ORDERING_GUARD is on',
    }),
    z.refine((e) => e.THULIUM_RETRY_BASE_MS <= e.THULIUM_RETRY_MAX_MS, {
      path: ['THULIUM_RETRY_BASE_MS'],
      message: 'must not exceed THULIUM_RETRY_MAX_MS',
    }),
    z.refine((e) => e.RETRY_VISIBILITY_BASE_SECONDS <= e.RETRY_VISIBILITY_MAX_SECONDS, {
      path: ['RETRY_VISIBILITY_BASE_SECONDS'],
      message: 'must not exceed RETRY_VISIBILITY_MAX_SECONDS',
    }),
  );

export interface Config {
  thulium: {
    baseUrl: string;
    connectTimeoutMs: number;
    requestTimeoutMs: number;
    maxAttempts: number;
    retryBaseMs: number;
    retryMaxMs: number;
    connections: number;
  };
  secretId: string;
  secretTtlSeconds: number;
  credentialsRejectionHoldSeconds: number;
  deadLetterQueueUrl: string | undefined;
  deadlineSafetyMarginMs: number;
  /** API Gateway stops waiting after its integration timeout (29 s by default); answer before it does. */
  httpTimeoutMs: number;
  maxBodyBytes: number;
  queue: { concurrency: number; maxReceiveCount: number; visibilityBaseSeconds: number; visibilityMaxSeconds: number };
  phonePolicy: PhonePolicy;
  /** Undefined when the guard is off. */
  ordering: { tableName: string; keySecretId: string; ttlSeconds: number } | undefined;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Environment.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new ConfigurationError(`Invalid environment: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  return {
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
    ordering:
      e.ORDERING_GUARD === 'off'
        ? undefined
        : {
            tableName: e.ORDERING_TABLE_NAME!,
            keySecretId: e.ORDERING_KEY_SECRET_ID!,
            ttlSeconds: e.ORDERING_TTL_SECONDS,
          },
  };
}
