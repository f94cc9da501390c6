import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  body,
  captureOutput,
  httpApiEvent,
  lambdaContext,
  logRecords,
  PASSWORD,
  PHONES,
  restApiEvent,
  SECRET_ID,
  secretsIn,
  useWorld,
  USERNAME,
  type Handler,
  type World,
} from '../support/world.ts';
import { until } from '../support/until.ts';

let world: World;
let handler: Handler;
const output = captureOutput();
const answers: string[] = [];

/** Invokes a container (the shared one by default); every answer is kept for the leak scan. */
async function post(event: unknown, remainingMs?: number, container: Handler = handler) {
  const result = await container(event, lambdaContext(remainingMs));
  answers.push(JSON.stringify(result));
  expect(result.headers['content-type']).toBe('application/json');
  return {
    status: result.statusCode as number,
    headers: result.headers as Record<string, string>,
    json: JSON.parse(result.body),
  };
}

const postRest = (payload: string | null, remainingMs?: number, container?: Handler) =>
  post(restApiEvent({ body: payload }), remainingMs, container);

useWorld(output, async (started) => {
  world = started;
  handler = await world.load();
});

afterEach(async () => {
  if (world.thuliumLimited()) handler = await world.load();
});

beforeEach(() => {
  world.simulator.calls.length = 0;
});

describe('200: Thulium applied the update', () => {
  it("answers Thulium's outbound_id list unchanged, through a REST API (payload 1.0) event", async () => {
    const { status, json } = await postRest(body(PHONES.three, '3'));
    expect(status).toBe(200);
    expect(json).toEqual({ outbound_id: ['00001', '00002', '00003'] });
    expect(world.simulator.statusOf('00002', PHONES.three)).toBe(3);
  });

  it('sends Thulium both fields as strings, JSON with charset, with HTTP Basic from the secret', async () => {
    await postRest(JSON.stringify({ phone_number: Number(PHONES.one), status_id: 8 }));
    const [call] = world.simulator.calls;
    expect(JSON.parse(call.body)).toEqual({ phone_number: PHONES.one, status_id: '8' });
    expect(call.contentType).toBe('application/json; charset=utf-8');
    expect(call.username).toBe(USERNAME);
    expect(call.status).toBe(200);
  });

  it('serves an HTTP API (payload 2.0) event the same way', async () => {
    const { status, json } = await post(httpApiEvent({ body: body(PHONES.one, '3') }));
    expect(status).toBe(200);
    expect(json).toEqual({ outbound_id: ['00001'] });
  });

  it('decodes a base64-encoded body first', async () => {
    const encoded = Buffer.from(body(PHONES.one, 3)).toString('base64');
    const { status } = await post(httpApiEvent({ body: encoded, isBase64Encoded: true }));
    expect(status).toBe(200);
  });

  it("matches only main numbers: an additional number is Thulium's 404, answered 422", async () => {
    const { status, json } = await postRest(body(PHONES.additional, '3'));
    expect(status).toBe(422);
    expect(json.error.code).toBe('THULIUM_REFUSED');
  });

  it('reads the secret once per container, and reuses its keep-alive connections to Thulium', async () => {
    const container = await world.load();
    const reads = world.aws.readsOf(SECRET_ID);
    const before = world.simulator.connectionCount;
    const invokeFiveTimes = async () => {
      for (let i = 0; i < 5; i++)
        expect((await postRest(body(PHONES.three, '8'), undefined, container)).status).toBe(200);
    };
    await invokeFiveTimes();
    const warm = world.simulator.connectionCount;
    await invokeFiveTimes();
    expect(world.aws.readsOf(SECRET_ID)).toBe(reads + 1);
    // undici's pool may open a second socket while the first is being released; then both are reused.
    expect(warm - before).toBeLessThanOrEqual(2);
    expect(world.simulator.connectionCount).toBe(warm);
  });
});

