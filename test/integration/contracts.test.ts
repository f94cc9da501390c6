/**
 * The built bundle against the published contracts: each answer the function can be made to give,
 * through both API Gateway payload formats, must be the OpenAPI document's answer for its status:
 * body, content type and headers; each outcome event it publishes meanwhile, the published detail's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Fault } from '../../dev/thulium-simulator.ts';
import { ERROR_CATALOGUE } from '../../functions/outbound-status/core/error-catalogue.ts';
import { API_RESOURCE_PATH } from '../../infra/api-route.ts';
import { CONTRACTS_DIR, OPENAPI_FILE, OUTCOME_EVENT_SCHEMA_FILE } from '../../scripts/contracts.ts';
import { documentAjv, newAjv, pointer } from '../support/openapi-ajv.ts';
import { leaveHold } from '../support/ordering.ts';
import {
  body,
  captureOutput,
  lambdaContext,
  PASSWORD,
  PAYLOAD_FORMATS,
  PHONES,
  sqsEvent,
  useWorld,
  type Handler,
  type HttpEventOptions,
  type World,
} from '../support/world.ts';

const openapi = JSON.parse(readFileSync(join(CONTRACTS_DIR, OPENAPI_FILE), 'utf8'));
const PATH = `/${API_RESOURCE_PATH}`;
const responses: Record<string, any> = openapi.paths[PATH].post.responses;
const ajv = documentAjv(openapi);
const validateDetail = newAjv().compile(
  JSON.parse(readFileSync(join(CONTRACTS_DIR, OUTCOME_EVENT_SCHEMA_FILE), 'utf8')),
);
const resolve = (node: any) =>
  node?.$ref
    ? node.$ref
        .slice(2)
        .split('/')
        .reduce((n: any, s: string) => n[s], openapi)
    : node;

let world: World;
let shared: Handler;
const output = captureOutput();
const REQUEST = body(PHONES.three, '3');
const SUSTAINED = 10;

interface Row {
  name: string;
  status: number;
  code?: string;
  request?: HttpEventOptions;
  remainingMs?: number;
  /** Sets the world up and gives the container that will answer. */
  arrange?(): Promise<Handler> | Handler;
}

const faults =
  (...list: Fault[]) =>
  () => (world.simulator.injectFaults(...list), shared);

