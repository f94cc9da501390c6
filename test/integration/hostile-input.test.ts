import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isObject, unsupportedEvent } from '../support/foreign-events.ts';
import { hostileBody, isPlainKey, MAX_BODY_BYTES, requestText } from '../support/hostile-bodies.ts';
import { hostileRequest, isBase64, type HostileRequest, type HttpCode } from '../support/hostile-requests.ts';
import { expose } from '../support/leaks.ts';
import {
  captureOutput,
  httpApiEvent,
  lambdaContext,
  logRecords,
  PHONES,
  restApiEvent,
  secretsIn,
  sqsEvent,
  useWorld,
  type Handler,
  type World,
} from '../support/world.ts';

/** Fixed, so a failure found once is found again; change it to explore other inputs. */
const SEED = 20_260_611;
/** A log line longer than this echoes something it should not. */
const MAX_LOG_LINE = 4096;

let world: World;
let handler: Handler;
const output = captureOutput();
// The world registers every answer for the suite's leak guard itself, but only the dead letters it
// still holds at each reset: the runs below clear theirs, so they register them here.
const answers: string[] = [];
const deadLetterAttributes = expose<string[]>([]);
const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

useWorld(output, async (started) => {
  world = started;
  handler = await world.load();
});

// ---------------------------------------------------------------------------------------------
// The HTTP face: hostile bodies in every way API Gateway can hand them over.
// ---------------------------------------------------------------------------------------------

const STATUS: Record<HttpCode, number> = {
  MALFORMED_JSON: 400,
  VALIDATION_FAILED: 400,
  MALFORMED_BODY: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
};

/** How each message names its problem; VALIDATION_FAILED names its fields instead. */
const MESSAGE: Record<Exclude<HttpCode, 'VALIDATION_FAILED'>, RegExp> = {
  MALFORMED_JSON: /JSON/,
  MALFORMED_BODY: /base64/,
  PAYLOAD_TOO_LARGE: new RegExp(`limit\\D+${MAX_BODY_BYTES} bytes`),
  UNSUPPORTED_MEDIA_TYPE: /Content-Type/,
};

/** Lines the invocation wrote: bounded, and never the body itself. */
function expectQuietLogs(lines: string[], bodies: string[]) {
  const echoes = bodies.filter((b) => b.length >= 64).flatMap((b) => [b, JSON.stringify(b).slice(1, -1)]);
  for (const line of lines) {
    expect(line.length).toBeLessThanOrEqual(MAX_LOG_LINE);
    for (const echo of echoes) expect(line.includes(echo), 'a log line echoes the body').toBe(false);
  }
}

interface FieldProblem {
  field: string;
  message: string;
}

function expectFieldsNamed(error: { message: string; fields?: FieldProblem[] }, request: HostileRequest) {
  const fields = error.fields ?? [];
  expect(fields.length).toBeGreaterThan(0);
  expect(fields.length).toBeLessThanOrEqual(20);
  for (const { field, message } of fields) {
    // Field names come from the caller: bounded and free of control characters.
    expect([...field].length).toBeLessThanOrEqual(65);
    expect(field).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(message).toMatch(/\S/);
    expect(error.message).toContain(`${field} ${message}`);
  }
  const names = fields.map((f) => f.field);
  if (request.onlyThese) expect([...names].sort()).toEqual([...request.fields].sort());
  else expect(names).toEqual(expect.arrayContaining(request.fields));
}

