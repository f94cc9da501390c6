import { z } from 'zod';

/**
 * Every deploy-time choice, with its default. Values come from typed stack props or from CDK
 * context (`cdk.json` or `-c key=value`, where everything arrives as a string), so numbers,
 * booleans and lists are coerced from strings too.
 */
const integer = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);
const flag = (fallback: boolean) =>
  z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).default(fallback);
const list = (item: z.ZodString) =>
  z
    .union([
      z.array(z.string()),
      z.string().transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ])
    .pipe(z.array(item))
    .default([]);

/** CloudWatch Logs accepts only these retention periods. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
/** Topic names: letters, digits, `-` and `_`, with `.fifo` for a FIFO topic. */
const TOPIC_ARN = /^arn:aws[\w-]*:sns:[a-z0-9-]+:[0-9]{12}:[\w-]{1,251}(\.fifo)?$/;
/** A rule on the default bus, or on a named one (`rule/<bus>/<rule>`; partner bus names hold slashes). */
const RULE_ARN = /^arn:aws[\w-]*:events:[a-z0-9-]+:[0-9]{12}:rule\/([\w./-]{1,256}\/)?[\w.-]{1,64}$/;
const KMS_KEY_ARN =
  /^arn:aws[\w-]*:kms:[a-z0-9-]+:[0-9]{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
/** `.invalid` never resolves (RFC 2606): a deploy that forgot the setting sends credentials nowhere. */
export const PLACEHOLDER_BASE_URL = 'https://your-tenant.thulium.invalid';
const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

export const Settings = z
  .object({
    /** The tenant's base URL. */
    thuliumBaseUrl: z
      .url({ protocol: /^https$/, error: 'must be an https:// URL such as https://acme.thulium.com' })
      .default(PLACEHOLDER_BASE_URL),
    /** Name or ARN of the secret holding `{"username", "password"}` of the Thulium API user. */
    thuliumSecret: z.string().min(1).default('thulium/outbound-status/api-user'),
    /** Create that secret (with an empty username to fill in) instead of referencing an existing one. */
    createSecret: flag(false),
    /** Customer-managed KMS key of the secret, if any: the function may decrypt through Secrets Manager only. */
    secretKmsKeyArn: z
      .string()
      .regex(KMS_KEY_ARN, 'must be a key ARN (arn:aws:kms:<region>:<account>:key/<key id>)')
      .optional(),

    memorySizeMb: integer(512, 128, 10_240),
    timeoutSeconds: integer(30, 5, 900),
    logRetentionDays: integer(365, 1, 3653).refine(
      (d) => LOG_RETENTION_DAYS.includes(d),
      `must be one of ${LOG_RETENTION_DAYS.join(', ')}`,
    ),
    logLevel: z.enum(LOG_LEVELS).default('INFO'),
    phoneNormalisation: z.enum(['as-is', 'strip-separators', 'national']).default('as-is'),
    phoneCountryCode: z
      .string()
      .regex(/^[1-9][0-9]{0,3}$/)
      .default('48'),

    /** Accounts (12 digits) and AWS Organizations ids (o-…) whose IAM principals may call the API and send to the queue. */
    callerAccountIds: list(z.string().regex(/^[0-9]{12}$/, 'must be a 12-digit account id')),
    callerOrganizationIds: list(
      z.string().regex(/^o-[a-z0-9]{10,32}$/, 'must be an organization id such as o-a1b2c3d4e5'),
    ),
    apiThrottleRateLimit: integer(50, 1, 10_000),
    apiThrottleBurstLimit: integer(100, 1, 5_000),
    /** Sets API Gateway's account-wide CloudWatch role for this region; turn off when the account already has one. */
    apiGatewayCloudWatchRole: flag(true),

    /** `fifo`: the producer's MessageGroupId (the phone number) keeps updates for one number in order. */
    queueType: z.enum(['standard', 'fifo']).default('standard'),
    queueEncryption: z.enum(['sqs-managed', 'kms']).default('sqs-managed'),
    /** Deliveries before SQS moves a message to the DLQ; the function dead-letters on the last one itself, with its reason. */
    maxReceiveCount: integer(5, 5, 1_000),
    /** At most 7: SQS keeps a message's first enqueue time when it moves it to the DLQ, which keeps messages 14 days. */
    queueRetentionDays: integer(4, 1, 7),
    batchSize: integer(10, 1, 10),
    /** Standard queues only: SQS does not allow a batching window on FIFO event sources. */
    batchWindowSeconds: integer(1, 0, 300),
    /** Concurrent invocations the queue may drive (2 is Lambda's minimum). */
    maxConcurrency: integer(2, 2, 1_000),
    /** Records of one batch sent to Thulium at once; the queue's ceiling on Thulium is maxConcurrency × this. */
    recordConcurrency: integer(10, 1, 100),
    /** Topics the queue subscribes to with raw delivery off: the function unwraps the Notification itself. */
    sourceTopicArns: list(
      z.string().regex(TOPIC_ARN, 'must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)'),
    ),
    /** Rules (of any account) that may target the queue; the rules themselves belong to their owners. */
    sourceEventRuleArns: list(
      z
        .string()
        .regex(RULE_ARN, 'must be an EventBridge rule ARN (arn:aws:events:<region>:<account>:rule/[<bus>/]<rule>)'),
    ),
    /**
     * The ordering guard: a DynamoDB table remembers, per phone number (as an HMAC keyed with a secret of
     * its own), the version of the newest update applied, so an older one is never sent to Thulium. Off:
     * no table and no key, and updates are applied in the order they are processed, so a late or
     * redriven older update may overwrite a newer one.
     */
    orderingGuard: flag(true),

    /** `create` (an encrypted SNS topic), the ARN of an existing topic, or `none`. */
    alarmTopic: z.union([z.enum(['none', 'create']), z.string().regex(/^arn:aws[\w-]*:sns:/)]).default('create'),
    /** With `alarmTopic=create`: an address subscribed to it (it must confirm). */
    alarmEmail: z.email().optional(),
    oldestMessageAlarmSeconds: integer(900, 60, 1_209_600),
    apiLatencyAlarmMs: integer(10_000, 100, 29_000),
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
