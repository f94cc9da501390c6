/**
 * `npm run bench`: the function (as shipped, ordering guard on; and with the guard off) against the
 * bare-undici floor and the Powertools-style peer, each
 * figure measured side by side in one run, in alternating order, every container a fresh Node
 * process, against the Thulium simulator, a Secrets Manager endpoint and the guard's DynamoDB
 * (dynalite, behind a front that counts its calls) on loopback.
 *
 *   npm run bench                      # full run; prints the table and writes bench/RESULTS.md
 *   BENCH_SMOKE=1 npm run bench        # a few iterations, to see that it works
 *   BENCH_PHASES=cold,warm npm run bench   # only these phases (cold, warm, batch, stream, drain); no RESULTS.md
 *   BENCH_FUNCTION_ENV='{"POWERTOOLS_LOG_LEVEL":"ERROR"}' npm run bench   # the function with extra settings; no RESULTS.md
 *   BENCH_PHASES=drain BENCH_DRAIN_VARIANTS=function npm run bench   # only these variants drain; no RESULTS.md
 *   BENCH_PHASES=drain BENCH_DRAINS=containers,burst npm run bench   # only these drains (stack, containers, set-rate, no-limit, burst); no RESULTS.md
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAwsLoopback } from '../dev/aws/function-calls.ts';
import { startDynalite, type LocalDynamoDb } from '../dev/aws/dynamodb.ts';
import { LocalSqs } from '../dev/aws/sqs.ts';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { sampleTenant, startThuliumSimulator } from '../dev/thulium-simulator.ts';
import { DEFAULT_SETTINGS as SHIPPED } from '../infra/settings.ts';
import { httpApiEvent, sqsEvent } from '../test/support/aws-events.ts';
import { startStoreFaults } from '../test/support/store-faults.ts';
import { dynamoDbBudgetStore } from '../functions/outbound-status/adapters/budget/dynamodb-store.ts';
import { initialState } from '../functions/outbound-status/adapters/budget/state.ts';
import { buildBundles, type Variant } from './bundles.ts';
import type { DrainResult } from './drain.ts';
import type { BurstResult } from './burst.ts';
import { drainPhase, RUN_KINDS, type RunKind } from './drain-phase.ts';
import { containers, lambdaNodeFlags, type Deployment } from './containers.ts';
import { FULL_RUN, PHASES, rotate, SMOKE_RUN, type BenchOptions, type Phase } from './options.ts';
import { renderReport, type Results, type Sample } from './report.ts';
import { percentile } from './stats.ts';
import { EVENTS_LATENCY_MS, eventsPace } from './events.ts';

export { FULL_RUN, SMOKE_RUN, type BenchOptions, type Phase } from './options.ts';

const SECRET_ID = 'bench/thulium-api-user';
const KEY_SECRET_ID = 'bench/ordering-key';
/** A batch's ten numbers: the guard lets one update per number through at a time, so a real batch has ten. */
const BATCH_NUMBERS = Array.from({ length: 10 }, (_, i) => `60010020${i}`);
/** Numbers for the drains, one update each, and for the bursts' callers. */
const drainNumbers = (count: number) => Array.from({ length: count }, (_, i) => `70${String(i).padStart(7, '0')}`);

