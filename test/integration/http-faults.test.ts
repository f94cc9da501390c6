/**
 * The HTTP face under every fault of the reliability run, as a matrix: each fault once TRANSIENT
 * (it hits fewer attempts than THULIUM_MAX_ATTEMPTS, so the caller gets Thulium's answer) and once
 * SUSTAINED (every attempt meets it, so the caller gets that fault's documented error), through
 * both API Gateway payload formats, then a seeded random mix of all of them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pick, seededRandom } from '../../dev/shared/seeded-random.ts';
import type { Fault } from '../../dev/thulium-simulator.ts';
import type { ErrorCode } from '../../functions/outbound-status/core/errors.ts';
import { guard } from '../support/leaks.ts';
import {
  basicValue,
  body,
  captureOutput,
  lambdaContext,
  PASSWORD,
  PAYLOAD_FORMATS,
  PHONES,
  secretsIn,
  useWorld,
  type Handler,
  type PayloadFormat,
  type World,
} from '../support/world.ts';

/** THULIUM_MAX_ATTEMPTS's default, which the world keeps. */
const MAX_ATTEMPTS = 3;
/** More faults than any invocation can meet. */
const SUSTAINED = 10;
/** Long enough for every retry of a 400 ms attempt timeout, short enough to keep hang rows quick. */
const REMAINING_MS = 3_000;
const SHORT_MS = 900;
/**
 * DEADLINE_SAFETY_MARGIN_MS for this file, above the world's 100 ms: a loaded machine's pauses must
 * not eat the time between the function's answer and the end of the invocation.
 */
const MARGIN_MS = 250;
/** The least time the function starts an attempt with. */
const MIN_ATTEMPT_MS = 250;
const REQUEST = body(PHONES.three, '3');
/** The passwords the rotations below set, and their Basic values: none may leak either. */
const ROTATED = [`${PASSWORD}-rotated`, ...Array.from({ length: 100 }, (_, i) => `${PASSWORD}-${i}`)];
guard({ secrets: ROTATED.flatMap((password) => [password, basicValue(password)]) });
const APPLIED = { outbound_id: ['00001', '00002', '00003'] };

type Mode = 'transient' | 'sustained';

interface ErrorAnswer {
  status: number;
  code: ErrorCode;
  /** 503s only: the Retry-After header and `retry_after_seconds`. */
  retryAfter?: number;
}

/** The documented answers a fault may produce; anything else (a 500 above all) is a bug. */
const FAULT_STATUS: Partial<Record<ErrorCode, number>> = {
  THULIUM_UNAVAILABLE: 503,
  THULIUM_RATE_LIMITED: 503,
  SECRET_UNAVAILABLE: 503,
  THULIUM_TIMEOUT: 504,
  // A 401 late in a short invocation leaves too little time to try the re-read user.
  DEADLINE_EXCEEDED: 504,
  THULIUM_BAD_RESPONSE: 502,
  THULIUM_CREDENTIALS_REJECTED: 502,
};
const ERROR_FIELDS = ['code', 'message', 'request_id', 'retry_after_seconds', 'thulium_request_id'];
/** A stack frame or a source position, raw or JSON-escaped. */
const STACK_TRACE = /(\n|\\n)\s+at |\.(m?js|ts):\d+/;

const UNAVAILABLE: ErrorAnswer = { status: 503, code: 'THULIUM_UNAVAILABLE', retryAfter: 1 };
const RATE_LIMITED: ErrorAnswer = { status: 503, code: 'THULIUM_RATE_LIMITED', retryAfter: 1 };
const TIMEOUT: ErrorAnswer = { status: 504, code: 'THULIUM_TIMEOUT' };
const BAD_RESPONSE: ErrorAnswer = { status: 502, code: 'THULIUM_BAD_RESPONSE' };
const SECRET_UNAVAILABLE: ErrorAnswer = { status: 503, code: 'SECRET_UNAVAILABLE', retryAfter: 5 };
const CREDENTIALS_REJECTED: ErrorAnswer = { status: 502, code: 'THULIUM_CREDENTIALS_REJECTED' };

