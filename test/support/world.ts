import { fileURLToPath } from 'node:url';
import { importContainer, type Handler } from '../../dev/aws/lambda-context.ts';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startAwsLoopback, type AwsLoopback } from '../../dev/aws/function-calls.ts';
import { startDynalite, type LocalDynamoDb } from '../../dev/aws/dynamodb.ts';
import { startThuliumSimulator, type Tenant, type ThuliumSimulator } from '../../dev/thulium-simulator.ts';
import { expose, guard, leakFinder } from './leaks.ts';

export {
  body,
  eventBridgeEvent,
  httpApiEvent,
  lambdaContext,
  PAYLOAD_FORMATS,
  restApiEvent,
  sqsEvent,
  type HttpEventOptions,
  type PayloadFormat,
  type SqsRecordOptions,
} from './aws-events.ts';

export const BUNDLE = fileURLToPath(new URL('../../dist/outbound-status/index.mjs', import.meta.url));
export const SECRET_ID = 'thulium/api-user';
export const ORDERING_KEY_SECRET_ID = 'thulium/ordering-key';
/** The HMAC key of the numbers' hashes in the ordering table. */
export const ORDERING_KEY = 'k3y-of-the-numbers-hashes-0123456789abcdef0123456789';
export const USERNAME = 'svc-outbound';
/** Distinctive, so a scan of every log line can prove it never leaks. */
export const PASSWORD = 'Zq7-pa55w0rd-never-logged';
export const PHONES = { three: '501234567', one: '502345678', additional: '503456789', none: '509999999' };
/** The value of the Authorization header (after `Basic `) the function sends with this password. */
export const basicValue = (password: string) => Buffer.from(`${USERNAME}:${password}`).toString('base64');
/** Ten more numbers, one record each, for batches whose records must not share a number. */
export const BATCH_PHONES = Array.from({ length: 10 }, (_, i) => `5104000${String(i).padStart(2, '0')}`);
const WATCHED = {
  secrets: [PASSWORD, basicValue(PASSWORD), ORDERING_KEY],
  phones: [...Object.values(PHONES), ...BATCH_PHONES],
};
guard(WATCHED);

export type { Handler };

export function testTenant(): Tenant {
  return {
    users: { [USERNAME]: PASSWORD },
    statuses: { 3: 'Call back', 8: 'Not interested', 12: 'Sale' },
    campaigns: [
      {
        id: '00001',
        statusIds: [3, 8],
        records: [
          { mainNumber: PHONES.three, additionalNumbers: [], statusId: null },
          { mainNumber: PHONES.one, additionalNumbers: [PHONES.additional], statusId: null },
        ],
      },
      {
        id: '00002',
        statusIds: [3, 8, 12],
        records: [PHONES.three, ...BATCH_PHONES].map((mainNumber) => ({
          mainNumber,
          additionalNumbers: [],
          statusId: null,
        })),
      },
      { id: '00003', statusIds: [3], records: [{ mainNumber: PHONES.three, additionalNumbers: [], statusId: null }] },
    ],
  };
}

/** The simulator, the loopback AWS endpoint and the environment the bundle is deployed with. */
export interface World {
  simulator: ThuliumSimulator;
  aws: AwsLoopback;
  /** The ordering guard's DynamoDB (dynalite unless the world was given another). */
  store: LocalDynamoDb;
  env: Record<string, string>;
  deadLetterQueueUrl: string;
  /** A fresh container: the bundle imported anew, with the environment as it is now. */
  load(overrides?: Record<string, string | undefined>): Promise<Handler>;
  /** The API user's password in Thulium, in the secret, or both (a rotation). */
  setPassword(password: string, where?: { thulium: boolean; secret: boolean }): void;
  /** Undoes what a test injected: faults, latency, AWS failures, a changed password, what the guard remembers. */
  reset(): Promise<void>;
  /**
   * Thulium answered a 429 or a 503 since the calls were last cleared: the container that met it
   * may be paused and slowed, as it should be, so the next test needs a fresh one.
   */
  thuliumLimited(): boolean;
  close(): Promise<void>;
}