export async function runBenchmark(options: BenchOptions): Promise<Results> {
  const log = options.log ?? (() => {});
  log(
    `building ${options.rebuildFunction === false ? 'the floor and the peer' : 'the function, the floor and the peer'} with the same esbuild options`,
  );
  const bundles = await buildBundles(options.rebuildFunction ?? true);
  const tenant = sampleTenant();
  const [username, password] = Object.entries(tenant.users)[0];
  const campaign = tenant.campaigns[0];
  const numbers = drainNumbers(
    Math.max(0, ...options.drains.map((d) => d.updates), ...options.bursts.map((b) => b.containers)),
  );
  campaign.records.push(
    ...[...BATCH_NUMBERS, ...numbers].map((mainNumber) => ({ mainNumber, additionalNumbers: [], statusId: null })),
  );
  const statusId = String(campaign.statusIds[1]);
  const update = JSON.stringify({ phone_number: campaign.records[0].mainNumber, status_id: statusId });
  const httpEvent = httpApiEvent({ body: update });
  const batchEvent = sqsEvent(
    BATCH_NUMBERS.map((phone_number) => ({ body: JSON.stringify({ phone_number, status_id: statusId }) })),
  );
  const simulator = await startThuliumSimulator({ tenant });
  const aws = await startAwsLoopback();
  aws.secrets.set(SECRET_ID, JSON.stringify({ username, password }));
  aws.secrets.set(KEY_SECRET_ID, 'bench-ordering-key-0123456789abcdef0123456789abcdef');
  const dynamodb = await startDynalite();
  // A deployment past its first seconds: the budget's slow start (docs/rate-limit.md) is paid once in
  // its life, not by every figure. The drains start from a fresh table each.
  const at = Date.now();
  await dynamoDbBudgetStore(dynamodb.tableName, dynamodb.client).write({
    kind: 'create',
    state: { ...initialState(at), startedAt: at - 60_000 },
  });
  const store = await startStoreFaults(dynamodb.url);
  const scratch = await mkdtemp(join(tmpdir(), 'bench-'));
  const sqs = await LocalSqs.start();

  const common = {
    PATH: process.env.PATH ?? '',
    AWS_REGION: 'eu-central-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.url,
    AWS_ENDPOINT_URL_SQS: aws.url,
    AWS_ENDPOINT_URL_EVENTBRIDGE: aws.url,
    AWS_LAMBDA_FUNCTION_NAME: 'thulium-outbound-status',
    THULIUM_BASE_URL: simulator.url,
    THULIUM_SECRET_ID: SECRET_ID,
    AWS_ENDPOINT_URL_DYNAMODB: store.url,
    ORDERING_TABLE_NAME: dynamodb.tableName,
    ORDERING_KEY_SECRET_ID: KEY_SECRET_ID,
  };
  const deployment = (name: string, variant: Variant, env: Record<string, string> = {}): Deployment => ({
    name,
    bundle: bundles[variant],
    env: { ...common, ...env },
  });
  const fn = deployment('function', 'function', {
    QUEUE_CONCURRENCY: String(SHIPPED.recordConcurrency),
    THULIUM_BUDGET: SHIPPED.thuliumBudget,
    OUTCOME_EVENT_BUS: SHIPPED.outcomeEventBus,
    ...(options.functionEnv ?? {}),
  });
  // The guard's own cost: the same bundle and settings, without the store.
  const unguarded = { ...fn, name: 'unguarded', env: { ...fn.env, ORDERING_GUARD: 'off' } };
  // What outcome events cost a batch: the same function publishing none.
  const noEvents = { ...fn, name: 'no-events', env: { ...fn.env, OUTCOME_EVENT_BUS: 'none' } };
  const floor = deployment('floor', 'floor', { THULIUM_USERNAME: username, THULIUM_PASSWORD: password });
  const peer = deployment('peer', 'peer');
  const deployments = [fn, unguarded, floor, peer];
  const samples: Sample[] = [];
  const drains: DrainResult[] = [];
  const bursts: BurstResult[] = [];

  const container = containers({
    scratch,
    memoryMb: SHIPPED.memorySizeMb,
    task: { checkpoint: options.memoryCheckpoint, httpEvent, batchEvent },
    wire: () => ({
      connections: simulator.connectionCount,
      secretReads: aws.readsOf(SECRET_ID),
      storeCalls: store.calls.length,
    }),
  });
  const add = (variant: string, metric: Sample['metric'], value: number) => samples.push({ variant, metric, value });

  const phases: Record<Phase, () => Promise<void>> = {
    async cold() {
      log(`cold start: ${options.coldRuns} fresh processes per variant`);
      for (let i = 0; i < options.coldRuns; i++) {
        for (const d of rotate(deployments, i)) {
          const m = await container(d, 'cold');
          if (m.firstStatus !== 200) throw new Error(`${d.name}: first invocation answered ${m.firstStatus}`);
          add(d.name, 'coldStartMs', m.coldStartMs!);
          add(d.name, 'importMs', m.importMs!);
          add(d.name, 'bootMs', m.bootMs!);
          add(d.name, 'coldSecretReads', m.secretReads);
        }
      }
    },
    async warm() {
      log(`warm: ${options.warmInvocations} sequential invocations per container, ${options.rounds} rounds`);
      for (let r = 0; r < options.rounds; r++) {
        for (const d of rotate(deployments, r)) {
          const m = await container(d, 'warm', options.warmInvocations);
          if (m.failures) throw new Error(`${d.name}: ${m.failures} warm invocations failed`);
          const steady = m.latenciesMs!.slice(Math.min(options.memoryCheckpoint, m.latenciesMs!.length - 1));
          add(d.name, 'warmP50Ms', percentile(steady, 50));
          add(d.name, 'warmP99Ms', percentile(steady, 99));
          add(d.name, 'rssMiB', m.atEnd!.rss / 2 ** 20);
          add(d.name, 'rssGrowthMiB', (m.atEnd!.rss - m.atCheckpoint!.rss) / 2 ** 20);
          add(d.name, 'heapMiB', m.atEnd!.heapUsed / 2 ** 20);
          add(d.name, 'heapGrowthMiB', (m.atEnd!.heapUsed - m.atCheckpoint!.heapUsed) / 2 ** 20);
          add(d.name, 'secretReads', m.secretReads);
          add(d.name, 'connections', m.connections);
          add(d.name, 'storeCallsPerUpdate', m.storeCalls / options.warmInvocations);
        }
      }
    },
    async batch() {
      log(
        `batch of 10, Thulium answering in ${options.thuliumLatencyMs} ms: ${options.batches} batches per container, ${options.rounds} rounds`,
      );
      for (let r = 0; r < options.rounds; r++) {
        for (const d of rotate(deployments, r)) {
          store.maxInFlight = 0;
          const putEventsBefore = aws.putEventsCalls.length;
          const m = await container(d, 'batch', options.batches);
          if (m.failures) throw new Error(`${d.name}: ${m.failures} records of timed batches failed`);
          add(d.name, 'batchMs', percentile(m.latenciesMs!, 50));
          add(d.name, 'storeInFlight', store.maxInFlight);
          // The untimed first batch publishes too.
          const putEvents = aws.putEventsCalls.length - putEventsBefore;
          if (d === fn) add(d.name, 'putEventsPerBatch', putEvents / (options.batches + 1));
        }
        const quiet = await container(noEvents, 'batch', options.batches);
        add(noEvents.name, 'batchMs', percentile(quiet.latenciesMs!, 50));
        add('events', 'putEventsMs', await eventsPace(aws, options.batches));
        // The store's own pace, to read the guard's figures against: one call, and ten at once.
        const pace = await storePace(dynamodb, store.url);
        add('store', 'storeCallMs', pace.one);
        add('store', 'storeTenCallsMs', pace.ten);
        const roundTrip = await container(floor, 'warm', options.batches);
        add('floor', 'roundTripMs', percentile(roundTrip.latenciesMs!, 50));
      }
    },
    async stream() {
      log(
        `stream: ${SHIPPED.maxConcurrency} containers × ${options.streamBatches} batches of 10, ${options.rounds} rounds`,
      );
      for (let r = 0; r < options.rounds; r++) {
        for (const d of rotate(deployments, r)) {
          // Containers run at once, so connections are counted around all of them, not per container.
          const connectionsBefore = simulator.connectionCount;
          const all = await Promise.all(
            Array.from({ length: SHIPPED.maxConcurrency }, () => container(d, 'stream', options.streamBatches)),
          );
          const failures = all.reduce((sum, m) => sum + m.failures!, 0);
          if (failures) throw new Error(`${d.name}: ${failures} streamed records failed`);
          const seconds = (Math.max(...all.map((m) => m.endedAt!)) - Math.min(...all.map((m) => m.startedAt!))) / 1000;
          add(d.name, 'updatesPerSecond', (SHIPPED.maxConcurrency * options.streamBatches * 10) / seconds);
          add(d.name, 'streamConnections', simulator.connectionCount - connectionsBefore);
        }
      }
    },
    async drain() {
      const storeCalls = () => store.calls.length;
      const world = { sqs, simulator, settings: SHIPPED, numbers, statusId, dynamodb, storeUrl: store.url, storeCalls };
      const { drains: cases, bursts: burstCases, drainVariants: variants, drainKinds: kinds } = options;
      const ran = await drainPhase(world, { fn, peer }, { drains: cases, bursts: burstCases, variants, kinds, log });
      drains.push(...ran.drains);
      bursts.push(...ran.bursts);
    },
  };

  try {
    for (const phase of options.phases ?? PHASES) {
      // Thulium answers at once, except where a batch's wall time against a real round trip is the figure.
      simulator.latencyMs = phase === 'warm' || phase === 'cold' ? 0 : options.thuliumLatencyMs;
      aws.eventsLatencyMs = phase === 'batch' ? EVENTS_LATENCY_MS : 0;
      await phases[phase]();
    }
  } finally {
    simulator.latencyMs = 0;
    await Promise.all([
      simulator.close(),
      aws.close(),
      store.close(),
      sqs.close(),
      rm(scratch, { recursive: true, force: true }),
    ]);
    await dynamodb.close();
  }

  const thuliumCeiling = SHIPPED.maxConcurrency * SHIPPED.recordConcurrency;
  const nodeFlags = lambdaNodeFlags(SHIPPED.memorySizeMb);
  const results: Results = {
    date: new Date().toISOString(),
    thuliumCeiling,
    nodeFlags,
    options,
    bundles,
    samples,
    drains,
    bursts,
  };
  if (options.resultsFile) await writeFile(options.resultsFile, renderReport(results));
  return results;
}