let world: World;
/** The container most rows share: the world's environment, a 400 ms attempt timeout. */
let shared: Handler;
/** Production's 10 s attempt timeout, so only the invocation's deadline cuts a slow Thulium short. */
let patient: Handler;
const output = captureOutput();
const answers: string[] = [];

interface Row {
  name: string;
  /** Sets the fault up for this mode and gives the container that will meet it. */
  arrange(mode: Mode): Promise<Handler>;
  sustained: ErrorAnswer;
  /** Thulium calls each mode makes. */
  calls: Record<Mode, number>;
  remainingMs?: number;
  /** Also check that a short invocation still gets its 504 in time. */
  short?: boolean;
}

/** A fault Thulium plays on the first attempts (transient) or on all of them (sustained). */
function thulium(
  name: string,
  fault: Fault,
  sustained: ErrorAnswer,
  options: { transientFaults?: number; short?: boolean } = {},
): Row {
  const transientFaults = options.transientFaults ?? MAX_ATTEMPTS - 1;
  return {
    name,
    sustained,
    short: options.short,
    calls: { transient: transientFaults + 1, sustained: MAX_ATTEMPTS },
    async arrange(mode) {
      world.simulator.injectFaults(...Array<Fault>(mode === 'transient' ? transientFaults : SUSTAINED).fill(fault));
      return shared;
    },
  };
}

const ROWS: Row[] = [
  thulium('Thulium 500', { type: 'status', status: 500 }, UNAVAILABLE),
  thulium('Thulium 502', { type: 'status', status: 502 }, UNAVAILABLE),
  thulium('Thulium 503', { type: 'status', status: 503 }, UNAVAILABLE),
  // Retry-After: 1 is honoured, so each rate-limited attempt costs a second: one is enough to recover from.
  thulium('Thulium 429 with Retry-After', { type: 'rate-limit', retryAfterSeconds: 1 }, RATE_LIMITED, {
    transientFaults: 1,
  }),
  thulium('connection reset', { type: 'reset' }, UNAVAILABLE),
  thulium('Thulium hanging past the request timeout', { type: 'hang' }, TIMEOUT, { short: true }),
  thulium('a 200 with an HTML body', { type: 'garbage' }, BAD_RESPONSE),
  thulium('a 200 with truncated JSON', { type: 'status', status: 200, body: '{"outbound_id": ["000' }, BAD_RESPONSE),
  {
    name: 'Thulium slower than the deadline',
    sustained: TIMEOUT,
    remainingMs: 1_500,
    short: true,
    // A slow answer gets no retry: waiting for it used the time a retry would need.
    calls: { transient: 1, sustained: 1 },
    async arrange(mode) {
      world.simulator.injectFaults({ type: 'delay', ms: mode === 'transient' ? 300 : 5_000 });
      return patient;
    },
  },
  {
    name: 'Secrets Manager failing',
    sustained: SECRET_UNAVAILABLE,
    calls: { transient: 1, sustained: 0 },
    async arrange(mode) {
      // The secret is cached per container, so only a cold one reads it; the SDK's 3 attempts absorb 2 failures.
      world.aws.fail('secretsmanager.GetSecretValue', mode === 'transient' ? 2 : SUSTAINED);
      return world.load();
    },
  },
  {
    name: 'password rotation',
    sustained: CREDENTIALS_REJECTED,
    // The 401, then the re-read user's attempt (transient); the secret still holds the rejected user (sustained).
    calls: { transient: 2, sustained: 1 },
    async arrange(mode) {
      const container = await world.load();
      expect((await invoke(container, PAYLOAD_FORMATS[0])).status).toBe(200); // caches the password about to change
      world.simulator.calls.length = 0;
      world.setPassword(`${PASSWORD}-rotated`, { thulium: true, secret: mode === 'transient' });
      return container;
    },
  },
];

/**
 * One invocation, checked against what every answer under a fault must be: documented, JSON,
 * traceable by request_id, free of stack traces, in time, and after a bounded number of attempts.
 */
