import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SentMessage } from '../../dev/aws/function-calls.ts';
import {
  body,
  captureOutput,
  lambdaContext,
  logRecords,
  PASSWORD,
  PHONES,
  BATCH_PHONES,
  SECRET_ID,
  secretsIn,
  sqsEvent,
  useWorld,
  type Handler,
  type World,
} from '../support/world.ts';

let world: World;
let handler: Handler;
const output = captureOutput();
/** Every dead letter of the file, for the leak scan at the end. */
const deadLetters: SentMessage[] = [];

const attributesOf = (index: number) =>
  Object.fromEntries(
    Object.entries(world.aws.sentMessages[index].MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]),
  );

useWorld(output, async (started) => {
  world = started;
  handler = await world.load({ QUEUE_MAX_RECEIVE_COUNT: '5' });
});

beforeEach(() => {
  world.simulator.calls.length = 0;
  world.aws.sentMessages.length = 0;
  world.aws.visibilityChanges.length = 0;
});

// Runs before the world's reset.
afterEach(async () => {
  deadLetters.push(...world.aws.sentMessages);
  if (world.thuliumLimited()) handler = await world.load({ QUEUE_MAX_RECEIVE_COUNT: '5' });
});

describe('one batch, every outcome', () => {
  it('applies, dead-letters with a reason, or lists for retry, each record exactly once', async () => {
    world.simulator.injectFaultsFor(PHONES.one, ...Array(3).fill({ type: 'status', status: 503 }));
    const event = sqsEvent([
      { body: body(PHONES.three, '8'), messageId: 'ok' },
      { body: '{"phone_number": 501', messageId: 'not-json' },
      { body: body(PHONES.three, '77'), messageId: 'refused' },
      { body: body(PHONES.one, '3'), messageId: 'thulium-down', receiveCount: 2 },
    ]);
    const response = await handler(event, lambdaContext());

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'thulium-down' }] });
    expect(world.simulator.statusOf('00001', PHONES.three)).toBe(8);

    const dead = world.aws.sentMessages;
    expect(dead.map((m) => m.MessageBody).sort()).toEqual(['{"phone_number": 501', body(PHONES.three, '77')].sort());
    expect(dead.every((m) => m.QueueUrl === world.deadLetterQueueUrl)).toBe(true);
    const reasons = Object.fromEntries(dead.map((_, i) => [attributesOf(i).SourceMessageId, attributesOf(i)]));
    expect(reasons['not-json']).toMatchObject({
      ErrorCode: 'MALFORMED_JSON',
      ErrorKind: 'invalid-request',
      ReceiveCount: '1',
    });
    expect(reasons.refused).toMatchObject({
      ErrorCode: 'THULIUM_REFUSED',
      ThuliumRequestId: expect.stringMatching(/^sim-/),
      ErrorMessage: expect.stringContaining('Status 77 does not exist'),
    });

    expect(world.aws.visibilityChanges).toHaveLength(1);
    const [change] = world.aws.visibilityChanges;
    expect(change.ReceiptHandle).toBe('receipt-thulium-down');
    expect(change.QueueUrl).toBe('https://sqs.eu-central-1.amazonaws.com/123456789012/outbound-status');
    // receive 2: base 30 s doubled once, jittered in its upper half
    expect(change.VisibilityTimeout).toBeGreaterThanOrEqual(30);
    expect(change.VisibilityTimeout).toBeLessThanOrEqual(60);
  });

  it('logs at ERROR only what needs a person: WARN for a retry and for the sender’s mistakes', async () => {
    world.simulator.injectFaultsFor(PHONES.one, ...Array(6).fill({ type: 'status', status: 503 }));
    const first = output.lines.length;
    await handler(
      sqsEvent([
        { body: body(PHONES.three, '8'), messageId: 'applied' },
        { body: 'not json', messageId: 'malformed' },
        { body: body(PHONES.one, '3'), messageId: 'retried', receiveCount: 1 },
        { body: body(PHONES.one, '3'), messageId: 'given-up', receiveCount: 5 },
      ]),
      lambdaContext(),
    );
    world.setPassword('rotated-in-thulium-but-not-in-the-secret', { thulium: true, secret: false });
    await handler(sqsEvent([{ body: body(PHONES.three, '3'), messageId: 'rejected' }]), lambdaContext());
    const levels = Object.fromEntries(
      logRecords(output.lines.slice(first))
        .filter((line) => line.outcome !== undefined)
        .map((line) => [line.correlation_id, `${line.level} ${line.outcome}`]),
    );
    expect(levels).toEqual({
      applied: 'INFO updated',
      malformed: 'WARN dead-lettered',
      retried: 'WARN retry-scheduled',
      'given-up': 'ERROR dead-lettered',
      rejected: 'ERROR retry-scheduled',
    });
  });

  it('lists every record, without throwing, when the whole batch fails transiently', async () => {
    world.simulator.injectFaults(...Array(6).fill({ type: 'reset' }));
    const event = sqsEvent([{ body: body(PHONES.three, '3') }, { body: body(PHONES.one, '3') }]);
    const response = await handler(event, lambdaContext());
    expect(response.batchItemFailures.map((f: { itemIdentifier: string }) => f.itemIdentifier).sort()).toEqual(
      event.Records.map((r) => r.messageId).sort(),
    );
    expect(world.aws.sentMessages).toHaveLength(0);
  });

  it('answers an empty list when every record succeeds', async () => {
    const event = sqsEvent([{ body: body(PHONES.three, 3) }, { body: body(PHONES.one, 8) }]);
    expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] });
  });
});