/** Median time of one UpdateItem, and of ten on distinct items at once, through the same front the function uses. */
async function storePace(dynamodb: LocalDynamoDb, url: string): Promise<{ one: number; ten: number }> {
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const client = new DynamoDBClient({
    endpoint: url,
    region: 'eu-central-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const write = (key: string) =>
    client.send(
      new UpdateItemCommand({
        TableName: dynamodb.tableName,
        Key: { number_hash: { S: `pace-${key}` } },
        UpdateExpression: 'SET n = :n',
        ExpressionAttributeValues: { ':n': { N: '1' } },
      }),
    );
  const time = async (work: () => Promise<unknown>) => {
    const started = performance.now();
    await work();
    return performance.now() - started;
  };
  for (let i = 0; i < 20; i++) await write(String(i % 10));
  const one: number[] = [];
  const ten: number[] = [];
  for (let i = 0; i < 30; i++) {
    one.push(await time(() => write(String(i % 10))));
    ten.push(await time(() => Promise.all(Array.from({ length: 10 }, (_, k) => write(String(k))))));
  }
  client.destroy();
  return { one: percentile(one, 50), ten: percentile(ten, 50) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const smoke = process.env.BENCH_SMOKE === '1';
  const phases = process.env.BENCH_PHASES?.split(',') as Phase[] | undefined;
  const unknown = phases?.filter((phase) => !PHASES.includes(phase));
  if (unknown?.length)
    throw new Error(`BENCH_PHASES: unknown ${unknown.join(', ')}; the phases are ${PHASES.join(', ')}`);
  const functionEnv = process.env.BENCH_FUNCTION_ENV
    ? (JSON.parse(process.env.BENCH_FUNCTION_ENV) as Record<string, string>)
    : undefined;
  const drainVariants = process.env.BENCH_DRAIN_VARIANTS?.split(',');
  const drainKinds = process.env.BENCH_DRAINS?.split(',') as RunKind[] | undefined;
  const unknownKinds = drainKinds?.filter((kind) => !RUN_KINDS.includes(kind));
  if (unknownKinds?.length)
    throw new Error(`BENCH_DRAINS: unknown ${unknownKinds.join(', ')}; the drains are ${RUN_KINDS.join(', ')}`);
  const run = { ...(smoke ? SMOKE_RUN : FULL_RUN), phases, functionEnv, drainVariants, drainKinds };
  // A partial or altered run is for trying a lever; only a full run replaces the published results.
  const resultsFile =
    smoke || phases || functionEnv || drainVariants || drainKinds
      ? undefined
      : fileURLToPath(new URL('./RESULTS.md', import.meta.url));
  const results = await runBenchmark({ ...run, resultsFile, log: (line) => console.error(`· ${line}`) });
  console.log(renderReport(results));
}