async function invoke(container: Handler, kind: PayloadFormat, remainingMs = REMAINING_MS) {
  const event = kind.event({ body: REQUEST });
  const started = performance.now();
  const result = await container(event, lambdaContext(remainingMs));
  const elapsedMs = performance.now() - started;
  answers.push(JSON.stringify(result));

  const status = result.statusCode as number;
  const headers = result.headers as Record<string, string>;
  const json = JSON.parse(result.body);
  expect(headers['content-type']).toBe('application/json');
  expect(elapsedMs).toBeLessThanOrEqual(remainingMs);
  // A 401 gives the re-read user attempts of its own.
  expect(world.simulator.calls.length).toBeLessThanOrEqual(2 * MAX_ATTEMPTS);
  if (status === 200) {
    expect(json).toEqual(APPLIED);
  } else {
    expect(result.body).not.toMatch(STACK_TRACE);
    expect(Object.keys(json)).toEqual(['error']);
    expect(ERROR_FIELDS).toEqual(expect.arrayContaining(Object.keys(json.error)));
    expect(json.error).toMatchObject({ message: expect.any(String), request_id: event.requestContext.requestId });
    expect(FAULT_STATUS[json.error.code as ErrorCode], `${json.error.code} is no documented answer to a fault`).toBe(
      status,
    );
    if (status === 503) {
      expect(json.error.retry_after_seconds).toBeGreaterThanOrEqual(1);
      expect(headers['retry-after']).toBe(String(json.error.retry_after_seconds));
    }
  }
  return { status, json, elapsedMs };
}

function expectError(answer: Awaited<ReturnType<typeof invoke>>, expected: ErrorAnswer) {
  expect(answer.status).toBe(expected.status);
  expect(answer.json.error.code).toBe(expected.code);
  expect(answer.json.error.retry_after_seconds).toBe(expected.retryAfter);
}

useWorld(output, async (started) => {
  world = started;
  world.env.DEADLINE_SAFETY_MARGIN_MS = String(MARGIN_MS);
  // Each request meets its own faults, and a fresh container a fresh budget: a pause shared with the
  // next container would be a leftover (the shared budget has tests of its own).
  world.env.THULIUM_BUDGET = 'container';
  patient = await world.load({ THULIUM_REQUEST_TIMEOUT_MS: '10000' });
  shared = await world.load();
});

beforeEach(() => {
  world.simulator.calls.length = 0;
});

afterEach(async () => {
  if (!world.thuliumLimited()) return;
  patient = await world.load({ THULIUM_REQUEST_TIMEOUT_MS: '10000' });
  shared = await world.load();
});

describe.each(ROWS)('$name', (row) => {
  describe.each(PAYLOAD_FORMATS)('$name', (kind) => {
    it("transient: 200 with Thulium's answer", async () => {
      const answer = await invoke(await row.arrange('transient'), kind, row.remainingMs);
      expect(answer.status).toBe(200);
      expect(world.simulator.calls).toHaveLength(row.calls.transient);
    });

    it(`sustained: ${row.sustained.status} ${row.sustained.code}`, async () => {
      const answer = await invoke(await row.arrange('sustained'), kind, row.remainingMs);
      expectError(answer, row.sustained);
      expect(world.simulator.calls).toHaveLength(row.calls.sustained);
    });

    if (row.short) {
      it(`sustained, in a ${SHORT_MS} ms invocation: 504 in time, having used that time`, async () => {
        const answer = await invoke(await row.arrange('sustained'), kind, SHORT_MS);
        expectError(answer, TIMEOUT);
        // Giving up with a whole attempt's worth of time left would turn a possible 200 into a 504.
        expect(answer.elapsedMs).toBeGreaterThanOrEqual(SHORT_MS - MARGIN_MS - MIN_ATTEMPT_MS);
      });
    }
  });
});

