/**
 * The reliability run: thousands of updates through a real-semantics queue into a Thulium that
 * fails a share of its calls at random (seeded), with a Secrets Manager outage, a password
 * rotation, and faults and an outage of the ordering store on the way. A number gets many updates;
 * on a standard queue they go out shuffled, each stamped with the sender's updated_at. At the end a
 * number's dead letters are redriven after a newer update landed. Afterwards every message is
 * accounted for: applied, superseded by a newer one, or in the DLQ with its reason; none lost, none
 * left in flight, and every number ends on its newest update.
 */
import { SendMessageBatchCommand, SendMessageCommand, type Message } from '@aws-sdk/client-sqs';
import type { Fault, Tenant } from '../../dev/thulium-simulator.ts';
import { DEFAULT_SETTINGS as SHIPPED } from '../../infra/settings.ts';
import { pick, seededRandom } from '../../dev/shared/seeded-random.ts';
import { isEmpty, SqsEmulator, type QueueDepth } from './sqs-emulator.ts';
import { EventSourceMapping, queueEnvironment, type EventSourceStats } from '../../dev/aws/sqs-event-source.ts';
import { guard } from './leaks.ts';
import { INTERNAL_ERROR, startStoreFaults, THROTTLED, type StoreFaults } from './store-faults.ts';
import { basicValue, SECRET_ID, startWorld, USERNAME, type Handler, type World } from './world.ts';

export interface ChaosOptions {
  messages: number;
  phones: number;
  fifo: boolean;
  seed: number;
  /** Share of Thulium calls that meet a fault. */
  faultRate: number;
  pollers: number;
  maxMs: number;
  /** False: the same run without the ordering guard, to see what it prevents (the run then fails). */
  orderingGuard?: boolean;
}

const ROTATED_PASSWORD = 'Zq7-rotated-pa55w0rd-never-logged';
const CAMPAIGN = '00001';
const MAX_RECEIVE_COUNT = 5;
/**
 * Compressed time. A batch works for 3.6 s; then the function has 1.2 s to dead-letter or delay its
 * records (on FIFO a batch's last records come after the deadline, and on a last delivery each must
 * reach the DLQ with its reason), and this process, whose one event loop the emulators, the store
 * and the containers share and a loaded machine stalls, 1.2 s more before the timeout.
 */
const FUNCTION_TIMEOUT_MS = 6_000;
const DEADLINE_SAFETY_MARGIN_MS = 2_400;
/**
 * Longer than a batch takes, a cold start under load included, so no record is handed out again
 * while it runs; short enough that a lost delete or an untried record (back when it ends) costs
 * little. AWS asks for six times the function timeout.
 */
const VISIBILITY_TIMEOUT_SECONDS = (2 * FUNCTION_TIMEOUT_MS) / 1000;
/** How far, in messages, a standard queue's run moves one from its place (100 ms apart: ten seconds). */
const SHUFFLE_WINDOW = 100;

/** Every fault the run draws from, in equal shares. */
const CHAOS_FAULTS: Fault[] = [
  { type: 'status', status: 500 },
  { type: 'status', status: 502 },
  { type: 'status', status: 503 },
  { type: 'rate-limit', retryAfterSeconds: 1 },
  { type: 'reset' },
  { type: 'hang' },
  { type: 'garbage' },
];

type Expected = 'applied' | 'VALIDATION_FAILED' | 'MALFORMED_JSON' | 'THULIUM_REFUSED' | 'THULIUM_UNAVAILABLE';

interface SentUpdate {
  index: number;
  body: string;
  phone: string;
  statusId: number;
  expected: Expected;
  /** Valid updates: the order the sender decided them in (updated_at on a standard queue, the send order on FIFO). */
  version: number;
  messageId?: string;
}