describe('nothing is ever dropped', () => {
  it('lists a hopeless record when moving it to the DLQ fails', async () => {
    world.aws.fail('AmazonSQS.SendMessage', 10);
    const event = sqsEvent([
      { body: 'garbage', messageId: 'stuck' },
      { body: body(PHONES.three, 3), messageId: 'fine' },
    ]);
    const response = await handler(event, lambdaContext());
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'stuck' }] });
  });

  it('on its last receive, moves a transient failure to the DLQ itself, with the reason', async () => {
    world.simulator.injectFaultsFor(PHONES.one, ...Array(3).fill({ type: 'rate-limit', retryAfterSeconds: 0 }));
    const event = sqsEvent([{ body: body(PHONES.one, 3), messageId: 'last-try', receiveCount: 5 }]);
    const response = await handler(event, lambdaContext());
    expect(response).toEqual({ batchItemFailures: [] });
    expect(world.aws.sentMessages).toHaveLength(1);
    expect(attributesOf(0)).toMatchObject({
      ErrorCode: 'THULIUM_RATE_LIMITED',
      ErrorKind: 'transient',
      ReceiveCount: '5',
    });
  });

  it('keeps a transient failure on the queue, and the visibility back-off grows with the receive count', async () => {
    const visibilityFor = async (receiveCount: number) => {
      world.simulator.injectFaultsFor(PHONES.one, ...Array(3).fill({ type: 'status', status: 500 }));
      world.aws.visibilityChanges.length = 0;
      const response = await handler(sqsEvent([{ body: body(PHONES.one, 3), receiveCount }]), lambdaContext());
      expect(response.batchItemFailures).toHaveLength(1);
      return world.aws.visibilityChanges[0].VisibilityTimeout;
    };
    const first = await visibilityFor(1);
    const fourth = await visibilityFor(4);
    expect(first).toBeLessThanOrEqual(30);
    expect(fourth).toBeGreaterThanOrEqual(120);
    expect(world.aws.sentMessages).toHaveLength(0);
  });

  it('leaves records it had no time to start for their next delivery, untried and without back-off', async () => {
    const event = sqsEvent([{ body: body(PHONES.three, 3), messageId: 'late', receiveCount: 2 }]);
    const response = await handler(event, lambdaContext(200));
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'late' }] });
    expect(world.simulator.calls).toHaveLength(0);
    expect(world.aws.sentMessages).toHaveLength(0);
    expect(world.aws.visibilityChanges).toHaveLength(0);
  });

  it('on the last delivery, dead-letters a record it had no time to start, with that reason', async () => {
    const event = sqsEvent([{ body: body(PHONES.three, 3), messageId: 'late', receiveCount: 5 }]);
    expect(await handler(event, lambdaContext(300))).toEqual({ batchItemFailures: [] });
    expect(world.simulator.calls).toHaveLength(0);
    expect(attributesOf(0)).toMatchObject({ ErrorCode: 'DEADLINE_EXCEEDED', SourceMessageId: 'late' });
  });

  it('lists hopeless records when DEAD_LETTER_QUEUE_URL is not set', async () => {
    const withoutDlq = await world.load({ DEAD_LETTER_QUEUE_URL: undefined });
    const response = await withoutDlq(sqsEvent([{ body: 'not json', messageId: 'kept' }]), lambdaContext());
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'kept' }] });
  });

  it('fails the whole invocation, deleting nothing, when the environment is invalid', async () => {
    const broken = await world.load({ THULIUM_BASE_URL: 'not a url' });
    await expect(broken(sqsEvent([{ body: body(PHONES.three, 3) }]), lambdaContext())).rejects.toThrow(
      /THULIUM_BASE_URL/,
    );
    expect(world.simulator.calls).toHaveLength(0);
  });

  it("keeps the sender's own message attributes on a dead letter, beside the reason", async () => {
    await handler(sqsEvent([{ body: 'not json' }]), lambdaContext());
    const sent = world.aws.sentMessages[0].MessageAttributes ?? {};
    // Seven reason attributes (no Thulium request id here) and the version leave room for two of the sender's three.
    expect(Object.keys(sent)).toHaveLength(10);
    expect(sent.Attribute3).toEqual({ DataType: 'Binary', BinaryValue: 'MTEwMA==' });
    expect(sent.ErrorCode.StringValue).toBe('MALFORMED_JSON');
    expect(sent.UpdateVersion.StringValue).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('replaces every reason attribute of a dead letter moved back and dead-lettered again', async () => {
    world.simulator.injectFaultsFor(
      PHONES.one,
      ...Array(3).fill({ type: 'status', status: 502, body: '<html>Bad Gateway</html>' }),
    );
    const old = (stringValue: string) => ({ dataType: 'String', stringValue });
    const messageAttributes = {
      ErrorCode: old('THULIUM_UNAVAILABLE'),
      ErrorMessage: old('Thulium answered HTTP 503'),
      ThuliumRequestId: old('sim-earlier-503'),
      FailedAt: old('2026-11-30T10:00:00.000Z'),
      Origin: old('billing'),
    };
    const event = sqsEvent([{ body: body(PHONES.one, 3), receiveCount: 5, messageAttributes }]);
    await handler(event, lambdaContext());
    const attributes = attributesOf(0);
    expect(attributes.ErrorMessage).toMatch(/502/);
    expect(attributes).not.toHaveProperty('ThuliumRequestId');
    expect(attributes.FailedAt).not.toBe('2026-11-30T10:00:00.000Z');
    expect(attributes.Origin).toBe('billing');
  });

  it('keeps a Thulium message with control characters from making the DLQ refuse the reason', async () => {
    world.simulator.injectFaultsFor(PHONES.one, {
      type: 'status',
      status: 400,
      body: JSON.stringify({ request_id: 'r2', errors: [{ message: 'bad\u0000status\u001b 😀'.repeat(200) }] }),
    });
    await handler(sqsEvent([{ body: body(PHONES.one, 3) }]), lambdaContext());
    const message = attributesOf(0).ErrorMessage ?? '';
    expect(message).toMatch(/^Thulium refused the update \(HTTP 400\): bad\?status\? 😀/);
    expect(message).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    expect(message.isWellFormed()).toBe(true);
    expect(Array.from(message).length).toBeLessThanOrEqual(1000);
  });

  it('still lists a failed record when extending its visibility fails', async () => {
    world.aws.fail('AmazonSQS.ChangeMessageVisibility', 10);
    world.simulator.injectFaultsFor(PHONES.one, ...Array(3).fill({ type: 'status', status: 503 }));
    const response = await handler(sqsEvent([{ body: body(PHONES.one, 3), messageId: 'm' }]), lambdaContext());
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm' }] });
  });

  it('retries, rather than dead-letters, when the credentials are rejected', async () => {
    world.setPassword('rotated-in-thulium-but-not-in-the-secret', { thulium: true, secret: false });
    const response = await handler(sqsEvent([{ body: body(PHONES.one, 3), messageId: 'auth' }]), lambdaContext());
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'auth' }] });
    expect(world.aws.sentMessages).toHaveLength(0);
  });

  it('retries the whole batch when Secrets Manager is down on a cold start', async () => {
    const cold = await world.load();
    world.aws.fail('secretsmanager.GetSecretValue', 20);
    const event = sqsEvent([{ body: body(PHONES.one, 3) }, { body: body(PHONES.three, 3) }]);
    const response = await cold(event, lambdaContext());
    expect(response.batchItemFailures).toHaveLength(2);
    expect(world.simulator.calls).toHaveLength(0);
  });
});