export async function startWorld(
  options: {
    tenant?: Tenant;
    store?: () => Promise<LocalDynamoDb>;
    /** Added to every container's environment. */
    env?: Record<string, string>;
  } = {},
): Promise<World> {
  const simulator = await startThuliumSimulator({ tenant: options.tenant ?? testTenant() });
  const aws = await startAwsLoopback();
  const store = await (options.store ?? startDynalite)();
  aws.secrets.set(ORDERING_KEY_SECRET_ID, ORDERING_KEY);
  const deadLetterQueueUrl = aws.queueUrl('outbound-status-dlq');
  let overridden = new Set<string>();
  const env: Record<string, string> = {
    THULIUM_BASE_URL: simulator.url,
    THULIUM_SECRET_ID: SECRET_ID,
    DEAD_LETTER_QUEUE_URL: deadLetterQueueUrl,
    AWS_REGION: 'eu-central-1',
    AWS_ACCESS_KEY_ID: 'AKIDLOOPBACK',
    AWS_SECRET_ACCESS_KEY: 'loopback-secret',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.url,
    AWS_ENDPOINT_URL_SQS: aws.url,
    AWS_ENDPOINT_URL_EVENTBRIDGE: aws.url,
    OUTCOME_EVENT_BUS: 'default',
    AWS_ENDPOINT_URL_DYNAMODB: store.url,
    ORDERING_TABLE_NAME: store.tableName,
    ORDERING_KEY_SECRET_ID,
    THULIUM_RETRY_BASE_MS: '5',
    THULIUM_RETRY_MAX_MS: '20',
    THULIUM_REQUEST_TIMEOUT_MS: '400',
    DEADLINE_SAFETY_MARGIN_MS: '100',
    // Tests reuse one API user across rejections; the hold has a test of its own.
    CREDENTIALS_REJECTION_HOLD_SECONDS: '0',
    POWERTOOLS_SERVICE_NAME: 'thulium-outbound-status',
    ...options.env,
  };
  const setPassword = (password: string, where = { thulium: true, secret: true }) => {
    if (where.thulium) simulator.tenant.users[USERNAME] = password;
    if (where.secret) aws.secrets.set(SECRET_ID, JSON.stringify({ username: USERNAME, password }));
  };
  setPassword(PASSWORD);
  /** Answers, dead-letter attributes and outcome events of this world, for the suite-wide leak scan. */
  const seen = expose<string[]>([]);
  // A dead letter's body is the sender's, unchanged, phone number and all; its attributes are ours.
  const kept = new WeakSet<object>();
  const keepSent = () => {
    const fresh = aws.sentMessages.filter((m) => !kept.has(m));
    for (const m of fresh) kept.add(m);
    seen.push(JSON.stringify(fresh.map((m) => m.MessageAttributes)));
  };
  // Every event entry the function sent, whether EventBridge took it or not (all of it is ours), as
  // it is sent: a test may empty the loopback's records before the world is reset.
  aws.onPutEvents((call) => seen.push(JSON.stringify(call.Entries)));
  return {
    simulator,
    aws,
    store,
    env,
    deadLetterQueueUrl,
    setPassword,
    thuliumLimited() {
      return simulator.calls.some((c) => c.status === 429 || c.status === 503);
    },
    async reset() {
      keepSent();
      simulator.clearFaults();
      simulator.latencyMs = 0;
      aws.clearFailures();
      setPassword(PASSWORD);
      await store.clear();
    },
    async load(overrides = {}) {
      // Overrides hold for this container only: the next load starts from the base environment.
      for (const key of overridden) if (!(key in env)) delete process.env[key];
      overridden = new Set(Object.keys(overrides));
      for (const [key, value] of Object.entries({ ...env, ...overrides })) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      return watched(await importContainer(BUNDLE), seen);
    },
    async close() {
      keepSent();
      await simulator.close();
      await aws.close();
      await store.close();
    },
  };
}

/**
 * The lifecycle every integration file gives its world: started, then `setup`, before the file's
 * tests; reset after each test; closed after all of them, with the file's output capture stopped.
 * A file's own after-hooks, registered later, run before these.
 */
export function useWorld(output: { stop(): void }, setup: (world: World) => Promise<void> | void): void {
  let world: World | undefined;
  beforeAll(async () => {
    world = await startWorld();
    await setup(world);
  });
  afterEach(() => world?.reset());
  afterAll(async () => {
    output.stop();
    await world?.close();
  });
}

/** The handler, with every answer and error it gives kept in `seen`. */
function watched(handler: Handler, seen: string[]): Handler {
  return async (event, context) => {
    try {
      const answer = await handler(event, context);
      seen.push(JSON.stringify(answer) ?? 'undefined');
      return answer;
    } catch (error) {
      seen.push(String((error as Error)?.stack ?? error));
      throw error;
    }
  };
}

/**
 * Every line the bundle writes to stdout and stderr (Powertools Logger and metrics write there),
 * kept for assertions and shown only with TEST_ECHO_LOGS=1.
 */
export function captureOutput(): { lines: string[]; stop(): void } {
  const lines = expose<string[]>([]);
  const originals = [process.stdout.write, process.stderr.write] as const;
  const tap = (stream: NodeJS.WriteStream, original: typeof process.stdout.write) =>
    ((chunk: unknown, ...rest: unknown[]) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      if (!process.env.TEST_ECHO_LOGS) return true;
      return (original as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as typeof process.stdout.write;
  process.stdout.write = tap(process.stdout, originals[0]);
  process.stderr.write = tap(process.stderr, originals[1]);
  return {
    lines,
    stop() {
      [process.stdout.write, process.stderr.write] = originals;
    },
  };
}

/** The JSON log lines the function wrote, parsed. */
export const logRecords = (lines: string[]) =>
  lines.flatMap((line) => {
    try {
      const parsed = JSON.parse(line);
      return typeof parsed === 'object' && parsed && 'level' in parsed ? [parsed] : [];
    } catch {
      return [];
    }
  });

/** Everything of this world that must never appear in a log line, an answer or a DLQ attribute. */
export const secretsIn = leakFinder(WATCHED);