export interface ChaosReport {
  mode: 'standard' | 'fifo';
  messages: number;
  /** Numbers updated, besides the one Thulium keeps failing. */
  phones: number;
  seed: number;
  applied: number;
  deadLettered: number;
  /** Applied, then dead-lettered on a later delivery: counted once, as applied. */
  appliedAndDeadLettered: number;
  /** Second dead letters of one message (its deletion was lost after the first): counted once. */
  duplicateDeadLetters: number;
  deadLetterReasons: Record<string, number>;
  /** Valid updates never sent to Thulium, because a newer one for their number was applied first. */
  superseded: number;
  /** Their message ids, for the test to find each one's own `superseded` log line. */
  supersededMessageIds: string[];
  /** The message ids of the failing number's two updates, for the test to find their retries. */
  failingMessageIds: string[];
  lost: number;
  /** Numbers that did not end on their newest update outside the DLQ. */
  stale: number;
  /** The dead letters of the failing number, redriven after a newer update for it landed. */
  redrive: { redriven: number; applied: number; deadLetteredAgain: number };
  storeCalls: number;
  storeCallsPerUpdate: number;
  storeFaultsMet: Record<string, number>;
  leftInQueue: QueueDepth;
  faultsMet: Record<string, number>;
  thuliumCalls: number;
  thuliumCallsPerUpdate: number;
  secretReads: number;
  redeliveries: number;
  queue: EventSourceStats;
  wallSeconds: number;
  /** Each broken promise, in words; empty when the run kept every one. */
  violations: string[];
}

/**
 * `count` distinct numbers, fixed by the seed: Polish mobiles with their country code, twelve
 * digits, long enough that no timestamp or id in the logs matches one by chance.
 */
function phoneNumbers(count: number, random: () => number): string[] {
  const phones = new Set<string>();
  while (phones.size < count) phones.add(`486${String(Math.floor(random() * 1e9)).padStart(9, '0')}`);
  return [...phones];
}

/**
 * The updates to send, in order: mostly valid, a few the caller got wrong or Thulium refuses, and
 * first two for a number Thulium keeps failing, which must reach the DLQ once their deliveries run out.
 */
function plan(
  options: ChaosOptions,
  phones: string[],
  unreachable: string,
  random: () => number,
): { updates: SentUpdate[]; statuses: number } {
  const next = new Map<string, number>();
  // The sender's clock: 100 ms between decisions, all of them in the past.
  const decidedAt = (index: number) => DECIDED_FROM - (options.messages + 10 - index) * 100;
  const valid = (index: number, phone: string, statusId: number, expected: Expected) =>
    decided(options, { index, phone, statusId, expected }, decidedAt(index));
  const updates: SentUpdate[] = [1, 2].map((statusId, index) =>
    valid(index, unreachable, statusId, 'THULIUM_UNAVAILABLE'),
  );
  for (let index = updates.length; index < options.messages; index++) {
    const phone = pick(phones, random);
    const roll = random();
    if (roll < 0.01) {
      updates.push({
        index,
        phone,
        statusId: 0,
        version: -1,
        expected: 'VALIDATION_FAILED',
        body: JSON.stringify({ phone_number: phone, status_id: 'three' }),
      });
    } else if (roll < 0.015) {
      updates.push({
        index,
        phone,
        statusId: 0,
        version: -1,
        expected: 'MALFORMED_JSON',
        body: `{"phone_number":"${phone}","status_id":`,
      });
    } else if (roll < 0.025) {
      // A status no campaign uses: Thulium's refusal, never worth a retry.
      updates.push({
        index,
        phone,
        statusId: 0,
        version: -1,
        expected: 'THULIUM_REFUSED',
        body: JSON.stringify({ phone_number: phone, status_id: '999999' }),
      });
    } else {
      const statusId = (next.get(phone) ?? 0) + 1;
      next.set(phone, statusId);
      updates.push(valid(index, phone, statusId, 'applied'));
    }
  }
  // One status more for the failing number's update after its outage.
  return { updates, statuses: Math.max(3, ...next.values()) };
}

const DECIDED_FROM = Date.now();