describe('concurrency', () => {
  it('processes a batch of 10 numbers concurrently, with one secret read and up to 10 connections', async () => {
    const cold = await world.load();
    world.simulator.latencyMs = 300;
    const reads = world.aws.readsOf(SECRET_ID);
    const connections = world.simulator.connectionCount;
    const event = sqsEvent(BATCH_PHONES.map((phone) => ({ body: body(phone, 3) })));
    // A cold container starts with one call in flight and adds one per call accepted: 1, 2, 4 (5 when answers straggle), then the rest.
    world.simulator.maxInFlight = 0;
    expect(await cold(event, lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(world.simulator.maxInFlight).toBeGreaterThanOrEqual(4);
    expect(world.simulator.maxInFlight).toBeLessThan(10);
    world.simulator.maxInFlight = 0;
    expect(await cold(event, lambdaContext())).toEqual({ batchItemFailures: [] });
    world.simulator.latencyMs = 0;
    expect(world.simulator.maxInFlight).toBe(10);
    expect(world.simulator.connectionCount - connections).toBeLessThanOrEqual(10);
    expect(world.aws.readsOf(SECRET_ID)).toBe(reads + 1);
  });

  it('at a tenant that accepts 5 calls a second, learns the limit from the first batch and meets no 429 in the next', async () => {
    const container = await world.load();
    const batch = (status: number) => sqsEvent(BATCH_PHONES.map((phone) => ({ body: body(phone, status) })));
    expect(await container(batch(3), lambdaContext())).toEqual({ batchItemFailures: [] });
    // A second apart: what the first 429 measures is what the limited tenant accepted, not this batch.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    world.simulator.calls.length = 0;
    world.simulator.rateLimit = { callsPerSecond: 5 };
    try {
      expect(await container(batch(8), lambdaContext())).toEqual({ batchItemFailures: [] });
      const first = world.simulator.calls.filter((c) => c.status === 429).length;
      // The calls in flight when the bucket ran dry, and no more: the others waited for the pause.
      expect(first).toBeGreaterThan(0);
      expect(first).toBeLessThanOrEqual(5);
      world.simulator.calls.length = 0;
      expect(await container(batch(3), lambdaContext())).toEqual({ batchItemFailures: [] });
      expect(world.simulator.calls.map((c) => c.status)).toEqual(Array(10).fill(200));
    } finally {
      world.simulator.rateLimit = undefined;
    }
    expect(world.simulator.applied.slice(-10).map((a) => a.statusId)).toEqual(Array(10).fill(3));
  });

  it('re-reads a rotated secret once for a whole batch that meets 401s together', async () => {
    const warm = await world.load();
    expect(await warm(sqsEvent([{ body: body(PHONES.three, 3) }]), lambdaContext())).toEqual({ batchItemFailures: [] });
    const reads = world.aws.readsOf(SECRET_ID);
    world.setPassword(`${PASSWORD}-v2`);
    world.simulator.latencyMs = 20;
    const event = sqsEvent(Array.from({ length: 10 }, () => ({ body: body(PHONES.one, 8) })));
    const response = await warm(event, lambdaContext());
    expect(response).toEqual({ batchItemFailures: [] });
    expect(world.aws.readsOf(SECRET_ID)).toBe(reads + 1);
  });

  it('bounds concurrency with QUEUE_CONCURRENCY', async () => {
    const bounded = await world.load({ QUEUE_CONCURRENCY: '3' });
    world.simulator.latencyMs = 150;
    world.simulator.maxInFlight = 0;
    const event = sqsEvent(BATCH_PHONES.map((phone) => ({ body: body(phone, 3) })));
    expect(await bounded(event, lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(world.simulator.maxInFlight).toBe(3);
  });
});

describe('FIFO queues', () => {
  it('keeps order: after a failure, the rest of that message group is listed untried; other groups go on', async () => {
    world.simulator.injectFaultsFor(PHONES.one, ...Array(3).fill({ type: 'status', status: 503 }));
    const event = sqsEvent(
      [
        { body: body(PHONES.one, 3), messageId: 'a1', messageGroupId: PHONES.one },
        { body: body(PHONES.one, 8), messageId: 'a2', messageGroupId: PHONES.one },
        { body: body(PHONES.three, 8), messageId: 'b1', messageGroupId: PHONES.three },
      ],
      'outbound-status.fifo',
    );
    const response = await handler(event, lambdaContext());
    expect(response.batchItemFailures.map((f: { itemIdentifier: string }) => f.itemIdentifier)).toEqual(['a1', 'a2']);
    const tried = world.simulator.calls.map((c) => JSON.parse(c.body).status_id);
    expect(tried).toEqual(['3', '3', '3', '8']);
  });

  it('sends a dead letter to a FIFO DLQ with its group and a deduplication id', async () => {
    const fifo = await world.load({ DEAD_LETTER_QUEUE_URL: world.aws.queueUrl('outbound-status-dlq.fifo') });
    const event = sqsEvent([{ body: 'nope', messageId: 'x1', messageGroupId: 'g' }], 'outbound-status.fifo');
    expect(await fifo(event, lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(world.aws.sentMessages[0]).toMatchObject({
      MessageGroupId: 'g',
      MessageDeduplicationId: 'x1-1',
      MessageBody: 'nope',
    });
    handler = await world.load({ QUEUE_MAX_RECEIVE_COUNT: '5' });
  });
});

describe('logs', () => {
  it('logs one line per record with the SQS message id as correlation id', async () => {
    const event = sqsEvent([
      { body: body(PHONES.three, 3), messageId: 'corr-1' },
      { body: '{}', messageId: 'corr-2' },
    ]);
    await handler(event, lambdaContext());
    const lines = logRecords(output.lines);
    expect(lines.filter((l) => l.correlation_id === 'corr-1')).toMatchObject([{ outcome: 'updated', face: 'queue' }]);
    expect(lines.filter((l) => l.correlation_id === 'corr-2')).toMatchObject([
      { outcome: 'dead-lettered', error: { code: 'VALIDATION_FAILED' } },
    ]);
  });

  it('never logs the password, the Authorization value or a full phone number, nor puts them in DLQ attributes', async () => {
    world.simulator.injectFaultsFor(PHONES.one, {
      type: 'status',
      status: 400,
      body: JSON.stringify({ request_id: 'r1', errors: [{ message: `Phone ${PHONES.one} is blocked`, code: 9 }] }),
    });
    await handler(sqsEvent([{ body: body(PHONES.one, 3) }]), lambdaContext());
    expect(attributesOf(0).ErrorMessage).toContain('******678');
    const attributes = [...deadLetters, ...world.aws.sentMessages].map((m) => JSON.stringify(m.MessageAttributes));
    expect(attributes.length).toBeGreaterThan(5);
    expect(secretsIn(attributes.join('\n'))).toEqual([]);
    expect(logRecords(output.lines).length).toBeGreaterThan(30);
    expect(secretsIn(output.lines.join('\n'))).toEqual([]);
  });
});
