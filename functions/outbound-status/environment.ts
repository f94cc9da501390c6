import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { orderingTtlSeconds } from './adapters/ordering-table.ts';
import { PHONE_NORMALISATIONS } from './core/phone-number.ts';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

// zod/mini carries no messages of its own; a misconfigured deployment is told in English.
z.config(en());

/** A variable's meaning, for people: the generated docs read it from here. */
const described = <T extends z.core.$ZodType>(schema: T, description: string): T => {
  z.globalRegistry.add(schema, { description });
  return schema;
};

const integer = (fallback: number, min: number, max: number, description: string) =>
  described(
    z._default(z.pipe(z.coerce.number(), z.int().check(z.minimum(min), z.maximum(max))), fallback),
    description,
  );

/** Plain HTTP is accepted only for a simulator on this machine; a tenant is always reached over TLS. */
const BaseUrl = z.string().check(
  z.refine((value) => {
    const url = URL.parse(value);
    return url?.protocol === 'https:' || (url?.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
  }, 'must be an https:// URL (http:// only for localhost)'),
);

/** `none`, a bus name, or a bus ARN (EventBridge's own patterns). */
const EVENT_BUS = /^(none|[\w.\-/]{1,256}|arn:aws[\w-]*:events:[a-z0-9-]+:\d{12}:event-bus\/[\w.\-/]{1,256})$/;

/** The function's environment: every setting once, with its default, range and meaning. */
export const Environment = z
  .object({
    THULIUM_BASE_URL: described(
      BaseUrl,
      'The tenant, e.g. `https://acme.thulium.com` (`http://` only for localhost); a path prefix, if any, is kept before `/api/...`.',
    ),
    THULIUM_SECRET_ID: described(
      z.string().check(z.minLength(1)),
      'Secrets Manager secret name or ARN; its `SecretString` is `{"username": "...", "password": "..."}`.',
    ),
    DEAD_LETTER_QUEUE_URL: described(
      z.optional(z.url()),
      'Where queue messages that can never succeed are moved, with their reason; needed by the queue face only.',
    ),
    SECRET_TTL_SECONDS: integer(
      300,
      0,
      86_400,
      'How long the secret is cached per container (a Thulium 401 forces one fresh read).',
    ),
    CREDENTIALS_REJECTION_HOLD_SECONDS: integer(
      60,
      0,
      86_400,
      'How long a user Thulium rejected, also after a fresh read, is not offered again unless the secret changes (`0`: no hold).',
    ),
    THULIUM_CONNECT_TIMEOUT_MS: integer(3_000, 100, 60_000, 'TCP and TLS connect timeout.'),
    THULIUM_REQUEST_TIMEOUT_MS: integer(10_000, 100, 900_000, 'Per attempt: the headers and body timeouts.'),
    THULIUM_MAX_ATTEMPTS: integer(
      3,
      1,
      10,
      'Attempts per update for 429, 408, 425, 5xx, network errors and unusable 2xx bodies (a user read afresh after a 401 gets attempts of its own).',
    ),
    THULIUM_RETRY_BASE_MS: integer(
      200,
      1,
      60_000,
      'First back-off between attempts, doubling with full jitter; a longer `Retry-After` is honoured. At most `THULIUM_RETRY_MAX_MS`.',
    ),
    THULIUM_RETRY_MAX_MS: integer(5_000, 1, 300_000, 'Longest back-off between attempts.'),
    THULIUM_CONNECTIONS: integer(
      10,
      1,
      256,
      'Keep-alive connections to Thulium per container, at most `QUEUE_CONCURRENCY`; also the most calls in flight the rate gate allows.',
    ),
    THULIUM_CALLS_PER_SECOND: described(
      z.optional(z.pipe(z.coerce.number(), z.number().check(z.minimum(0.1), z.maximum(1_000)))),
      "The tenant's limit, when known (Thulium's support tells it): the budget refills at this rate and no 429 should come. Unset: the rate is learned from Thulium's 429s, once for the whole deployment.",
    ),
    THULIUM_BUDGET: described(
      z._default(z.enum(['shared', 'container']), 'shared'),
      '`shared`: every container of the deployment draws its Thulium calls from one budget in `ORDERING_TABLE_NAME`; `container`: each container keeps its own (no store calls, but N containers learn and pause alone).',
    ),
    OUTCOME_EVENT_BUS: described(
      z.optional(z.string().check(z.regex(EVENT_BUS, 'must be none, an event bus name or an event bus ARN'))),
      "The EventBridge bus every final outcome (applied, superseded, dead-lettered) is published to, by name (`default`: the account's default bus) or ARN; unset or `none`: no outcome events (docs/outcome-events.md).",
    ),
    DEADLINE_SAFETY_MARGIN_MS: integer(
      1_000,
      0,
      60_000,
      "Retries never outlive the invocation's remaining time minus this; the queue face keeps half of it for DLQ and visibility calls.",
    ),
    HTTP_TIMEOUT_MS: integer(
      29_000,
      1_000,
      900_000,
      "The HTTP face answers within this, whatever the function timeout (API Gateway's integration timeout).",
    ),
    MAX_BODY_BYTES: integer(4_096, 64, 1_048_576, 'Largest accepted body (HTTP and queue), after base64 decoding.'),
    QUEUE_CONCURRENCY: integer(10, 1, 100, 'Records of one batch in flight at once.'),
    QUEUE_MAX_RECEIVE_COUNT: integer(
      5,
      1,
      1_000,
      "Delivery at which a transient failure goes to the DLQ with its reason; set it to the queue's redrive `maxReceiveCount`.",
    ),
    RETRY_VISIBILITY_BASE_SECONDS: integer(
      30,
      0,
      43_200,
      'Visibility of a message left for retry after its first delivery, doubling per delivery, jittered. At most `RETRY_VISIBILITY_MAX_SECONDS`.',
    ),
    RETRY_VISIBILITY_MAX_SECONDS: integer(
      900,
      0,
      43_200,
      "Longest visibility back-off (Thulium's `Retry-After`, up to an hour, wins when longer).",
    ),
    PHONE_NORMALISATION: described(
      z._default(z.enum(PHONE_NORMALISATIONS), 'as-is'),
      '`as-is`: sent exactly as received; `strip-separators`: spaces, `-`, `.`, `/`, `(`, `)` removed; `national`: separators removed, then a leading `+<code>` or `00<code>`.',
    ),
    PHONE_COUNTRY_CODE: described(
      z._default(z.string().check(z.regex(/^[1-9][0-9]{0,3}$/)), '48'),
      'The `<code>` that `national` removes.',
    ),
    ORDERING_GUARD: described(
      z._default(z.enum(['on', 'off']), 'on'),
      '`on`: the ordering guard keeps the newest update standing per number; `off`: updates reach Thulium in the order they are processed.',
    ),
    ORDERING_TABLE_NAME: described(
      z.optional(z.string().check(z.regex(/^[a-zA-Z0-9_.-]{3,255}$/, 'must be a DynamoDB table name'))),
      "The deployment's DynamoDB table: the ordering guard's items and the shared Thulium budget's. Required while the guard is on or the budget is `shared`.",
    ),
    ORDERING_KEY_SECRET_ID: described(
      z.optional(z.string().check(z.minLength(1))),
      "Secrets Manager secret whose `SecretString` (at least 32 characters) keys the numbers' hashes; read once per container. Required while the guard is on.",
    ),
    // The longest a queue keeps a message (7 days), the DLQ's 14 and a spare day; never less than the DLQ's 14 and one.
    ORDERING_TTL_SECONDS: integer(
      orderingTtlSeconds(7),
      orderingTtlSeconds(0),
      31_536_000,
      "How long an item outlives its number's last update; at least the main queue's retention plus the DLQ's 14 days.",
    ),
    POWERTOOLS_SERVICE_NAME: described(
      z.optional(z.string()),
      'Powertools: the `service` of every log line and metric.',
    ),
    POWERTOOLS_METRICS_NAMESPACE: described(
      z.optional(z.string()),
      'Powertools: the CloudWatch namespace of the metrics.',
    ),
  })
  .check(
    z.refine((e) => e.ORDERING_GUARD === 'off' || e.ORDERING_TABLE_NAME !== undefined, {
      path: ['ORDERING_TABLE_NAME'],
      message: 'is required while ORDERING_GUARD is on',
    }),
    z.refine((e) => e.THULIUM_BUDGET === 'container' || e.ORDERING_TABLE_NAME !== undefined, {
      path: ['ORDERING_TABLE_NAME'],
      message: 'is required while THULIUM_BUDGET is shared',
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

export type EnvironmentVariable = keyof z.input<typeof Environment>;
/** What a deployment sets: the stack writes its environment against this, so a renamed variable fails to compile. */
export type EnvironmentValues = Partial<Record<EnvironmentVariable, string>>;