describe("4xx: the caller's request is wrong, and Thulium is not called", () => {
  it.each([
    ['malformed JSON', '{"phone_number": "1', 'MALFORMED_JSON'],
    ['an empty body', null, 'MALFORMED_JSON'],
    ['a JSON array', '[1,2]', 'VALIDATION_FAILED'],
  ])('400 for %s', async (_name, payload, code) => {
    const { status, json } = await postRest(payload);
    expect(status).toBe(400);
    expect(json.error.code).toBe(code);
    expect(world.simulator.calls).toHaveLength(0);
  });

  it('400 naming every offending field', async () => {
    const { status, json } = await postRest(JSON.stringify({ phone_number: ['1'], status_id: -3, extra: true }));
    expect(status).toBe(400);
    expect(json.error.code).toBe('VALIDATION_FAILED');
    expect(json.error.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'extra',
      'phone_number',
      'status_id',
    ]);
    expect(world.simulator.calls).toHaveLength(0);
  });

  it('400 naming each missing field as required', async () => {
    const { json } = await postRest('{}');
    expect(json.error.fields).toEqual([
      { field: 'phone_number', message: 'is required' },
      { field: 'status_id', message: 'is required' },
    ]);
  });

  it.each([
    ['a zero status', body(PHONES.three, 0)],
    ['a fractional status', body(PHONES.three, 2.5)],
    ['a status with letters', body(PHONES.three, '3a')],
    ['a status beyond 2^53', body(PHONES.three, '90071992547409930')],
    ['an empty phone number', body('', 3)],
    ['a phone number with letters', body('50123abc', 3)],
    ['unicode digits', body('١٢٣٤٥٦', 3)],
    ['a negative phone number', body(-501234567, 3)],
  ])('400 for %s', async (_name, payload) => {
    const { status, json } = await postRest(payload);
    expect(status).toBe(400);
    expect(json.error.code).toBe('VALIDATION_FAILED');
    expect(world.simulator.calls).toHaveLength(0);
  });

  it('400 for a body flagged base64 that is not base64', async () => {
    const { status, json } = await post(restApiEvent({ body: '{"not":"base64"}', isBase64Encoded: true }));
    expect(status).toBe(400);
    expect(json.error.code).toBe('MALFORMED_BODY');
  });

  it('405 with Allow for any method but POST, including the published HTTP API fixture (GET)', async () => {
    for (const event of [
      restApiEvent({ method: 'PUT', body: body(PHONES.three, 3) }),
      httpApiEvent({ method: 'GET' }),
    ]) {
      const { status, headers, json } = await post(event);
      expect(status).toBe(405);
      expect(headers.allow).toBe('POST');
      expect(json.error.code).toBe('METHOD_NOT_ALLOWED');
    }
    expect(world.simulator.calls).toHaveLength(0);
  });

  it('413 for a body over MAX_BODY_BYTES (4096 by default)', async () => {
    const { status, json } = await postRest(
      JSON.stringify({ phone_number: PHONES.three, status_id: 3, pad: 'x'.repeat(5000) }),
    );
    expect(status).toBe(413);
    expect(json.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('415 for a body that is not declared JSON', async () => {
    const { status } = await post(restApiEvent({ body: body(PHONES.three, 3), contentType: 'text/plain' }));
    expect(status).toBe(415);
  });

  it('accepts a request without Content-Type, and JSON with a charset', async () => {
    expect((await post(restApiEvent({ body: body(PHONES.three, 3), contentType: null }))).status).toBe(200);
    expect(
      (await post(restApiEvent({ body: body(PHONES.three, 3), contentType: 'application/json; charset=utf-8' })))
        .status,
    ).toBe(200);
  });
});

describe('422: Thulium refused the update', () => {
  it("carries Thulium's messages and request_id for an unknown status", async () => {
    const { status, json } = await postRest(body(PHONES.three, '77'));
    expect(status).toBe(422);
    expect(json.error).toMatchObject({
      code: 'THULIUM_REFUSED',
      thulium_request_id: expect.stringMatching(/^sim-/),
      thulium_errors: [{ message: 'Status 77 does not exist', code: 1002 }],
    });
  });

  it("for a number without records (Thulium's 404)", async () => {
    const { status, json } = await postRest(body(PHONES.none, '3'));
    expect(status).toBe(422);
    expect(json.error.thulium_errors[0].code).toBe(1003);
  });

  it('for a status no campaign of the number uses', async () => {
    expect((await postRest(body(PHONES.one, '12'))).status).toBe(422);
  });

  it('is not retried', async () => {
    await postRest(body(PHONES.none, '3'));
    expect(world.simulator.calls).toHaveLength(1);
  });
});

describe('5xx: Thulium or a dependency failed', () => {
  it('retries a 503 and answers 200 when Thulium recovers', async () => {
    world.simulator.injectFaults({ type: 'status', status: 503 }, { type: 'reset' });
    const { status } = await postRest(body(PHONES.three, '3'));
    expect(status).toBe(200);
    expect(world.simulator.calls).toHaveLength(3);
  });

  it('honours Retry-After on a 429 before trying again', async () => {
    world.simulator.injectFaults({ type: 'rate-limit', retryAfterSeconds: 1 });
    const started = Date.now();
    const { status } = await postRest(body(PHONES.three, '3'));
    expect(status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('503 with Retry-After when Thulium keeps rate limiting', async () => {
    world.simulator.injectFaults(...Array(3).fill({ type: 'rate-limit', retryAfterSeconds: 0 }));
    const { status, headers, json } = await postRest(body(PHONES.three, '3'));
    expect(status).toBe(503);
    expect(json.error.code).toBe('THULIUM_RATE_LIMITED');
    expect(Number(headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(world.simulator.calls).toHaveLength(3);
  });

  it('503 with Retry-After when Thulium stays down (5xx, resets)', async () => {
    world.simulator.injectFaults({ type: 'status', status: 500 }, { type: 'reset' }, { type: 'status', status: 502 });
    const { status, headers, json } = await postRest(body(PHONES.three, '3'));
    expect(status).toBe(503);
    expect(json.error.code).toBe('THULIUM_UNAVAILABLE');
    expect(headers['retry-after']).toBeDefined();
  });

  it('502 when Thulium answers 200 with something unusable', async () => {
    world.simulator.injectFaults(...Array(3).fill({ type: 'garbage' }));
    const { status, json } = await postRest(body(PHONES.three, '3'));
    expect(status).toBe(502);
    expect(json.error.code).toBe('THULIUM_BAD_RESPONSE');
  });

  it("502, not a refusal, for a 4xx without Thulium's error envelope (a proxy or firewall page)", async () => {
    world.simulator.injectFaults({ type: 'status', status: 404, body: '<html>Not Found</html>' });
    const { status, json } = await postRest(body(PHONES.three, '3'));
    expect(status).toBe(502);
    expect(json.error.code).toBe('THULIUM_BAD_RESPONSE');
  });

  it('502 for a redirect, which is never followed', async () => {
    world.simulator.injectFaults({ type: 'status', status: 302, headers: { location: 'https://elsewhere.example/' } });
    const { status, json } = await postRest(body(PHONES.three, '3'));
    expect(status).toBe(502);
    expect(json.error.code).toBe('THULIUM_BAD_RESPONSE');
    expect(world.simulator.calls).toHaveLength(1);
  });

  it('answers before API Gateway gives up (HTTP_TIMEOUT_MS), even with a long function timeout', async () => {
    const capped = await world.load({
      HTTP_TIMEOUT_MS: '2000',
      DEADLINE_SAFETY_MARGIN_MS: '500',
      THULIUM_REQUEST_TIMEOUT_MS: '60000',
    });
    await postRest(body(PHONES.three, 3), undefined, capped);
    world.simulator.injectFaults({ type: 'hang' });
    const started = Date.now();
    const { status, json } = await postRest(body(PHONES.three, 3), 60_000, capped);
    const elapsed = Date.now() - started;
    expect(status).toBe(504);
    expect(json.error.code).toBe('THULIUM_TIMEOUT');
    expect(elapsed).toBeGreaterThanOrEqual(1400);
    expect(elapsed).toBeLessThan(2000);
  });

  it('504 within the invocation deadline when Thulium hangs, after its retries', async () => {
    world.simulator.injectFaults(...Array(3).fill({ type: 'hang' }));
    const remaining = 3_000;
    const started = Date.now();
    const { status, json } = await postRest(body(PHONES.three, '3'), remaining);
    expect(status).toBe(504);
    expect(json.error.code).toBe('THULIUM_TIMEOUT');
    expect(world.simulator.calls).toHaveLength(3);
    expect(Date.now() - started).toBeLessThan(remaining);
  });

  it('504 without calling Thulium or Secrets Manager when the invocation has almost no time left', async () => {
    const reads = world.aws.readsOf(SECRET_ID);
    const { status, json } = await postRest(body(PHONES.three, '3'), 150, await world.load());
    expect(world.aws.readsOf(SECRET_ID)).toBe(reads);
    expect(status).toBe(504);
    expect(json.error.code).toBe('DEADLINE_EXCEEDED');
    expect(world.simulator.calls).toHaveLength(0);
  });
});

describe('a container Thulium paused', () => {
  it('answers other callers 503 at once with the pause as Retry-After, while the caller told to wait gets its 200', async () => {
    const container = await world.load();
    expect((await postRest(body(PHONES.three, '3'), undefined, container)).status).toBe(200);
    world.simulator.calls.length = 0;
    world.simulator.injectFaults({ type: 'rate-limit', retryAfterSeconds: 2 });
    const told = postRest(body(PHONES.one, '3'), undefined, container);
    await until(() => world.simulator.calls.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = performance.now();
    const other = await postRest(body(PHONES.three, '8'), undefined, container);
    // At once: well within the 2 s pause.
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(other.status).toBe(503);
    expect(other.json.error.code).toBe('THULIUM_RATE_LIMITED');
    expect(other.headers['retry-after']).toBe('2');
    // Not sent to be refused: Thulium saw only the first caller's call.
    expect(world.simulator.calls).toHaveLength(1);
    const first = await told;
    expect(first.status).toBe(200);
    expect(world.simulator.calls.map((c) => c.status)).toEqual([429, 200]);
  });
});

describe('credentials', () => {
  it('re-reads the secret once when Thulium answers 401 after a rotation, and succeeds', async () => {
    const container = await world.load();
    expect((await postRest(body(PHONES.three, 3), undefined, container)).status).toBe(200);
    const reads = world.aws.readsOf(SECRET_ID);
    world.setPassword(`${PASSWORD}-rotated`);
    expect((await postRest(body(PHONES.three, 3), undefined, container)).status).toBe(200);
    expect(world.aws.readsOf(SECRET_ID)).toBe(reads + 1);
  });

  it('502 when Thulium rejects the API user even after a fresh read', async () => {
    const container = await world.load();
    world.setPassword('changed-in-thulium-only', { thulium: true, secret: false });
    const reads = world.aws.readsOf(SECRET_ID);
    const { status, json } = await postRest(body(PHONES.three, '3'), undefined, container);
    expect(status).toBe(502);
    expect(json.error.code).toBe('THULIUM_CREDENTIALS_REJECTED');
    // one read on the cold start, one forced by the 401
    expect(world.aws.readsOf(SECRET_ID)).toBe(reads + 2);
    // The secret held the same user: trying it again would only risk locking the account.
    expect(world.simulator.calls).toHaveLength(1);
  });

  it('holds a rejected user back for CREDENTIALS_REJECTION_HOLD_SECONDS instead of logging in again', async () => {
    const container = await world.load({ CREDENTIALS_REJECTION_HOLD_SECONDS: '60' });
    world.setPassword('changed-in-thulium-only', { thulium: true, secret: false });
    expect((await postRest(body(PHONES.three, 3), undefined, container)).status).toBe(502);
    const second = await postRest(body(PHONES.three, 3), undefined, container);
    expect(second.status).toBe(502);
    expect(second.json.error.message).toContain('held back');
    expect(world.simulator.calls).toHaveLength(1);
  });

  it('503 when Secrets Manager is down', async () => {
    world.aws.fail('secretsmanager.GetSecretValue', 10);
    const { status, headers, json } = await postRest(body(PHONES.three, 3), undefined, await world.load());
    expect(status).toBe(503);
    expect(json.error.code).toBe('SECRET_UNAVAILABLE');
    expect(headers['retry-after']).toBe('5');
  });

  it.each([
    ['missing', undefined],
    ['not JSON', 'hunter2-not-json'],
    ['without a password', JSON.stringify({ username: USERNAME, pass: PASSWORD })],
  ])('500 configuration error, details in the logs only, when the secret is %s', async (name, value) => {
    const id = `broken/${name}`;
    if (value !== undefined) world.aws.secrets.set(id, value);
    const event = restApiEvent({ body: body(PHONES.three, 3) });
    const { status, json } = await post(event, undefined, await world.load({ THULIUM_SECRET_ID: id }));
    expect(status).toBe(500);
    expect(json.error).toMatchObject({ code: 'CONFIGURATION_INVALID', request_id: event.requestContext.requestId });
    expect(JSON.stringify(json)).not.toContain(id);
    expect(JSON.stringify(json)).not.toMatch(/\n\s+at |hunter2/);
    const logged = logRecords(output.lines).find((r) => r.correlation_id === event.requestContext.requestId);
    expect(logged?.error.message).toContain(id);
    expect(JSON.stringify(logged)).not.toContain('hunter2');
  });
});

describe('configuration and triggers', () => {
  it('500 when the environment is incomplete, with the missing variable in the logs', async () => {
    const before = output.lines.length;
    const { status, json } = await postRest(
      body(PHONES.three, 3),
      undefined,
      await world.load({ THULIUM_BASE_URL: undefined }),
    );
    expect(status).toBe(500);
    expect(json.error.code).toBe('CONFIGURATION_INVALID');
    const logged = logRecords(output.lines.slice(before)).find((r) => r.message === 'function is misconfigured');
    expect(logged?.error.message).toContain('THULIUM_BASE_URL');
  });

  it('refuses a tenant URL without TLS', async () => {
    const before = output.lines.length;
    const { status } = await postRest(
      body(PHONES.three, 3),
      undefined,
      await world.load({ THULIUM_BASE_URL: 'http://acme.thulium.com' }),
    );
    expect(status).toBe(500);
    const logged = logRecords(output.lines.slice(before)).find((r) => r.message === 'function is misconfigured');
    expect(logged?.error.message).toContain('https://');
  });

  it('throws a clear error, logged once, for an event that is neither API Gateway nor SQS', async () => {
    const before = logRecords(output.lines).length;
    await expect(handler({ source: 'aws.events', detail: {} }, lambdaContext())).rejects.toThrow(/Unsupported event/);
    const logged = logRecords(output.lines)
      .slice(before)
      .filter((r) => r.message === 'unsupported event');
    expect(logged).toHaveLength(1);
    expect(logged[0].event_shape).toBe('source,detail');
  });
});

describe('logs', () => {
  it('writes one structured line per outcome, with the API Gateway request id as correlation id', async () => {
    const event = restApiEvent({ body: body(PHONES.three, 3) });
    await post(event);
    const lines = logRecords(output.lines).filter((r) => r.correlation_id === event.requestContext.requestId);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'INFO',
      outcome: 'updated',
      phone_number: '******567',
      status_id: '3',
      thulium_attempts: 1,
    });
  });

  it('never logs or answers the password, the Authorization value or a full phone number', async () => {
    await postRest(body(PHONES.three, 3));
    expect(logRecords(output.lines).length).toBeGreaterThan(20);
    expect(answers.length).toBeGreaterThan(20);
    expect(secretsIn(output.lines.join('\n'))).toEqual([]);
    expect(secretsIn(answers.join('\n'))).toEqual([]);
  });
});
