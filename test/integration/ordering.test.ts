/**
 * A status is a fact about now: for each number, the update sent last must stand, whatever the
 * delivery order, the races and the redrives. Through the built bundle, with the real SDK talking
 * DynamoDB's wire protocol to dynalite and, where Java runs (always in CI), AWS's DynamoDB Local.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { javaAvailable, startDynalite, startDynamoDbLocal } from '../../dev/aws/dynamodb.ts';
import { seededRandom } from '../../dev/shared/seeded-random.ts';
import { guard } from '../support/leaks.ts';
import { deliverShuffled, leaveHold, metricCounts, redrivenAttributes, updatesPerNumber } from '../support/ordering.ts';
import { INTERNAL_ERROR, startStoreFaults, THROTTLED, type StoreFaults } from '../support/store-faults.ts';
import {
  body,
  captureOutput,
  eventBridgeEvent,
  lambdaContext,
  logRecords,
  PHONES,
  restApiEvent,
  sqsEvent,
  startWorld,
  type Handler,
  type World,
} from '../support/world.ts';

const output = captureOutput();
afterAll(() => output.stop());

const needsJava = !process.env.CI && !javaAvailable();
const STORES = [
  { store: 'dynalite', start: startDynalite, skip: false },
  // In CI a missing Java fails here, loudly, instead of skipping.
  {
    store: needsJava ? 'DynamoDB Local (skipped: needs Java, which CI has)' : 'DynamoDB Local',
    start: startDynamoDbLocal,
    skip: needsJava,
  },
];

const iso = (at: number) => new Date(at).toISOString();
const dlqIds = (world: World) => world.aws.sentMessages.map((m) => m.MessageAttributes?.SourceMessageId?.StringValue);
/** Where this test's output starts: message ids repeat from one store's run to the other's. */
let mark = 0;
beforeEach(() => {
  mark = output.lines.length;
});
const linesOf = (id: string) => logRecords(output.lines.slice(mark)).filter((line) => line.correlation_id === id);

