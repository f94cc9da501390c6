import { z } from 'zod';
import { EVENT_BUS_ARN, flag, integer, KMS_KEY_ARN, list, RULE_ARN, TOPIC_ARN } from './setting-formats.ts';

/** CloudWatch Logs accepts only these retention periods. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
/** `.invalid` never resolves (RFC 2606): a deploy that forgot the setting sends credentials nowhere. */
export const PLACEHOLDER_BASE_URL = 'https://your-tenant.thulium.invalid';
const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

/** Every deploy-time choice, with its default; the forms they take are in setting-formats.ts. */
export const Settings = z
  .object({
    thuliumBaseUrl: z
      .url({ protocol: /^https$/, error: 'must be an https:// URL such as https://acme.thulium.com' })
      .default(PLACEHOLDER_BASE_URL)
      .describe(
        "The tenant, e.g. `https://acme.thulium.com`. Synth warns while it is the placeholder, whose reserved `.invalid` domain never resolves, so no credentials can go to a stranger's tenant.",
      ),
    thuliumSecret: z
      .string()
      .min(1)
      .default('thulium/outbound-status/api-user')
      .describe(
        'Name, or complete ARN, of the secret holding `{"username", "password"}` of the Thulium API user; the function may `GetSecretValue` on it and nothing else.',
      ),
    createSecret: flag(false).describe(
      '`true`: the stack creates that secret (by name), with an empty username and a random password to replace; it is kept when the stack is deleted.',
    ),
    secretKmsKeyArn: z
      .string()
      .regex(KMS_KEY_ARN, 'must be a key ARN (arn:aws:kms:<region>:<account>:key/<key id>)')
      .optional()
      .describe(
        "The secret's customer-managed KMS key, if any: the function gets `kms:Decrypt` through Secrets Manager only.",
      ),

    memorySizeMb: integer(512, 128, 10_240).describe('Function memory.'),
    timeoutSeconds: integer(30, 5, 900).describe(
      "Function timeout; the HTTP face answers within API Gateway's 29 s anyway.",
    ),
    logRetentionDays: integer(365, 1, 3653)
      .refine((d) => LOG_RETENTION_DAYS.includes(d), `must be one of ${LOG_RETENTION_DAYS.join(', ')}`)
      .describe('Days the function and access logs are kept: a CloudWatch Logs retention period.'),
    logLevel: z
      .enum(LOG_LEVELS)
      .default('INFO')
      .describe("Lambda's JSON application log level, which Powertools follows."),
    phoneNormalisation: z
      .enum(['as-is', 'strip-separators', 'national'])
      .default('as-is')
      .describe("The function's `PHONE_NORMALISATION`."),
    phoneCountryCode: z
      .string()
      .regex(/^[1-9][0-9]{0,3}$/)
      .default('48')
      .describe("The function's `PHONE_COUNTRY_CODE`."),

    callerAccountIds: list(z.string().regex(/^[0-9]{12}$/, 'must be a 12-digit account id')).describe(
      'Other AWS accounts whose IAM principals may call the API and send to the queue, if their own IAM policies allow it too (comma-separated).',
    ),
    callerOrganizationIds: list(
      z.string().regex(/^o-[a-z0-9]{10,32}$/, 'must be an organization id such as o-a1b2c3d4e5'),
    ).describe(
      'AWS Organizations ids (`o-...`) admitted the same way; every principal of this account then may call and send as well.',
    ),
    apiThrottleRateLimit: integer(50, 1, 10_000).describe('Stage-wide steady requests per second.'),
    apiThrottleBurstLimit: integer(100, 1, 5_000).describe('Stage-wide burst.'),
    apiGatewayCloudWatchRole: flag(true).describe(
      "Sets API Gateway's account-wide logging role for the region (retained on delete); `false` if the account already has one.",
    ),

    queueType: z
      .enum(['standard', 'fifo'])
      .default('standard')
      .describe(
        '`fifo`: FIFO queue and DLQ; senders set `MessageGroupId` from the phone number, so updates for one number apply in order.',
      ),
    queueEncryption: z
      .enum(['sqs-managed', 'kms'])
      .default('sqs-managed')
      .describe(
        '`kms`: a customer-managed key (rotated) for both queues; senders then also need `kms:GenerateDataKey` and `kms:Decrypt` on it.',
      ),
    maxReceiveCount: integer(5, 5, 1_000).describe(
      'Deliveries before SQS moves a message to the DLQ; the function gets the same number and dead-letters the last delivery itself, with its reason.',
    ),
    queueRetentionDays: integer(4, 1, 7).describe(
      'How long the main queue keeps a message. At most 7: the DLQ keeps 14 days, and a message SQS moves there keeps its first enqueue time.',
    ),
    batchSize: integer(10, 1, 10).describe('Records per invocation.'),
    batchWindowSeconds: integer(1, 0, 300).describe(
      'How long Lambda gathers a batch (standard queues only: SQS allows no window on FIFO event sources).',
    ),
    maxConcurrency: integer(2, 2, 1_000).describe(
      "Concurrent invocations the queue may drive (Lambda's minimum is 2).",
    ),
    recordConcurrency: integer(10, 1, 100).describe(
      "Records of one batch in flight to Thulium at once; the queue's ceiling on Thulium is `maxConcurrency` × this.",
    ),
    sourceTopicArns: list(
      z.string().regex(TOPIC_ARN, 'must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)'),
    ).describe(
      'SNS topics whose messages feed the queue: the stack subscribes the queue to each (raw delivery off) and admits the topic on the queue (and the key, with `kms`). With `queueType=fifo`, FIFO topics only.',
    ),
    sourceEventRuleArns: list(
      z
        .string()
        .regex(RULE_ARN, 'must be an EventBridge rule ARN (arn:aws:events:<region>:<account>:rule/[<bus>/]<rule>)'),
    ).describe(
      'EventBridge rules (`arn:aws:events:<region>:<account>:rule/[<bus>/]<name>`) that may target the queue: admitted on the queue (and the key, with `kms`); the rules stay with their owners.',
    ),
    orderingGuard: flag(true).describe(
      'The ordering guard: a DynamoDB table keeps, per phone number (as an HMAC keyed with a secret of its own), the version of the newest update applied, so an older one is never sent to Thulium. `false`: no key, no table unless `thuliumBudget=shared` needs it, and updates apply in the order they are processed.',
    ),
    thuliumBudget: z
      .enum(['shared', 'container'])
      .default('shared')
      .describe(
        "The function's `THULIUM_BUDGET`. `shared`: every container draws its Thulium calls from one budget, an item in the deployment's DynamoDB table (the ordering guard's, created for it even with `orderingGuard=false`), at the cost of a store call per lease. `container`: each container keeps a budget of its own, with no store calls, but learns Thulium's limit and pauses alone, so together they may exceed it.",
      ),
    thuliumCallsPerSecond: z.coerce
      .number()
      .min(0.1)
      .max(1_000)
      .optional()
      .describe(
        "The function's `THULIUM_CALLS_PER_SECOND`: the tenant's Thulium rate limit in calls a second (0.1 to 1000, decimals allowed), when Thulium's support has told it. Unset: the rate is learned from Thulium's 429s.",
      ),
    outcomeEventBus: z
      .union([
        z.enum(['default', 'none']),
        z
          .string()
          .regex(
            EVENT_BUS_ARN,
            'must be default, none or an event bus ARN (arn:aws:events:<region>:<account>:event-bus/<name>)',
          ),
      ])
      .default('default')
      .describe(
        "The function's `OUTCOME_EVENT_BUS`: where each update's final outcome (applied, superseded, dead-lettered) is published. `default`: the account's default bus; the ARN of a bus in the stack's region (PutEvents reaches no other region; a rule there forwards events across regions), of this account or another (whose bus policy must admit the function's role); `none`: no events. The function may `events:PutEvents` on that bus only.",
      ),

    alarmTopic: z
      .union([z.enum(['none', 'create']), z.string().regex(/^arn:aws[\w-]*:sns:/)])
      .default('create')
      .describe(
        '`create`: a KMS-encrypted SNS topic for alarm and OK notifications; the ARN of an existing topic; or `none`.',
      ),
    alarmEmail: z
      .email()
      .optional()
      .describe('With `alarmTopic=create`: an address subscribed to the topic (it must confirm).'),
    oldestMessageAlarmSeconds: integer(900, 60, 1_209_600).describe(
      'Age of the oldest queued message that raises `QueueOldestMessageAge`.',
    ),
    apiLatencyAlarmMs: integer(10_000, 100, 29_000).describe('API p99 latency that raises `ApiLatency`.'),
  })
  .superRefine((settings, ctx) => {
    if (settings.queueType !== 'fifo') return;
    // SNS refuses to subscribe a FIFO queue to a standard topic: said here rather than by a failed deploy.
    settings.sourceTopicArns.forEach((arn, i) => {
      if (!arn.endsWith('.fifo'))
        ctx.addIssue({
          code: 'custom',
          path: ['sourceTopicArns', i],
          message: 'queueType=fifo needs a FIFO topic (its name ends in .fifo)',
        });
    });
  });

export type SettingsInput = z.input<typeof Settings>;
export type Settings = z.output<typeof Settings>;

export const SETTING_NAMES = Object.keys(Settings.shape) as (keyof Settings)[];

/** Parses settings from any source; every problem is named at once so a deploy fails before it starts. */
export function parseSettings(input: Record<string, unknown>): Settings {
  const parsed = Settings.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid stack settings: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/**
 * AWS: a queue's visibility timeout should be at least six times the function timeout, plus the
 * batching window, so a message is not redelivered while a throttled invocation still retries it.
 */
export function visibilityTimeoutSeconds(settings: Settings): number {
  const window = settings.queueType === 'standard' ? settings.batchWindowSeconds : 0;
  return 6 * settings.timeoutSeconds + window;
}

/** What a deploy without any setting gets: the stack as it ships. */
export const DEFAULT_SETTINGS = parseSettings({});