const ROWS: Row[] = [
  { name: 'the vendor example', status: 200 },
  { name: 'a body that is not JSON', status: 400, code: 'MALFORMED_JSON', request: { body: '{"phone_number": "1' } },
  {
    name: 'a body against the contract',
    status: 400,
    code: 'VALIDATION_FAILED',
    request: { body: JSON.stringify({ phone_number: ['1'], status_id: -3, extra: 1 }) },
  },
  {
    name: 'a base64 flag on a body that is not',
    status: 400,
    code: 'MALFORMED_BODY',
    request: { body: '{"not":"base64"}', isBase64Encoded: true },
  },
  { name: 'PUT', status: 405, code: 'METHOD_NOT_ALLOWED', request: { method: 'PUT' } },
  {
    name: 'a body over 4096 bytes',
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    request: { body: `${REQUEST}${' '.repeat(5000)}` },
  },
  { name: 'text/plain', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', request: { contentType: 'text/plain' } },
  { name: 'an unknown status', status: 422, code: 'THULIUM_REFUSED', request: { body: body(PHONES.three, '77') } },
  {
    name: 'Thulium answering garbage',
    status: 502,
    code: 'THULIUM_BAD_RESPONSE',
    arrange: faults(...Array<Fault>(SUSTAINED).fill({ type: 'garbage' })),
  },
  {
    name: 'the API user rejected by Thulium',
    status: 502,
    code: 'THULIUM_CREDENTIALS_REJECTED',
    arrange: async () => {
      const container = await world.load();
      world.setPassword(`${PASSWORD}-changed-in-thulium`, { thulium: true, secret: false });
      return container;
    },
  },
  {
    name: 'Thulium rate limiting',
    status: 503,
    code: 'THULIUM_RATE_LIMITED',
    arrange: faults(...Array<Fault>(SUSTAINED).fill({ type: 'rate-limit', retryAfterSeconds: 0 })),
  },
  {
    name: 'Thulium down',
    status: 503,
    code: 'THULIUM_UNAVAILABLE',
    arrange: faults(...Array<Fault>(SUSTAINED).fill({ type: 'status', status: 503 })),
  },
  {
    name: 'Secrets Manager down',
    status: 503,
    code: 'SECRET_UNAVAILABLE',
    arrange: () => (world.aws.fail('secretsmanager.GetSecretValue', SUSTAINED), world.load()),
  },
  {
    name: 'Thulium hanging',
    status: 504,
    code: 'THULIUM_TIMEOUT',
    remainingMs: 1_000,
    arrange: faults(...Array<Fault>(SUSTAINED).fill({ type: 'hang' })),
  },
  {
    name: 'an invocation almost out of time',
    status: 504,
    code: 'DEADLINE_EXCEEDED',
    remainingMs: 150,
    arrange: () => world.load(),
  },
  {
    name: 'a newer update applied first',
    status: 409,
    code: 'SUPERSEDED',
    arrange: async () => {
      await shared(sqsEvent([{ body: REQUEST, sentTimestamp: Date.now() + 60_000 }]), lambdaContext());
      return shared;
    },
  },
  // Nothing listens on the discard port: every store call is refused.
  {
    name: 'the ordering store unreachable',
    status: 503,
    code: 'ORDERING_STORE_UNAVAILABLE',
    arrange: () => world.load({ AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9' }),
  },
  {
    name: 'the number held by another update',
    status: 503,
    code: 'UPDATE_IN_PROGRESS',
    remainingMs: 1_000,
    arrange: async () => (await leaveHold(world.store, PHONES.three, Date.now() + 60_000), shared),
  },
  {
    name: 'an incomplete environment',
    status: 500,
    code: 'CONFIGURATION_INVALID',
    arrange: () => world.load({ THULIUM_BASE_URL: undefined }),
  },
];

const produced = new Set<string>();

useWorld(output, async (started) => {
  world = started;
  shared = await world.load();
});

beforeEach(() => {
  world.simulator.calls.length = 0;
});

describe.each(PAYLOAD_FORMATS)('$name', (kind) => {
  it.each(ROWS)('$status $code: $name', async (row) => {
    const container = (await row.arrange?.()) ?? shared;
    const result = await container(kind.event({ body: REQUEST, ...row.request }), lambdaContext(row.remainingMs));
    const headers = Object.fromEntries(
      Object.entries(result.headers as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]),
    );
    const answer = JSON.parse(result.body);
    expect(result.statusCode).toBe(row.status);
    if (row.code) expect(answer.error.code).toBe(row.code);

    const documented = responses[String(result.statusCode)];
    expect(documented, `HTTP ${result.statusCode} is not in openapi.json`).toBeDefined();
    expect(Object.keys(documented.content)).toContain(headers['content-type']);
    const validate = ajv.getSchema(
      pointer(
        'paths',
        PATH,
        'post',
        'responses',
        String(result.statusCode),
        'content',
        headers['content-type']!,
        'schema',
      ),
    )!;
    expect(validate(answer), JSON.stringify(validate.errors)).toBe(true);
    for (const [name, header] of Object.entries(documented.headers ?? {}).map(([n, h]) => [n, resolve(h)] as const)) {
      const value = headers[name.toLowerCase()];
      if (header.required) expect(value, `${name} header`).toBeDefined();
      if (value !== undefined) expect(ajv.validate(header.schema, value), `${name}: ${value}`).toBe(true);
    }
    if (headers['retry-after']) expect(Number(headers['retry-after'])).toBe(answer.error.retry_after_seconds);
    if (row.code) produced.add(row.code);
  });
});

it('gave every ErrorCode, each checked against the document', () => {
  // A new ErrorCode needs a row above, or its answer is published without ever being checked.
  expect([...produced].sort()).toEqual(Object.keys(ERROR_CATALOGUE).sort());
});

it('published, meanwhile, only outcome events whose detail the published JSON Schema takes', () => {
  const details = world.aws.events.map((event) => event.detail as { outcome: string });
  // The 200s and the 409s are outcomes; no error answer is.
  expect(new Set(details.map((detail) => detail.outcome))).toEqual(new Set(['applied', 'superseded']));
  for (const detail of details) expect(validateDetail(detail), JSON.stringify(validateDetail.errors)).toBe(true);
});
