import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
// The package's own `./client` export, as a workload importing this repository resolves it: the built module and its declarations.
import {
  InvalidRequestError,
  parseOutcomeEvent,
  QueueSendError,
  sendStatusUpdate,
  sendStatusUpdates,
  StatusUpdateError,
  updateStatus,
} from 'thulium-outbound-status/client';
import { startIamGateway, type IamGateway } from '../support/iam-gateway.ts';
import { SqsEmulator, type QueuePair } from '../support/sqs-emulator.ts';
import { EventSourceMapping, queueEnvironment } from '../../dev/aws/sqs-event-source.ts';
import { captureOutput, logRecords, PHONES, useWorld, type World } from '../support/world.ts';

/** A workload's view: the helper sends, the function (the built bundle) applies, Thulium's simulator records. */
let emulator: SqsEmulator;
let world: World;
let gateway: IamGateway;
const output = captureOutput();
let queueCount = 0;
const CALLER = { accessKeyId: 'AKIDCALLER', secretAccessKey: 'caller-secret' };

useWorld(output, async (started) => {
  world = started;
  emulator = await SqsEmulator.start();
  world.env.AWS_ENDPOINT_URL_SQS = emulator.endpoint;
  // The helper runs in this process: its own SQS client finds the emulator (and the loopback
  // credentials) the way any SDK client would, from the environment.
  Object.assign(process.env, world.env);
  gateway = await startIamGateway({
    handler: () => world.load(),
    keys: { [CALLER.accessKeyId]: CALLER.secretAccessKey },
    region: 'eu-central-1',
  });
});

afterAll(async () => {
  await gateway.close();
  await emulator.close();
});

const queues = (fifo = false): Promise<QueuePair> =>
  emulator.createQueues({ name: `producer-${++queueCount}`, fifo, maxReceiveCount: 3, visibilityTimeoutSeconds: 2 });

async function runFunction(queue: QueuePair) {
  const mapping = new EventSourceMapping({
    emulator,
    queue,
    newContainer: () => world.load(queueEnvironment(emulator, queue)),
    pollers: 2,
    batchSize: 10,
    functionTimeoutMs: 5_000,
  });
  expect(await mapping.run({ maxMs: 20_000 })).toEqual({ drained: true });
}