function chaosTenant(phones: string[], statuses: number): Tenant {
  const ids = Array.from({ length: statuses }, (_, i) => i + 1);
  return {
    users: { [USERNAME]: '' },
    statuses: Object.fromEntries(ids.map((id) => [id, `Status ${id}`])),
    campaigns: [
      {
        id: CAMPAIGN,
        statusIds: ids,
        records: phones.map((mainNumber) => ({ mainNumber, additionalNumbers: [], statusId: null })),
      },
    ],
  };
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const random = seededRandom(options.seed);
  const numbers = phoneNumbers(options.phones + 1, random);
  const [unreachable, ...phones] = numbers;
  guard({ phones: numbers, secrets: [ROTATED_PASSWORD, basicValue(ROTATED_PASSWORD)] });
  const { updates, statuses } = plan(options, phones, unreachable, random);
  const world = await startWorld({ tenant: chaosTenant(numbers, statuses) });
  const emulator = await SqsEmulator.start();
  const store = await startStoreFaults(world.store.url);
  world.env.AWS_ENDPOINT_URL_DYNAMODB = store.url;
  try {
    return await run(options, { world, emulator, store, updates, numbers, unreachable });
  } finally {
    await store.close();
    await emulator.close();
    await world.close();
  }
}

async function run(
  options: ChaosOptions,
  {
    world,
    emulator,
    store,
    updates,
    numbers,
    unreachable,
  }: {
    world: World;
    emulator: SqsEmulator;
    store: StoreFaults;
    updates: SentUpdate[];
    numbers: string[];
    unreachable: string;
  },
): Promise<ChaosReport> {
  const queue = await emulator.createQueues({
    name: `chaos-${options.seed}`,
    fifo: options.fifo,
    maxReceiveCount: MAX_RECEIVE_COUNT,
    visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS,
  });
  const newContainer = (): Promise<Handler> =>
    world.load({
      ...queueEnvironment(emulator, queue),
      ...(options.orderingGuard === false && { ORDERING_GUARD: 'off' }),
      RETRY_VISIBILITY_BASE_SECONDS: '1',
      RETRY_VISIBILITY_MAX_SECONDS: '2',
      THULIUM_REQUEST_TIMEOUT_MS: '300',
      DEADLINE_SAFETY_MARGIN_MS: String(DEADLINE_SAFETY_MARGIN_MS),
      CREDENTIALS_REJECTION_HOLD_SECONDS: '60',
      // As the stack ships it: records of a batch in flight per invocation.
      QUEUE_CONCURRENCY: String(SHIPPED.recordConcurrency),
    });
  const started = Date.now();
  // A standard queue may hand messages out of order: here they are even sent so, each moved by up to
  // SHUFFLE_WINDOW places, while updated_at keeps the order the sender decided them in.
  const random = seededRandom(options.seed + 1);
  const shuffled = updates
    .map((u) => ({ u, at: u.index + random() * SHUFFLE_WINDOW }))
    .sort((a, b) => a.at - b.at)
    .map(({ u }) => u);
  await send(emulator, queue.url, options.fifo, options.fifo ? updates : shuffled);
  // The SDK retries most of these itself; those it cannot end as ORDERING_STORE_UNAVAILABLE.
  store.injectRandom({ rate: 0.05, seed: options.seed, faults: [THROTTLED, INTERNAL_ERROR] });

  world.simulator.injectRandomFaults({ rate: options.faultRate, seed: options.seed, faults: CHAOS_FAULTS });
  // More failures than its updates have attempts: every delivery of every one fails.
  world.simulator.injectFaultsFor(unreachable, ...Array<Fault>(1_000).fill({ type: 'status', status: 503 }));
  const mapping = new EventSourceMapping({
    emulator,
    queue,
    newContainer,
    pollers: options.pollers,
    batchSize: 10,
    functionTimeoutMs: FUNCTION_TIMEOUT_MS,
    lostDeleteRate: 0.002,
    seed: options.seed,
  });
  // Progress is what the queue is done with: applied, superseded or dead-lettered.
  const done = () => mapping.stats.deleted;
  const events = [
    // Secrets Manager fails every call for a while, just as every container starts cold.
    {
      at: 0.25,
      run: () => (world.aws.fail('secretsmanager.GetSecretValue', 12, 500, 'InternalFailure'), mapping.recycle()),
    },
    // The API user's password changes in Thulium and in the secret; containers still hold the old one.
    { at: 0.5, run: () => world.setPassword(ROTATED_PASSWORD) },
    // The ordering store fails every call for a while: records wait, none is applied unguarded.
    { at: 0.75, run: () => store.inject(INTERNAL_ERROR, 40) },
  ];
  const { drained } = await mapping.run({
    maxMs: options.maxMs,
    onPoll: () => {
      while (events.length > 0 && done() >= events[0].at * updates.length) events.shift()!.run();
    },
  });
  world.simulator.clearFaults();
  const storeCalls = store.calls.length;
  const storeFaultsMet = { ...store.faultsMet };
  store.reset();
  const wallSeconds = (Date.now() - started) / 1000;
  const deadLetters = await emulator.drain(queue.deadLetter.url);

  // The failing number recovers and gets a newer update; then its dead letters are redriven.
  const newer = decided(
    options,
    { index: updates.length, phone: unreachable, statusId: 3, expected: 'applied' },
    Date.now(),
  );
  updates.push(newer);
  await send(emulator, queue.url, options.fifo, [newer]);
  await mapping.run({ maxMs: options.maxMs });
  const failing = new Set([updates[0].messageId!, updates[1].messageId!]);
  // One per message: a lost delete dead-letters a message twice.
  const outage = [
    ...new Map(deadLetters.map((m) => [m.MessageAttributes?.SourceMessageId?.StringValue ?? '', m])).entries(),
  ]
    .filter(([source]) => failing.has(source))
    .map(([, m]) => m);
  await redrive(emulator, queue.url, options.fifo, outage);
  const appliedBefore = world.simulator.applied.length;
  await mapping.run({ maxMs: options.maxMs });
  const deadLetteredAgain = (await emulator.drain(queue.deadLetter.url)).length;
  const redriveReport = {
    redriven: outage.length,
    applied: world.simulator.applied.length - appliedBefore,
    deadLetteredAgain,
  };

  const leftInQueue = await emulator.depth(queue.url);
  const { violations, ...accounted } = account(options, { world, updates, numbers, deadLetters });
  return {
    ...accounted,
    failingMessageIds: [...failing],
    phones: options.phones,
    leftInQueue,
    faultsMet: { ...world.simulator.faultsMet },
    thuliumCalls: world.simulator.calls.length,
    thuliumCallsPerUpdate: round(world.simulator.calls.length / updates.length),
    secretReads: world.aws.readsOf(SECRET_ID),
    storeCalls,
    storeCallsPerUpdate: round(storeCalls / updates.length),
    storeFaultsMet,
    redrive: redriveReport,
    redeliveries: mapping.stats.deliveries - updates.length,
    queue: mapping.stats,
    wallSeconds: round(wallSeconds),
    violations: [
      ...violations,
      ...(redriveReport.applied === 0 && redriveReport.deadLetteredAgain === 0
        ? []
        : [`redriven old updates: ${JSON.stringify(redriveReport)}`]),
      ...(drained ? [] : [`the queue did not drain within ${options.maxMs} ms`]),
      ...(isEmpty(leftInQueue) ? [] : [`left in the queue: ${JSON.stringify(leftInQueue)}`]),
    ],
  };
}

