import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { numberHash, numberKeyOf } from '../../functions/outbound-status/adapters/number-key.ts';
import { OutcomeEvent } from '../../functions/outbound-status/faces/outcome-event.ts';
import {
  BATCH_PHONES,
  captureOutput,
  eventBridgeEvent,
  lambdaContext,
  logRecords,
  ORDERING_KEY,
  PHONES,
  restApiEvent,
  sqsEvent,
  useWorld,
  type Handler,
  type World,
} from '../support/world.ts';

/** Every final outcome, through the built bundle, as the loopback EventBridge received it. */
let world: World;
let handler: Handler;
const output = captureOutput();

useWorld(output, async (started) => {
  world = started;
  handler = await world.load();
});

beforeEach(() => {
  world.aws.putEventsCalls.length = 0;
  world.aws.events.length = 0;
});

const keyOf = (phone: string) => numberKeyOf(numberHash(Buffer.from(ORDERING_KEY, 'utf8'), phone));
const update = (phone: string, status: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ phone_number: phone, status_id: status, ...extra });
/** The events accepted, each checked against the published schema. */
const events = () => world.aws.events.map((event) => OutcomeEvent.parse(event));
const eventOf = (correlationId: string) => events().find((e) => e.detail.correlation_id === correlationId);

describe('outcome events', () => {
  it('a queue batch: applied, superseded, dead-lettered (refused and unreadable), wrapped; no event for a retry', async () => {
    world.simulator.injectFaultsFor(PHONES.one, ...Array(3).fill({ type: 'status', status: 503 }));
    const sent = Date.now();
    const response = await handler(
      sqsEvent([
        { body: update(PHONES.three, 8, { reference: 'crm-1' }), messageId: 'applied' },
        { body: update(PHONES.three, 77, { reference: 'crm-2' }), messageId: 'refused' },
        { body: update('not a number', 3, { reference: 'crm-3' }), messageId: 'invalid' },
        {
          body: JSON.stringify(eventBridgeEvent({ phone_number: BATCH_PHONES[0], status_id: 3 })),
          messageId: 'wrapped',
        },
        { body: update(PHONES.one, 3), messageId: 'retry' },
      ]),
      lambdaContext(),
    );
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'retry' }] });
    expect(world.aws.putEventsCalls).toHaveLength(1);
    // After the batch, so the newer update of the number has surely applied.
    const older = update(PHONES.three, 3, { updated_at: new Date(sent - 60_000).toISOString() });
    await handler(sqsEvent([{ body: older, messageId: 'older' }]), lambdaContext());
    expect(
      events()
        .map((e) => e.detail.correlation_id)
        .sort(),
    ).toEqual(['applied', 'older', 'refused', 'invalid', 'wrapped'].sort());

    expect(eventOf('applied')).toMatchObject({
      source: 'thulium.outbound-status',
      'detail-type': 'Status update applied',
      detail: {
        outcome: 'applied',
        face: 'queue',
        reference: 'crm-1',
        number_key: keyOf(PHONES.three),
        phone_number: '******567',
        status_id: '8',
        version_source: 'sqs',
        outbound_id: ['00001', '00002'],
      },
    });
    expect(eventOf('older')?.detail).toMatchObject({ outcome: 'superseded', version_source: 'updated_at' });
    expect(eventOf('older')?.detail.applied_version).toEqual(expect.any(String));
    expect(eventOf('refused')).toMatchObject({
      'detail-type': 'Status update dead-lettered',
      detail: { reference: 'crm-2', error: { code: 'THULIUM_REFUSED', kind: 'refused' } },
    });
    // Unreadable for its number, yet its sender's reference still finds it.
    expect(eventOf('invalid')?.detail).toMatchObject({ reference: 'crm-3', error: { code: 'VALIDATION_FAILED' } });
    expect(eventOf('invalid')?.detail.phone_number).toBeUndefined();
    expect(eventOf('wrapped')?.detail).toMatchObject({
      envelope: 'eventbridge',
      envelope_origin: 'crm.leads',
      version_source: 'eventbridge',
    });
  });

  it('HTTP: an applied update publishes before the answer; an error answer publishes nothing', async () => {
    const ok = restApiEvent({ body: update(PHONES.one, 3, { reference: 'web-7' }) });
    expect((await handler(ok, lambdaContext())).statusCode).toBe(200);
    expect(eventOf(ok.requestContext.requestId)?.detail).toMatchObject({
      outcome: 'applied',
      face: 'http',
      reference: 'web-7',
      version_source: 'api-gateway',
      number_key: keyOf(PHONES.one),
    });
    const refused = restApiEvent({ body: update(PHONES.one, 77) });
    expect((await handler(refused, lambdaContext())).statusCode).toBe(422);
    expect(eventOf(refused.requestContext.requestId)).toBeUndefined();
  });

  it("the log line and the number's item say the same as the event; the reference masks a digit run", async () => {
    const ok = restApiEvent({ body: update(PHONES.one, 8, { reference: `crm-${PHONES.additional}` }) });
    await handler(ok, lambdaContext());
    const line = logRecords(output.lines).find((r) => r.correlation_id === ok.requestContext.requestId);
    expect(line).toMatchObject({ reference: 'crm-******789', number_key: keyOf(PHONES.one) });
    expect(eventOf(ok.requestContext.requestId)?.detail.reference).toBe('crm-******789');
    const hash = numberHash(Buffer.from(ORDERING_KEY, 'utf8'), PHONES.one);
    const { Item } = await world.store.client.send(
      new GetItemCommand({ TableName: world.store.tableName, Key: { number_hash: { S: hash } } }),
    );
    expect(Item).toMatchObject({
      applied_status_id: { S: '8' },
      applied_face: { S: 'http' },
      applied_correlation_id: { S: ok.requestContext.requestId },
      applied_reference: { S: 'crm-******789' },
      applied_at: { N: expect.stringMatching(/^\d{13}$/) },
    });
  });

  it('a dead letter carries the reference among its attributes', async () => {
    world.aws.sentMessages.length = 0;
    await handler(sqsEvent([{ body: update(PHONES.three, 77, { reference: 'crm-9' }) }]), lambdaContext());
    expect(world.aws.sentMessages[0].MessageAttributes?.UpdateReference).toEqual({
      DataType: 'String',
      StringValue: 'crm-9',
    });
  });

  it('ten outcomes cost one PutEvents call', async () => {
    const records = BATCH_PHONES.map((phone) => ({ body: update(phone, 3) }));
    await handler(sqsEvent(records), lambdaContext());
    expect(world.aws.putEventsCalls.map((c) => c.Entries.length)).toEqual([10]);
  });

  it('a PutEvents that partly fails is retried for the failed entries; outcomes unchanged', async () => {
    world.aws.failEntries(2);
    const records = BATCH_PHONES.slice(0, 4).map((phone) => ({ body: update(phone, 8) }));
    expect(await handler(sqsEvent(records), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(world.aws.putEventsCalls.map((c) => c.Entries.length)).toEqual([4, 2]);
    expect(events()).toHaveLength(4);
  });

  it('a PutEvents that keeps failing: outcomes stand, WARN with the correlation ids, counted', async () => {
    world.aws.fail('AWSEvents.PutEvents', 100, 500);
    const linesBefore = output.lines.length;
    const event = sqsEvent([{ body: update(BATCH_PHONES[1], 3), messageId: 'lost-event' }]);
    expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(world.simulator.statusOf('00002', BATCH_PHONES[1])).toBe(3);
    const lines = logRecords(output.lines.slice(linesBefore));
    expect(lines.find((r) => r.message === 'outcome events not published')).toMatchObject({
      level: 'WARN',
      count: 1,
      events: [{ correlation_id: 'lost-event', detail_type: 'Status update applied' }],
    });
    const emf = output.lines.slice(linesBefore).find((l) => l.includes('"OutcomeEventsFailed"'));
    expect(JSON.parse(emf!).OutcomeEventsFailed).toBe(1);
  });

  it.each([
    ['unset', undefined],
    ['none', 'none'],
  ])('bus %s: no PutEvents', async (_, bus) => {
    const quiet = await world.load({ OUTCOME_EVENT_BUS: bus });
    await quiet(sqsEvent([{ body: update(BATCH_PHONES[2], 3) }]), lambdaContext());
    expect(world.aws.putEventsCalls).toEqual([]);
  });

  it('HTTP: an update older than the one applied is answered 409 and published as superseded', async () => {
    const older = restApiEvent({ body: update(BATCH_PHONES[3], 3) });
    await handler(restApiEvent({ body: update(BATCH_PHONES[3], 8) }), lambdaContext());
    expect((await handler(older, lambdaContext())).statusCode).toBe(409);
    expect(eventOf(older.requestContext.requestId)).toMatchObject({
      'detail-type': 'Status update superseded',
      detail: { outcome: 'superseded', face: 'http', applied_version: expect.any(String) },
    });
  });

  it('a transient failure on its last delivery is dead-lettered and published so; before it, nothing', async () => {
    world.simulator.injectFaultsFor(BATCH_PHONES[4], ...Array(6).fill({ type: 'status', status: 503 }));
    await handler(
      sqsEvent([{ body: update(BATCH_PHONES[4], 3), messageId: 'early', receiveCount: 1 }]),
      lambdaContext(),
    );
    expect(eventOf('early')).toBeUndefined();
    await handler(
      sqsEvent([{ body: update(BATCH_PHONES[4], 3), messageId: 'last', receiveCount: 5 }]),
      lambdaContext(),
    );
    expect(eventOf('last')?.detail).toMatchObject({
      outcome: 'dead-lettered',
      error: { code: 'THULIUM_UNAVAILABLE', kind: 'transient' },
    });
  });
});