describe.each(PAYLOAD_FORMATS)('a Retry-After beyond the deadline ($name)', (kind) => {
  it("503 at once, passing Thulium's wait on rather than sleeping through the invocation", async () => {
    world.simulator.injectFaults(...Array<Fault>(SUSTAINED).fill({ type: 'rate-limit', retryAfterSeconds: 30 }));
    const answer = await invoke(shared, kind);
    expectError(answer, { ...RATE_LIMITED, retryAfter: 30 });
    expect(world.simulator.calls).toHaveLength(1);
    expect(answer.elapsedMs).toBeLessThan(1_000);
  });
});

const MIXED_FAULTS: ((random: () => number) => Fault)[] = [
  () => ({ type: 'status', status: 500 }),
  () => ({ type: 'status', status: 502 }),
  () => ({ type: 'status', status: 503 }),
  (random) => ({ type: 'rate-limit', retryAfterSeconds: random() < 0.5 ? 0 : 30 }),
  () => ({ type: 'reset' }),
  () => ({ type: 'hang' }),
  () => ({ type: 'garbage' }),
  () => ({ type: 'status', status: 200, body: '{"outbound_id": ["000' }),
  (random) => ({ type: 'delay', ms: Math.floor(random() * 300) }),
];

describe('sustained random faults', () => {
  it('100 requests under a seeded mix of every fault: each a 200 or a documented error, in time', async () => {
    const random = seededRandom(0x7e57);
    // A 150 ms attempt timeout keeps hangs and delays cheap; they still time out.
    const coldStart = () => world.load({ THULIUM_REQUEST_TIMEOUT_MS: '150' });
    let container = await coldStart();
    const outcomes = new Set<string>();
    let secretBehind: string | undefined;
    for (let i = 0; i < 100; i++) {
      // Each request meets its own faults: leftovers would make "no fault, so 200" unprovable. A
      // container Thulium paused is such a leftover (its HTTP callers get 503 at once, as they should).
      if (world.thuliumLimited()) container = await coldStart();
      world.simulator.clearFaults();
      world.aws.clearFailures();
      if (secretBehind) world.setPassword(secretBehind, { thulium: false, secret: true });
      secretBehind = undefined;

      // Up to more faults than attempts, so some requests recover and others exhaust their retries.
      const faults = Array.from({ length: Math.floor(random() * (MAX_ATTEMPTS + 3)) }, () =>
        pick(MIXED_FAULTS, random)(random),
      );
      world.simulator.injectFaults(...faults);
      // The secret is read on a cold start and after a 401; three failures exhaust the SDK's attempts.
      const secretFailures = random() < 0.25 ? 1 + Math.floor(random() * 5) : 0;
      if (secretFailures > 0) world.aws.fail('secretsmanager.GetSecretValue', secretFailures);
      if (random() < 0.1) container = await coldStart();
      const rotation = random();
      if (rotation < 0.1) world.setPassword(`${PASSWORD}-${i}`);
      else if (rotation < 0.2) {
        secretBehind = `${PASSWORD}-${i}`; // the secret catches up before the next request
        world.setPassword(secretBehind, { thulium: true, secret: false });
      }

      world.simulator.calls.length = 0;
      const answer = await invoke(container, pick(PAYLOAD_FORMATS, random), random() < 0.25 ? SHORT_MS : REMAINING_MS);
      outcomes.add(answer.status === 200 ? '200' : answer.json.error.code);
      if (faults.length === 0 && secretFailures === 0 && !secretBehind) expect(answer.status).toBe(200);
    }
    // The seed must reach every answer a fault can cause, or this row proves less than it claims.
    expect([...outcomes]).toEqual(expect.arrayContaining(['200', ...new Set(ROWS.map((row) => row.sustained.code))]));
    // After each 429 the budget spaces the next calls by its probe's 200 ms.
  }, 60_000);
});

describe('leaks', () => {
  it('never logs or answers the password, the Authorization value or a full phone number', () => {
    expect(answers.length).toBeGreaterThan(100);
    expect(secretsIn(output.lines.join('\n'))).toEqual([]);
    expect(secretsIn(answers.join('\n'))).toEqual([]);
  });
});