/**
 * The failing number's updates run out of deliveries while Thulium keeps failing them, but each
 * delivery also meets the run's other faults: the Secrets Manager outage, the store's faults, a
 * pause another record's 429 set, and on FIFO the later one's turn not coming in time behind the
 * earlier one's retries. So the last delivery may end on any of them; only a transient reason is
 * right, and the run's redrive of both checks they were kept whole.
 */
const failingInOutage = (update: SentUpdate, kind: string | undefined) =>
  update.expected === 'THULIUM_UNAVAILABLE' && kind === 'transient';

/**
 * A valid update as its sender decided it at `at`: on FIFO the queue's own order is the version;
 * a standard queue's senders stamp updated_at.
 */
function decided(
  options: ChaosOptions,
  update: Pick<SentUpdate, 'index' | 'phone' | 'statusId' | 'expected'>,
  at: number,
): SentUpdate {
  const fields = { phone_number: update.phone, status_id: String(update.statusId) };
  const body = JSON.stringify(options.fifo ? fields : { ...fields, updated_at: new Date(at).toISOString() });
  return { ...update, version: options.fifo ? update.index : at, body };
}

/** As a message move task redrives: the body and every attribute kept, a new message on the source queue. */
async function redrive(emulator: SqsEmulator, queueUrl: string, fifo: boolean, messages: Message[]): Promise<void> {
  for (const message of messages) {
    await emulator.client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: message.Body,
        MessageAttributes: message.MessageAttributes,
        ...(fifo
          ? {
              MessageGroupId: message.Attributes?.MessageGroupId,
              MessageDeduplicationId: `redrive-${message.MessageId}`,
            }
          : {}),
      }),
    );
  }
}