describe('sendStatusUpdate and sendStatusUpdates: the queue', () => {
  it('queues one update that the function then applies', async () => {
    const queue = await queues();
    const { messageId } = await sendStatusUpdate(queue.url, { phoneNumber: PHONES.three, statusId: 8 });
    expect(messageId).toMatch(/^[0-9a-f-]{36}$/);
    await runFunction(queue);
    expect(world.simulator.applied).toContainEqual({ phoneNumber: PHONES.three, statusId: 8 });
    expect(await emulator.drain(queue.deadLetter.url)).toEqual([]);
  });

  it('queues a batch to FIFO in batches of ten; each number ends at its last update, applied in the order sent', async () => {
    const queue = await queues(true);
    const updates = Array.from({ length: 25 }, (_, i) => ({
      phoneNumber: i % 2 ? PHONES.three : PHONES.one,
      statusId: [3, 8][i % 4 < 2 ? 0 : 1],
    }));
    const applied = world.simulator.applied.length;
    const { messageIds } = await sendStatusUpdates(queue.url, updates);
    expect(new Set(messageIds).size).toBe(25);
    await runFunction(queue);
    const seen = world.simulator.applied.slice(applied);
    for (const phone of [PHONES.three, PHONES.one]) {
      const sent = updates.filter((u) => u.phoneNumber === phone).map((u) => u.statusId);
      expect(seen.filter((a) => a.phoneNumber === phone).map((a) => a.statusId)).toEqual(sent);
    }
  });

  it("carries the sender's reference; the function echoes it, never to Thulium, and the helper reads its event", async () => {
    const queue = await queues();
    await sendStatusUpdates(queue.url, [
      { phoneNumber: PHONES.three, statusId: 3, reference: 'crm-queue-1' },
      { phoneNumber: PHONES.one, statusId: 8 },
    ]);
    const bodies = (await emulator.peek(queue.url)).map((m) => JSON.parse(m.Body!));
    expect(bodies.map((b) => b.reference).sort()).toEqual(['crm-queue-1', undefined]);
    const calls = world.simulator.calls.length;
    await runFunction(queue);
    expect(world.simulator.calls.slice(calls).filter((c) => c.body.includes('reference'))).toEqual([]);
    const updated = logRecords(output.lines).filter((line) => line.outcome === 'updated');
    expect(updated.filter((line) => line.reference === 'crm-queue-1')).toHaveLength(1);
    // The event as a rule's SQS target would deliver it: the JSON text of the whole event.
    const events = world.aws.events.map((event) => parseOutcomeEvent(JSON.stringify(event)));
    const own = events.filter((event) => event.detail.reference === 'crm-queue-1');
    expect(own.map((event) => [event['detail-type'], event.detail.outcome, event.detail.face])).toEqual([
      ['Status update applied', 'applied', 'queue'],
    ]);
  });

  it('checks every update against the contract before sending any', async () => {
    const queue = await queues();
    const attempt = sendStatusUpdates(queue.url, [
      { phoneNumber: PHONES.three, statusId: 3 },
      { phoneNumber: PHONES.one, statusId: 0 },
    ]);
    await expect(attempt).rejects.toThrow(InvalidRequestError);
    await expect(attempt).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: [{ field: 'updates[1].status_id' }],
    });
    await expect(sendStatusUpdate(queue.url, { phoneNumber: 'call me', statusId: 3 })).rejects.toMatchObject({
      fields: [{ field: 'phone_number' }],
    });
    expect(await emulator.depth(queue.url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('sends again the entries SQS fails without blaming the sender, and reports those it blames', async () => {
    const queue = await queues();
    const sqs = entriesFailing(emulator.client, { '1': 2, '12': 1 }, { '4': 99 });
    const updates = Array.from({ length: 15 }, (_, i) => ({ phoneNumber: PHONES.three, statusId: i % 2 ? 3 : 8 }));
    const attempt = sendStatusUpdates(queue.url, updates, { sqs });
    await expect(attempt).rejects.toThrow(QueueSendError);
    const error = (await attempt.catch((e) => e)) as QueueSendError;
    expect(error.failed).toEqual([
      { index: 4, code: 'InvalidParameterValue', message: 'refused for the test', senderFault: true },
    ]);
    expect(error.sent.map((s) => s.index)).toEqual(updates.map((_, i) => i).filter((i) => i !== 4));
    expect(error.kind).toBe('invalid-request');
    expect((await emulator.depth(queue.url)).visible).toBe(14);
  });
});

describe('updateStatus: HTTP with SigV4', () => {
  it("signs with the credential chain and answers Thulium's outbound ids", async () => {
    withCredentials(CALLER);
    const answer = await updateStatus(
      gateway.url,
      { phoneNumber: PHONES.three, statusId: '3' },
      { region: 'eu-central-1' },
    );
    expect(answer).toEqual({ outbound_id: ['00001', '00002', '00003'] });
    expect(gateway.admitted.at(-1)).toBe(CALLER.accessKeyId);
  });

  it("sends the sender's reference, checked before anything is sent; its event carries it", async () => {
    const options = { region: 'eu-central-1', credentials: CALLER };
    await updateStatus(gateway.url, { phoneNumber: PHONES.three, statusId: 3, reference: 'crm-http-1' }, options);
    expect(JSON.parse(gateway.bodies.at(-1)!).reference).toBe('crm-http-1');
    const own = world.aws.events.map((e) => parseOutcomeEvent(e)).filter((e) => e.detail.reference === 'crm-http-1');
    expect(own.map((e) => [e.detail.outcome, e.detail.face])).toEqual([['applied', 'http']]);
    const admitted = gateway.admitted.length;
    const refused = updateStatus(gateway.url, { phoneNumber: PHONES.three, statusId: 3, reference: '' }, options);
    await expect(refused).rejects.toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ field: 'reference' }] });
    expect(gateway.admitted.length).toBe(admitted);
  });

  it('retries a transient answer, honouring Retry-After, each attempt the same decision (one updated_at)', async () => {
    world.simulator.injectFaults(...Array(4).fill({ type: 'status', status: 503 }));
    const before = gateway.bodies.length;
    const answer = await updateStatus(
      gateway.url,
      { phoneNumber: PHONES.one, statusId: 8 },
      { region: 'eu-central-1', credentials: CALLER, maxAttempts: 3 },
    );
    expect(answer.outbound_id).toEqual(['00001']);
    const attempts = gateway.bodies.slice(before);
    expect(attempts.length).toBeGreaterThan(1);
    expect(new Set(attempts).size).toBe(1);
    expect(JSON.parse(attempts[0]).updated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('ends with a superseded error, not retried, when a newer update for the number stands', async () => {
    const options = { region: 'eu-central-1', credentials: CALLER };
    await updateStatus(gateway.url, { phoneNumber: PHONES.one, statusId: 8 }, options);
    const admitted = gateway.admitted.length;
    const older = { phoneNumber: PHONES.one, statusId: 3, updatedAt: new Date(Date.now() - 60_000) };
    const stale = await updateStatus(gateway.url, older, options).catch((e) => e);
    expect(stale).toMatchObject({ status: 409, code: 'SUPERSEDED', kind: 'superseded' });
    expect(gateway.admitted.length).toBe(admitted + 1);
  });

  it("throws a typed error carrying the contract's code, and does not retry a refusal", async () => {
    const calls = world.simulator.applied.length;
    const refused = await updateStatus(
      gateway.url,
      { phoneNumber: PHONES.three, statusId: 77 },
      { region: 'eu-central-1', credentials: CALLER },
    ).catch((e) => e);
    expect(refused).toBeInstanceOf(StatusUpdateError);
    expect(refused).toMatchObject({
      status: 422,
      code: 'THULIUM_REFUSED',
      kind: 'refused',
      requestId: expect.any(String),
    });
    expect(world.simulator.applied.length).toBe(calls);
  });

  it("is refused by the gateway when the signature is not the caller's", async () => {
    const wrong = await updateStatus(
      gateway.url,
      { phoneNumber: PHONES.three, statusId: 3 },
      {
        region: 'eu-central-1',
        credentials: { ...CALLER, secretAccessKey: 'not-the-secret' },
      },
    ).catch((e) => e);
    expect(wrong).toMatchObject({ status: 403, code: 'INVALID_SIGNATURE', kind: 'configuration' });
  });
});

function withCredentials({ accessKeyId, secretAccessKey }: { accessKeyId: string; secretAccessKey: string }) {
  process.env.AWS_ACCESS_KEY_ID = accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = secretAccessKey;
}

/**
 * The emulator never fails an entry by itself. This client withholds the given entries from the
 * real call and answers them failed as SQS does: `transient[id]` times as InternalError, `blamed`
 * ones as the sender's fault.
 */
function entriesFailing(
  client: SQSClient,
  transient: Record<string, number>,
  blamed: Record<string, number>,
): SQSClient {
  const left = { ...transient };
  const wrapped = Object.create(client) as SQSClient;
  wrapped.send = (async (command: any) => {
    if (command.constructor.name !== 'SendMessageBatchCommand') return client.send(command);
    const entries = command.input.Entries as { Id: string }[];
    const failing = entries.filter((e) => (left[e.Id] ?? 0) > 0 || e.Id in blamed);
    for (const e of failing) if (left[e.Id]) left[e.Id]--;
    const passing = entries.filter((e) => !failing.includes(e));
    const answer: any =
      passing.length > 0
        ? await client.send(new command.constructor({ ...command.input, Entries: passing }))
        : { Successful: [], Failed: [] };
    const failed = failing.map((e) =>
      e.Id in blamed
        ? { Id: e.Id, Code: 'InvalidParameterValue', Message: 'refused for the test', SenderFault: true }
        : { Id: e.Id, Code: 'InternalError', Message: 'try again', SenderFault: false },
    );
    return { ...answer, Failed: [...(answer.Failed ?? []), ...failed] };
  }) as SQSClient['send'];
  return wrapped;
}