describe.each(STORES)('ordering guard on $store', ({ start, skip }) => {
  let world: World;
  let store: StoreFaults;
  let handler: Handler;
  const status = (phone: string) => world.simulator.currentStatusOf(phone);

  beforeAll(async () => {
    if (skip) return;
    // The guard's own store calls, counted and failed alone: the shared budget has tests of its own.
    world = await startWorld({ store: start, env: { THULIUM_BUDGET: 'container' } });
    // Every container reaches the store through a front that counts its calls and can fail them.
    store = await startStoreFaults(world.store.url);
    world.env.AWS_ENDPOINT_URL_DYNAMODB = store.url;
    handler = await world.load();
  }, 60_000);
  afterEach(async () => {
    if (skip) return;
    store.reset();
    await world.reset();
    world.aws.sentMessages.length = 0;
  });
  afterAll(async () => {
    if (skip) return;
    await store.close();
    await world.close();
  });

  describe.skipIf(skip)('the newest update stands', () => {
    it('in one batch, when the older update is answered 150 ms slower', async () => {
      world.simulator.delayUpdate(PHONES.one, 3, 150);
      const t = Date.now();
      const event = sqsEvent([
        { body: body(PHONES.one, 3), sentTimestamp: t },
        { body: body(PHONES.one, 8), sentTimestamp: t + 100 },
      ]);
      expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] });
      expect(status(PHONES.one)).toBe(8);
      // The two took turns inside the container: neither polled the store while the other held the number.
      expect(store.countOf('UpdateItem')).toBeLessThanOrEqual(4);
      expect(store.calls.length).toBeLessThanOrEqual(4);
    });

    it('(without the guard, the same batch ends on the older status)', async () => {
      const unguarded = await world.load({ ORDERING_GUARD: 'off' });
      // A cold container sends one call at a time until Thulium has accepted one: warm it first.
      await unguarded(sqsEvent([{ body: body(PHONES.three, 3) }]), lambdaContext());
      world.simulator.delayUpdate(PHONES.one, 3, 150);
      const t = Date.now();
      const event = sqsEvent([
        { body: body(PHONES.one, 3), sentTimestamp: t },
        { body: body(PHONES.one, 8), sentTimestamp: t + 100 },
      ]);
      const calls = store.calls.length;
      expect(await unguarded(event, lambdaContext())).toEqual({ batchItemFailures: [] });
      expect(status(PHONES.one)).toBe(3);
      expect(store.calls.length).toBe(calls);
    });

    it('acknowledges an older update as superseded: never sent, logged with both versions, counted', async () => {
      const t = Date.now();
      await handler(sqsEvent([{ body: body(PHONES.one, 8), sentTimestamp: t }]), lambdaContext());
      const calls = world.simulator.calls.length;
      const linesBefore = output.lines.length;
      const old = sqsEvent([{ body: body(PHONES.one, 3), sentTimestamp: t - 60_000, messageId: 'older-by-a-minute' }]);
      expect(await handler(old, lambdaContext())).toEqual({ batchItemFailures: [] });
      expect(world.simulator.calls.length).toBe(calls);
      expect(status(PHONES.one)).toBe(8);
      expect(dlqIds(world)).not.toContain('older-by-a-minute');
      expect(linesOf('older-by-a-minute')).toEqual([
        expect.objectContaining({
          level: 'INFO',
          outcome: 'superseded',
          update_version: iso(t - 60_000),
          applied_version: iso(t),
          version_source: 'sqs',
          error: expect.objectContaining({ code: 'SUPERSEDED', kind: 'superseded' }),
        }),
      ]);
      expect(metricCounts(output.lines.slice(linesBefore)).Superseded).toBe(1);
    });

    it('never supersedes a redelivery of the same update by itself', async () => {
      const t = Date.now();
      const first = sqsEvent([{ body: body(PHONES.one, 8), sentTimestamp: t, messageId: 'same' }]);
      await handler(first, lambdaContext());
      const calls = world.simulator.calls.length;
      const again = sqsEvent([{ body: body(PHONES.one, 8), sentTimestamp: t, messageId: 'same', receiveCount: 2 }]);
      expect(await handler(again, lambdaContext())).toEqual({ batchItemFailures: [] });
      expect(world.simulator.calls.length).toBe(calls + 1);
      expect(linesOf('same').map((line) => line.outcome)).toEqual(['updated', 'updated']);
    });

    it('lets the one processed last of two equal versions stand, as a FIFO queue orders them', async () => {
      const t = Date.now();
      await handler(sqsEvent([{ body: body(PHONES.one, 8), sentTimestamp: t }]), lambdaContext());
      const tie = sqsEvent([{ body: body(PHONES.one, 3), sentTimestamp: t, messageId: 'tie' }]);
      expect(await handler(tie, lambdaContext())).toEqual({ batchItemFailures: [] });
      expect(status(PHONES.one)).toBe(3);
      expect(linesOf('tie')[0]).toMatchObject({ outcome: 'updated', update_version: iso(t) });
    });

    it("judges by the sender's updated_at over when SQS took the message in", async () => {
      const decided = Date.now() - 10_000;
      const newer = JSON.stringify({ phone_number: PHONES.one, status_id: '8', updated_at: iso(decided + 1) });
      const older = JSON.stringify({ phone_number: PHONES.one, status_id: '3', updated_at: iso(decided) });
      // The older decision reaches the queue last.
      await handler(sqsEvent([{ body: newer, sentTimestamp: Date.now() }]), lambdaContext());
      const late = sqsEvent([{ body: older, sentTimestamp: Date.now() + 5_000, messageId: 'decided-earlier' }]);
      expect(await handler(late, lambdaContext())).toEqual({ batchItemFailures: [] });
      expect(status(PHONES.one)).toBe(8);
      expect(linesOf('decided-earlier')[0]).toMatchObject({ outcome: 'superseded', version_source: 'updated_at' });
    });

    it.each([
      {
        name: 'an UpdateVersion attribute',
        field: 'UpdateVersion',
        record: (ahead: string) => ({
          messageAttributes: { UpdateVersion: { dataType: 'String', stringValue: ahead } },
        }),
      },
      {
        name: 'an EventBridge time',
        field: 'time',
        record: (ahead: string) => ({
          body: JSON.stringify(eventBridgeEvent({ phone_number: PHONES.one, status_id: '8' }, { time: ahead })),
        }),
      },
    ])('dead-letters a version far ahead from $name too, naming it', async ({ field, record }) => {
      const ahead = iso(Date.now() + 3_600_000);
      const event = sqsEvent([{ body: body(PHONES.one, 8), messageId: 'ahead', ...record(ahead) }]);
      expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] });
      const [dead] = world.aws.sentMessages;
      expect(dead.MessageAttributes?.ErrorCode.StringValue).toBe('VALIDATION_FAILED');
      expect(dead.MessageAttributes?.ErrorMessage.StringValue).toContain(`${field} `);
      expect(store.calls).toEqual([]);
    });

    it('guards the number Thulium receives: the same number written two ways is one number', async () => {
      const national = await world.load({ PHONE_NORMALISATION: 'national' });
      const t = Date.now();
      await national(sqsEvent([{ body: body(PHONES.one, 8), sentTimestamp: t }]), lambdaContext());
      const written = `+48 ${PHONES.one.slice(0, 3)} ${PHONES.one.slice(3, 6)} ${PHONES.one.slice(6)}`;
      const old = sqsEvent([
        { body: body(written, 3), sentTimestamp: t - 1_000, messageId: 'same-number-other-spelling' },
      ]);
      expect(await national(old, lambdaContext())).toEqual({ batchItemFailures: [] });
      expect(linesOf('same-number-other-spelling')[0]).toMatchObject({ outcome: 'superseded' });
      expect(status(PHONES.one)).toBe(8);
    });

    it('dead-letters an updated_at far in the future, which would block every later update', async () => {
      const future = JSON.stringify({
        phone_number: PHONES.one,
        status_id: '8',
        updated_at: iso(Date.now() + 3_600_000),
      });
      expect(await handler(sqsEvent([{ body: future, messageId: 'future' }]), lambdaContext())).toEqual({
        batchItemFailures: [],
      });
      const [dead] = world.aws.sentMessages;
      expect(dead.MessageAttributes?.ErrorCode.StringValue).toBe('VALIDATION_FAILED');
      expect(dead.MessageAttributes?.ErrorMessage.StringValue).toMatch(/updated_at is more than 5 minutes ahead/);
      expect(store.calls).toEqual([]);
    });

    it('on a standard queue: 150 numbers, 4 updates each 100 ms apart, shuffled, a fifth of Thulium calls failing', async () => {
      const random = seededRandom(20261201);
      const phones = Array.from({ length: 150 }, (_, i) => `4860${String(10_000_000 + i * 7_919).padStart(8, '0')}`);
      guard({ phones });
      world.simulator.tenant.statuses[20] = 'Do not call';
      world.simulator.tenant.campaigns.push({
        id: '00009',
        statusIds: [3, 8, 12, 20],
        records: phones.map((mainNumber) => ({ mainNumber, additionalNumbers: [], statusId: null })),
      });
      const plan = updatesPerNumber(phones, 4, 100, [3, 8, 12, 20], random);
      const records = sqsEvent(
        plan.flatMap(({ phone, sent }) =>
          sent.map((u) => ({ body: body(phone, u.statusId), sentTimestamp: u.sentTimestamp })),
        ),
      ).Records;
      world.simulator.injectRandomFaults({
        rate: 0.2,
        seed: 7,
        faults: [
          { type: 'status', status: 500 },
          { type: 'status', status: 503 },
          { type: 'reset' },
          { type: 'garbage' },
        ],
      });
      const overrides = {
        QUEUE_MAX_RECEIVE_COUNT: '1000',
        RETRY_VISIBILITY_BASE_SECONDS: '0',
        RETRY_VISIBILITY_MAX_SECONDS: '0',
      };
      const containers = [await world.load(overrides), await world.load(overrides)];
      const linesBefore = output.lines.length;
      await deliverShuffled(records, containers, random);

      const stale = plan.filter(({ phone, last }) => status(phone) !== last);
      expect(stale).toEqual([]);
      // Nothing lost: every message ended applied or superseded, none in the DLQ.
      const outcomes = new Map(
        logRecords(output.lines.slice(linesBefore))
          .filter((l) => l.outcome !== 'retry-scheduled')
          .map((l) => [l.correlation_id, l.outcome]),
      );
      expect(
        records.every((r: { messageId: string }) => ['updated', 'superseded'].includes(outcomes.get(r.messageId))),
      ).toBe(true);
      expect(world.aws.sentMessages).toEqual([]);
    }, 60_000);
  });

  describe.skipIf(skip).each([
    { queue: 'standard', queueName: 'outbound-status' },
    { queue: 'FIFO', queueName: 'outbound-status.fifo' },
  ])('a dead letter redriven after a newer update landed, on a $queue queue', ({ queueName }) => {
    it('keeps its version and is superseded, not applied', async () => {
      const t = Date.now() - 120_000;
      const group = queueName.endsWith('.fifo') ? { messageGroupId: PHONES.one } : {};
      // An outage: the update's last delivery fails, and the function moves it to the DLQ.
      world.simulator.injectFaultsFor(PHONES.one, ...Array(3).fill({ type: 'status', status: 503 }));
      const outage = sqsEvent(
        [{ body: body(PHONES.one, 3), sentTimestamp: t, receiveCount: 5, messageId: 'in-the-outage', ...group }],
        queueName,
      );
      expect(await handler(outage, lambdaContext())).toEqual({ batchItemFailures: [] });
      const [dead] = world.aws.sentMessages;
      expect(dead.MessageAttributes?.UpdateVersion).toEqual({ DataType: 'String', StringValue: iso(t) });

      // The newer update lands.
      await handler(
        sqsEvent([{ body: body(PHONES.one, 8), sentTimestamp: t + 60_000, ...group }], queueName),
        lambdaContext(),
      );
      expect(status(PHONES.one)).toBe(8);

      // The redrive: a new message, sent now, with the dead letter's body and attributes (a move task keeps them).
      const attributes = redrivenAttributes(dead);
      const calls = world.simulator.calls.length;
      const messageId = `redriven-from-${queueName}`;
      const redriven = sqsEvent(
        [{ body: dead.MessageBody, messageId, messageAttributes: attributes, ...group }],
        queueName,
      );
      expect(await handler(redriven, lambdaContext())).toEqual({ batchItemFailures: [] });
      expect(world.simulator.calls.length).toBe(calls);
      expect(status(PHONES.one)).toBe(8);
      expect(linesOf(messageId)[0]).toMatchObject({
        outcome: 'superseded',
        version_source: 'dead-letter',
        update_version: iso(t),
      });
    });
  });

  describe.skipIf(skip)('a redriven dead letter tied with the update applied after it', () => {
    it('yields: a FIFO batch shares one SentTimestamp, and the redrive must not undo the later one', async () => {
      const t = Date.now() - 30_000;
      const fifo = { messageGroupId: PHONES.one };
      world.simulator.injectFaultsFor(PHONES.one, ...Array(3).fill({ type: 'status', status: 503 }));
      const first = sqsEvent(
        [{ body: body(PHONES.one, 3), sentTimestamp: t, receiveCount: 5, ...fifo }],
        'outbound-status.fifo',
      );
      await handler(first, lambdaContext());
      await handler(
        sqsEvent([{ body: body(PHONES.one, 8), sentTimestamp: t, ...fifo }], 'outbound-status.fifo'),
        lambdaContext(),
      );
      const [dead] = world.aws.sentMessages;
      const attributes = redrivenAttributes(dead);
      const redriven = sqsEvent(
        [{ body: dead.MessageBody, messageId: 'tied-redrive', messageAttributes: attributes, ...fifo }],
        'outbound-status.fifo',
      );
      expect(await handler(redriven, lambdaContext())).toEqual({ batchItemFailures: [] });
      expect(linesOf('tied-redrive')[0]).toMatchObject({
        outcome: 'superseded',
        update_version: iso(t),
        applied_version: iso(t),
      });
      expect(status(PHONES.one)).toBe(8);
    });
  });

  describe.skipIf(skip)('HTTP and the queue race for one number', () => {
    it.each([
      { older: 'HTTP', http: 3, queue: 8 },
      { older: 'queue', http: 8, queue: 3 },
    ])(
      'in two containers, the newer stands when the older ($older) goes first and is answered 150 ms slower',
      async ({ older, http, queue }) => {
        // Two containers, as Lambda runs concurrent invocations: they meet only in the store.
        const [api, poller] = [await world.load(), await world.load()];
        world.simulator.delayUpdate(PHONES.one, 3, 150);
        const appliedBefore = world.simulator.applied.length;
        const t = Date.now();
        const request = restApiEvent({ body: body(PHONES.one, http) });
        request.requestContext.requestTimeEpoch = older === 'HTTP' ? t : t + 50;
        const record = sqsEvent([
          { body: body(PHONES.one, queue), sentTimestamp: older === 'queue' ? t : t + 50, messageId: 'racing' },
        ]);
        const later = (work: () => Promise<unknown>) => new Promise((resolve) => setTimeout(resolve, 30)).then(work);
        const [answer, batch] = await Promise.all(
          older === 'HTTP'
            ? [api(request, lambdaContext()), later(() => poller(record, lambdaContext()))]
            : [later(() => api(request, lambdaContext())), poller(record, lambdaContext())],
        );
        // Both applied, one after the other: the newer waited for the older's hold.
        expect((answer as { statusCode: number }).statusCode).toBe(200);
        expect(batch).toEqual({ batchItemFailures: [] });
        expect(linesOf('racing')[0]).toMatchObject({ outcome: 'updated' });
        expect(world.simulator.applied.slice(appliedBefore).map((a) => a.statusId)).toEqual([3, 8]);
        expect(status(PHONES.one)).toBe(8);
      },
    );

    it('answers 409 SUPERSEDED to an HTTP update older than one the queue applied', async () => {
      const t = Date.now();
      await handler(sqsEvent([{ body: body(PHONES.one, 8), sentTimestamp: t }]), lambdaContext());
      const request = restApiEvent({ body: body(PHONES.one, 3) });
      request.requestContext.requestTimeEpoch = t - 1;
      const calls = world.simulator.calls.length;
      const answer = await handler(request, lambdaContext());
      expect(answer.statusCode).toBe(409);
      expect(JSON.parse(answer.body).error).toMatchObject({
        code: 'SUPERSEDED',
        update_version: iso(t - 1),
        applied_version: iso(t),
        request_id: request.requestContext.requestId,
      });
      expect(world.simulator.calls.length).toBe(calls);
    });
  });

  describe.skipIf(skip)('the store', () => {
    it('costs two conditional writes per update when nobody else holds the number', async () => {
      await handler(sqsEvent([{ body: body(PHONES.one, 8) }]), lambdaContext());
      expect(store.calls).toEqual(['UpdateItem', 'UpdateItem']);
    });

    it('keeps no phone number in clear', async () => {
      await handler(sqsEvent([{ body: body(PHONES.one, 8) }]), lambdaContext());
      const items = await world.store.client.send(
        new (await import('@aws-sdk/client-dynamodb')).ScanCommand({ TableName: world.store.tableName }),
      );
      expect(JSON.stringify(items.Items)).not.toContain(PHONES.one);
      expect(items.Items?.[0]).toMatchObject({
        number_hash: { S: expect.stringMatching(/^[0-9a-f]{64}$/) },
        applied_status_id: { S: '8' },
      });
    });

    it('throttled: the record is left for retry with back-off and Thulium is not called; counted', async () => {
      store.inject(THROTTLED, 3);
      const calls = world.simulator.calls.length;
      const linesBefore = output.lines.length;
      const response = await handler(
        sqsEvent([{ body: body(PHONES.one, 8), messageId: 'throttled' }]),
        lambdaContext(),
      );
      expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'throttled' }] });
      expect(world.simulator.calls.length).toBe(calls);
      expect(linesOf('throttled').at(-1)).toMatchObject({
        outcome: 'retry-scheduled',
        error: { code: 'ORDERING_STORE_UNAVAILABLE', kind: 'transient' },
      });
      expect(metricCounts(output.lines.slice(linesBefore)).OrderingStoreFailures).toBe(1);
    });

    it('down over HTTP: 503 ORDERING_STORE_UNAVAILABLE with Retry-After, Thulium not called', async () => {
      store.inject(INTERNAL_ERROR, 3);
      const calls = world.simulator.calls.length;
      const answer = await handler(restApiEvent({ body: body(PHONES.one, 8) }), lambdaContext());
      expect(answer.statusCode).toBe(503);
      expect(answer.headers['retry-after']).toBe('2');
      expect(JSON.parse(answer.body).error).toMatchObject({
        code: 'ORDERING_STORE_UNAVAILABLE',
        retry_after_seconds: 2,
      });
      expect(world.simulator.calls.length).toBe(calls);
    });

    it('failing after Thulium applied: retried, and the redelivery applies it again', async () => {
      store.inject(INTERNAL_ERROR, 3, { pass: 1 });
      const record = { body: body(PHONES.one, 8), messageId: 'unrecorded', sentTimestamp: Date.now() };
      expect(await handler(sqsEvent([record]), lambdaContext())).toEqual({
        batchItemFailures: [{ itemIdentifier: 'unrecorded' }],
      });
      expect(await handler(sqsEvent([{ ...record, receiveCount: 2 }]), lambdaContext())).toEqual({
        batchItemFailures: [],
      });
      expect(linesOf('unrecorded').map((line) => line.outcome)).toEqual(['retry-scheduled', 'updated']);
    });

    it.each([
      { call: 'the claim', pass: 0 },
      { call: 'the record', pass: 1 },
    ])(
      '$call landed but its answer was lost: the SDK repeats it, and the repeat is taken for what it is',
      async ({ pass }) => {
        store.inject({ type: 'lost-answer' }, 1, { operation: 'UpdateItem', pass });
        const started = Date.now();
        const event = sqsEvent([{ body: body(PHONES.one, 8), messageId: 'answer-lost' }]);
        expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] });
        expect(linesOf('answer-lost')[0]).toMatchObject({ outcome: 'updated' });
        expect(Date.now() - started).toBeLessThan(1_000);
        expect(store.faultsMet['lost-answer']).toBeGreaterThan(0);
        // No hold left behind: the next update goes straight through.
        expect(await handler(sqsEvent([{ body: body(PHONES.one, 3) }]), lambdaContext(1_000))).toEqual({
          batchItemFailures: [],
        });
        expect(status(PHONES.one)).toBe(3);
      },
    );

    it('a hold left by a killed container runs out: the next update waits for it, then applies', async () => {
      // Judged against the hold's own end: on a loaded machine the write itself may take much of it.
      const holdUntil = Date.now() + 400;
      await leaveHold(world.store, PHONES.one, holdUntil);
      expect(await handler(sqsEvent([{ body: body(PHONES.one, 8) }]), lambdaContext())).toEqual({
        batchItemFailures: [],
      });
      expect(Date.now()).toBeGreaterThanOrEqual(holdUntil);
      expect(status(PHONES.one)).toBe(8);
    });

    it('a hold that outlasts the invocation: 503 UPDATE_IN_PROGRESS, Thulium not called', async () => {
      await leaveHold(world.store, PHONES.one, Date.now() + 60_000);
      const calls = world.simulator.calls.length;
      const answer = await handler(restApiEvent({ body: body(PHONES.one, 8) }), lambdaContext(1_500));
      expect(answer.statusCode).toBe(503);
      expect(JSON.parse(answer.body).error).toMatchObject({ code: 'UPDATE_IN_PROGRESS', retry_after_seconds: 1 });
      expect(world.simulator.calls.length).toBe(calls);
    });

    it('a missing table is a configuration error that names it', async () => {
      const misconfigured = await world.load({ ORDERING_TABLE_NAME: 'no-such-table' });
      const answer = await misconfigured(restApiEvent({ body: body(PHONES.one, 8) }), lambdaContext());
      expect(answer.statusCode).toBe(500);
      expect(JSON.parse(answer.body).error.code).toBe('CONFIGURATION_INVALID');
      expect(
        output.lines.some((line) =>
          line.includes('Cannot use ordering table no-such-table: ResourceNotFoundException'),
        ),
      ).toBe(true);
    });

    // Last of its world: the SDK retries the calls it gave up waiting for, and they land later.
    it('silent: the invocation still answers in time, with 503', async () => {
      store.inject({ type: 'hang' }, 10);
      const started = Date.now();
      const answer = await handler(restApiEvent({ body: body(PHONES.three, 8) }), lambdaContext(1_500));
      expect(answer.statusCode).toBe(503);
      expect(JSON.parse(answer.body).error.code).toBe('ORDERING_STORE_UNAVAILABLE');
      expect(Date.now() - started).toBeLessThan(1_500);
    });
  });
});