async function invokeHttp(event: any, request: HostileRequest) {
  const before = output.lines.length;
  const result = await handler(event, lambdaContext());
  answers.push(JSON.stringify(result));
  const lines = output.lines.slice(before);
  const requestId: string = event.requestContext.requestId;

  expect(result.statusCode).toBe(STATUS[request.code]);
  expect(result.headers['content-type']).toBe('application/json');
  const { error } = JSON.parse(result.body);
  expect(error.code).toBe(request.code);
  expect(error.request_id).toBe(requestId);
  expect(typeof error.message).toBe('string');
  if (request.code === 'VALIDATION_FAILED') expectFieldsNamed(error, request);
  else {
    expect(error.message).toMatch(MESSAGE[request.code]);
    expect(error.fields).toBeUndefined();
  }

  const decoded =
    request.isBase64Encoded && request.body && isBase64(request.body)
      ? Buffer.from(request.body, 'base64').toString()
      : '';
  expectQuietLogs(lines, [request.body ?? '', decoded]);
  const outcome = logRecords(lines).filter((r) => r.correlation_id === requestId);
  expect(outcome).toMatchObject([
    { outcome: 'answered-error', face: 'http', error: { code: request.code, kind: 'invalid-request' } },
  ]);
  return { status: result.statusCode, error: { ...error, request_id: undefined } };
}