async function send(emulator: SqsEmulator, queueUrl: string, fifo: boolean, updates: SentUpdate[]): Promise<void> {
  for (let i = 0; i < updates.length; i += 10) {
    const batch = updates.slice(i, i + 10);
    const { Successful = [], Failed = [] } = await emulator.client.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((u) => ({
          Id: String(u.index),
          MessageBody: u.body,
          // One group per phone: its updates apply in the order they were sent.
          ...(fifo ? { MessageGroupId: u.phone, MessageDeduplicationId: `update-${u.index}` } : {}),
        })),
      }),
    );
    if (Failed.length > 0) throw new Error(`SQS refused ${Failed.length} messages: ${JSON.stringify(Failed[0])}`);
    for (const entry of Successful) batch.find((u) => String(u.index) === entry.Id)!.messageId = entry.MessageId;
  }
}

function account(
  options: ChaosOptions,
  {
    world,
    updates,
    numbers,
    deadLetters,
  }: { world: World; updates: SentUpdate[]; numbers: string[]; deadLetters: Message[] },
) {
  const violations: string[] = [];
  const appliedKeys = new Set(world.simulator.applied.map((a) => `${a.phoneNumber}:${a.statusId}`));
  const sent = new Set(updates.map((u) => u.messageId));
  const deadLetterOf = new Map<string, Message>();
  let duplicateDeadLetters = 0;
  for (const message of deadLetters) {
    const source = message.MessageAttributes?.SourceMessageId?.StringValue;
    if (!source || !message.MessageAttributes?.ErrorCode?.StringValue)
      violations.push(`a dead letter without its reason: ${message.MessageId}`);
    else if (!sent.has(source)) violations.push(`a dead letter of a message never sent: ${source}`);
    // Dead-lettered, then its deletion lost: SQS delivers it again and it is dead-lettered again.
    else if (deadLetterOf.has(source)) duplicateDeadLetters++;
    else deadLetterOf.set(source, message);
  }
  const reasons: Record<string, number> = {};
  let applied = 0;
  let deadLettered = 0;
  let both = 0;
  let lost = 0;
  const supersededMessageIds: string[] = [];
  const newestApplied = new Map<string, number>();
  for (const u of updates) {
    if (u.expected === 'applied' && appliedKeys.has(`${u.phone}:${u.statusId}`))
      newestApplied.set(u.phone, Math.max(newestApplied.get(u.phone) ?? -1, u.version));
  }
  for (const update of updates) {
    const wasApplied = update.expected === 'applied' && appliedKeys.has(`${update.phone}:${update.statusId}`);
    const deadLetter = deadLetterOf.get(update.messageId!);
    if (deadLetter) {
      const { ErrorCode, ErrorKind } = deadLetter.MessageAttributes!;
      const code = ErrorCode!.StringValue!;
      reasons[code] = (reasons[code] ?? 0) + 1;
      if (deadLetter.Body !== update.body) violations.push(`dead letter ${update.messageId} changed its body`);
      if (update.expected === 'applied') {
        // A valid update may only run out of deliveries; anything else is a wrong classification.
        if (ErrorKind?.StringValue !== 'transient')
          violations.push(`message ${update.index}: valid, yet dead-lettered as ${code}`);
      } else if (code !== update.expected && !failingInOutage(update, ErrorKind?.StringValue)) {
        violations.push(`message ${update.index}: ${code}, expected ${update.expected}`);
      }
      const receiveCount = Number(deadLetter.MessageAttributes!.ReceiveCount?.StringValue);
      if (update.expected === 'THULIUM_UNAVAILABLE' && !(receiveCount >= MAX_RECEIVE_COUNT)) {
        violations.push(`message ${update.index}: dead-lettered on delivery ${receiveCount} of ${MAX_RECEIVE_COUNT}`);
      }
    }
    if (wasApplied && deadLetter) both++;
    if (wasApplied) applied++;
    else if (deadLetter) deadLettered++;
    // Never sent, and rightly so: a newer update for its number was applied.
    else if (update.expected === 'applied' && (newestApplied.get(update.phone) ?? -1) > update.version)
      supersededMessageIds.push(update.messageId!);
    else {
      lost++;
      if (lost <= 5) violations.push(`lost: message ${update.index} (${update.expected})`);
    }
  }
  if (lost > 0) violations.push(`${lost} messages neither applied, superseded nor dead-lettered`);
  if (options.fifo) violations.push(...checkOrder(world, numbers));
  const staleNumbers = stale(world, updates, numbers, deadLetterOf);
  violations.push(
    ...staleNumbers.slice(0, 5),
    ...(staleNumbers.length > 0 ? [`${staleNumbers.length} numbers ended stale`] : []),
  );
  return {
    mode: options.fifo ? ('fifo' as const) : ('standard' as const),
    messages: updates.length,
    seed: options.seed,
    applied,
    deadLettered,
    appliedAndDeadLettered: both,
    duplicateDeadLetters,
    deadLetterReasons: reasons,
    superseded: supersededMessageIds.length,
    supersededMessageIds,
    lost,
    stale: staleNumbers.length,
    violations,
  };
}

