/**
 * What the shared Thulium budget's integration tests share: a world whose containers reach DynamoDB
 * through a front (budget-fronts.ts) and drain real queues (fauxqs) through Lambda's event source
 * mapping; numbers of the tenant's, a queue of updates for them, the budget's item as the
 * containers see it, and Thulium's busiest second.
 */
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { afterAll, afterEach } from 'vitest';
import { EventSourceMapping, queueEnvironment } from '../../dev/aws/sqs-event-source.ts';
import { dynamoDbBudgetStore } from '../../functions/outbound-status/adapters/budget/dynamodb-store.ts';
import type { BudgetState } from '../../functions/outbound-status/adapters/budget/state.ts';
import { type Front, startFront } from './budget-fronts.ts';
import { guard } from './leaks.ts';
import { isEmpty, messagesIn, type QueuePair, SqsEmulator } from './sqs-emulator.ts';
import { body, captureOutput, type Handler, useWorld, type World } from './world.ts';

export const STATUS = 8;
/** Env of every queue container: a record left for retry comes back within a second or two. */
const RETRY_SOON = { RETRY_VISIBILITY_BASE_SECONDS: '1', RETRY_VISIBILITY_MAX_SECONDS: '2' };

export interface BudgetWorld {
  /** What the file's containers write, captured from the start. */
  output: ReturnType<typeof captureOutput>;
  world: World;
  sqs: SqsEmulator;
  /** Before the deployment's DynamoDB: every container's store calls pass it. */
  store: Front;
}

/** The file's output, world, queue emulator and store front, started once and closed after the file. */
export function useBudgetWorld(): BudgetWorld {
  const output = captureOutput();
  const handle = { output } as BudgetWorld;
  useWorld(output, async (world) => {
    handle.world = world;
    handle.sqs = await SqsEmulator.start();
    handle.store = await startFront(world.store.url);
    world.env.AWS_ENDPOINT_URL_DYNAMODB = handle.store.url;
  });
  // Registered after useWorld's: these run before the world's reset and close.
  afterEach(() => {
    handle.world.simulator.rateLimit = undefined;
    handle.store.failBudget(undefined);
    handle.store.calls.length = 0;
  });
  afterAll(async () => {
    await handle.store?.close();
    await handle.sqs?.close();
  });
  return handle;
}

let numbered = 0;
let campaigns = 0;
let queues = 0;

/** `count` numbers new to the tenant, with a campaign record each (no status yet). */
export function newNumbers(world: World, count: number): string[] {
  const phones = Array.from({ length: count }, () => `4871${String(10_000_000 + ++numbered * 7_919).padStart(8, '0')}`);
  guard({ phones });
  world.simulator.tenant.campaigns.push({
    id: `budget-${++campaigns}`,
    statusIds: [3, STATUS],
    records: phones.map((mainNumber) => ({ mainNumber, additionalNumbers: [], statusId: null })),
  });
  return phones;
}

/** A fresh queue pair; its messages come back `visibilityTimeoutSeconds` after a receive. */
export function newQueue(sqs: SqsEmulator, visibilityTimeoutSeconds: number): Promise<QueuePair> {
  return sqs.createQueues({ name: `budget-${++queues}`, maxReceiveCount: 5, visibilityTimeoutSeconds });
}

/** One update (status STATUS) a number, sent to the queue. */
export async function sendUpdates(sqs: SqsEmulator, url: string, phones: string[]): Promise<void> {
  for (let i = 0; i < phones.length; i += 10) {
    await sqs.client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: phones.slice(i, i + 10).map((phone, n) => ({ Id: String(n), MessageBody: body(phone, STATUS) })),
      }),
    );
  }
}

/** The environment a container of `queue` starts with, the test's own on top. */
export const queueContainerEnv = (
  { sqs }: BudgetWorld,
  queue: QueuePair,
  env: Record<string, string> = {},
): Record<string, string> => ({ ...queueEnvironment(sqs, queue), ...RETRY_SOON, ...env });

/** Lambda's event source mapping on `queue`, a fresh container per poller. */
export function mappingOf(
  handle: BudgetWorld,
  queue: QueuePair,
  options: { pollers: number; batchSize: number; functionTimeoutMs: number; env?: Record<string, string> },
): EventSourceMapping {
  const env = queueContainerEnv(handle, queue, options.env);
  return new EventSourceMapping({
    emulator: handle.sqs,
    queue,
    newContainer: (): Promise<Handler> => handle.world.load(env),
    pollers: options.pollers,
    batchSize: options.batchSize,
    functionTimeoutMs: options.functionTimeoutMs,
  });
}

/** Nothing left on the queue, and nothing in its dead-letter queue. */
export async function queueOutcome({ sqs }: BudgetWorld, queue: QueuePair) {
  const [left, dead] = await Promise.all([sqs.depth(queue.url), sqs.depth(queue.deadLetter.url)]);
  return { drained: isEmpty(left), deadLettered: messagesIn(dead) };
}

/** Numbers whose records do not hold STATUS: updates lost. */
export const notApplied = (world: World, phones: string[]) =>
  phones.filter((phone) => world.simulator.currentStatusOf(phone) !== STATUS);

/** The shared budget's item, as a container reads it. */
export const budgetItem = (world: World): Promise<BudgetState | undefined> =>
  dynamoDbBudgetStore(world.store.tableName, world.store.client).read();

/** Thulium's calls from `since` on: all of them, those answered 429, and the most within any one second. */
export function thuliumCalls(world: World, since: number) {
  const calls = world.simulator.calls.filter((call) => call.at >= since);
  const times = calls.map((call) => call.at).sort((a, b) => a - b);
  let busiest = 0;
  for (let first = 0, last = 0; last < times.length; last++) {
    while (times[last] - times[first] >= 1_000) first++;
    busiest = Math.max(busiest, last - first + 1);
  }
  return { calls, limited: calls.filter((call) => call.status === 429), busiestSecond: busiest };
}