describe('HTTP face: hostile bodies', () => {
  it('answers each with a documented 4xx that names the problem, never calling Thulium, on both payload formats', async () => {
    await fc.assert(
      fc.asyncProperty(hostileRequest, async (request) => {
        world.simulator.calls.length = 0;
        const options = {
          body: request.body,
          contentType: request.contentType,
          isBase64Encoded: request.isBase64Encoded,
        };
        const rest = await invokeHttp(restApiEvent(options), request);
        const http = await invokeHttp(httpApiEvent(options), request);
        expect(http).toEqual(rest);
        expect(world.simulator.calls).toHaveLength(0);
        expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
      }),
      { numRuns: 1500, seed: SEED },
    );
  }, 60_000);

  // Cut on UTF-16 units, a long key would end in half an emoji, which strict JSON parsers refuse.
  it('names a long non-ASCII unknown key in well-formed Unicode', async () => {
    const key = `a${'😀'.repeat(40)}`;
    const result = await handler(
      restApiEvent({ body: `{"phone_number":"1","status_id":3,${JSON.stringify(key)}:1}` }),
      lambdaContext(),
    );
    answers.push(JSON.stringify(result));
    const [problem] = JSON.parse(result.body).error.fields;
    expect(problem.field.startsWith('a😀')).toBe(true);
    expect(problem.field.isWellFormed()).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// The queue face: the same bodies in a batch, beside valid records that must still apply.
// ---------------------------------------------------------------------------------------------

/** SQS carries only these characters, and never an empty body. */
const sqsCanCarry = (body: string) => /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]+$/u.test(body);

const validUpdate = fc.record({
  phone: fc.constantFrom(PHONES.three, PHONES.one),
  status: fc.constantFrom('3', '8'),
  asNumbers: fc.boolean(),
});

const hostileRecord = fc.tuple(
  hostileBody.filter((b) => sqsCanCarry(b.body)),
  fc.integer({ min: 1, max: 6 }), // receive count: the last delivery and beyond are no different
);

const hostileBatch = fc.record({
  hostile: fc.array(hostileRecord, { minLength: 1, maxLength: 8 }),
  valid: fc.array(fc.tuple(validUpdate, fc.nat()), { minLength: 1, maxLength: 2 }),
  fifo: fc.boolean(),
});

describe('queue face: hostile records', () => {
  it('dead-letters each with its reason and the body unchanged, and still applies the valid records of the batch', async () => {
    await fc.assert(
      fc.asyncProperty(hostileBatch, async (batch) => {
        world.simulator.calls.length = 0;
        world.aws.sentMessages.length = 0;
        const records = batch.hostile.map(([b, receiveCount], i) => ({
          messageId: `hostile-${i}`,
          body: b.body,
          receiveCount,
        }));
        const applied = batch.valid.map(([{ phone, status, asNumbers }, at], i) => {
          const body = asNumbers ? requestText(phone, status) : requestText(`"${phone}"`, `"${status}"`);
          records.splice(at % (records.length + 1), 0, { messageId: `valid-${i}`, body, receiveCount: 1 });
          return { phone_number: phone, status_id: status };
        });
        // One FIFO group for all: a dead-lettered record must not hold back the records after it.
        const event = batch.fifo
          ? sqsEvent(
              records.map((r) => ({ ...r, messageGroupId: 'one-group' })),
              'outbound-status.fifo',
            )
          : sqsEvent(records);

        const before = output.lines.length;
        const response = await handler(event, lambdaContext());
        const lines = output.lines.slice(before);
        deadLetterAttributes.push(...world.aws.sentMessages.map((m) => JSON.stringify(m.MessageAttributes)));

        expect(response).toEqual({ batchItemFailures: [] });
        const sent = new Map(world.aws.sentMessages.map((m) => [m.MessageAttributes?.SourceMessageId?.StringValue, m]));
        expect(world.aws.sentMessages).toHaveLength(batch.hostile.length);
        batch.hostile.forEach(([b, receiveCount], i) => {
          const message = sent.get(`hostile-${i}`);
          expect(message?.QueueUrl).toBe(world.deadLetterQueueUrl);
          expect(message?.MessageBody).toBe(b.body);
          const attributes = Object.fromEntries(
            Object.entries(message?.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]),
          );
          expect(attributes).toMatchObject({
            ErrorCode: b.code,
            ErrorKind: 'invalid-request',
            ErrorMessage: expect.stringMatching(/\S/),
            ReceiveCount: String(receiveCount),
          });
          for (const field of b.fields.filter(isPlainKey)) expect(attributes.ErrorMessage).toContain(field);
        });

        const calls = world.simulator.calls.map((c) => ({ request: JSON.parse(c.body), status: c.status }));
        const byKey = (u: { phone_number: string; status_id: string }) => `${u.phone_number}:${u.status_id}`;
        expect(calls.map((c) => byKey(c.request)).sort()).toEqual(applied.map(byKey).sort());
        expect(calls.every((c) => c.status === 200)).toBe(true);

        const logged = logRecords(lines);
        for (const { messageId } of records) {
          const outcome = messageId.startsWith('valid') ? 'updated' : 'dead-lettered';
          expect(logged.filter((r) => r.correlation_id === messageId)).toMatchObject([{ outcome, face: 'queue' }]);
        }
        expectQuietLogs(
          lines,
          batch.hostile.map(([b]) => b.body),
        );
      }),
      { numRuns: 300, seed: SEED },
    );
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------
// Events from neither trigger.
// ---------------------------------------------------------------------------------------------

describe('events from neither trigger', () => {
  it('are refused with an "Unsupported event" error, logged once without their content, and Thulium is not called', async () => {
    await fc.assert(
      fc.asyncProperty(unsupportedEvent, async (event) => {
        world.simulator.calls.length = 0;
        const awsCalls = world.aws.calls.length;
        const before = output.lines.length;
        const failure = await handler(event, lambdaContext()).then(
          (result) => ({ resolved: result }),
          (error: unknown) => error,
        );
        const lines = output.lines.slice(before);

        expect(failure).toBeInstanceOf(Error);
        expect((failure as Error).message).toMatch(/^Unsupported event/);
        const logged = logRecords(lines);
        expect(logged.filter((r) => r.message === 'unsupported event')).toHaveLength(1);
        expect(logged).toHaveLength(1);
        expect([...String(logged[0].event_shape)]).toSatisfy(
          (shape: string[]) => shape.length <= 300 && shape.join('').isWellFormed(),
        );
        expectQuietLogs(lines, typeof event === 'string' ? [event] : isObject(event) ? Object.keys(event) : []);
        expect(world.simulator.calls).toHaveLength(0);
        expect(world.aws.calls).toHaveLength(awsCalls);
      }),
      { numRuns: 500, seed: SEED },
    );
  }, 60_000);
});

describe('leaks', () => {
  it('never logs, answers or dead-letters the password, the Authorization value or a full phone number', () => {
    expect(answers.length).toBeGreaterThanOrEqual(2000);
    expect(deadLetterAttributes.length).toBeGreaterThan(300);
    expect(secretsIn(output.lines.join('\n'))).toEqual([]);
    expect(secretsIn(answers.join('\n'))).toEqual([]);
    expect(secretsIn(deadLetterAttributes.join('\n'))).toEqual([]);
  });
});