/** FIFO: per phone, updates applied in the order sent (redeliveries aside, each status once and rising). */
function checkOrder(world: World, phones: string[]): string[] {
  const appliedByPhone = Map.groupBy(world.simulator.applied, (a) => a.phoneNumber);
  return phones.flatMap((phone) => {
    const sequence = (appliedByPhone.get(phone) ?? []).map((a) => a.statusId);
    return sequence.some((status, i) => i > 0 && status < sequence[i - 1])
      ? [`phone …${phone.slice(-3)}: applied out of order`]
      : [];
  });
}

/** Nothing stale: each number ends on its newest valid update, unless that one is in the DLQ (then the newest before it). */
function stale(world: World, updates: SentUpdate[], phones: string[], deadLetterOf: Map<string, Message>): string[] {
  return phones.flatMap((phone) => {
    const standing = updates
      .filter(
        (u) =>
          u.phone === phone &&
          u.expected !== 'VALIDATION_FAILED' &&
          u.expected !== 'MALFORMED_JSON' &&
          u.expected !== 'THULIUM_REFUSED',
      )
      .filter((u) => !deadLetterOf.has(u.messageId!))
      .reduce<SentUpdate | undefined>((newest, u) => (newest && newest.version >= u.version ? newest : u), undefined);
    const status = world.simulator.statusOf(CAMPAIGN, phone) ?? null;
    const expected = standing?.statusId ?? null;
    return status === expected
      ? []
      : [`phone …${phone.slice(-3)}: ends at ${status}, its newest update outside the DLQ set ${expected}`];
  });
}

const round = (value: number) => Math.round(value * 100) / 100;
