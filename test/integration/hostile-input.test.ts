import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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
  startWorld,
  type Handler,
  type World,
} from '../support/world.ts';

/** Fixed, so a failure found once is found again; change it to explore other inputs. */
const SEED = 20_260_611;
const MAX_BODY_BYTES = 4096;
/** A log line longer than this echoes something it should not. */
const MAX_LOG_LINE = 4096;

let world: World;
let handler: Handler;
const output = captureOutput();
// Registered for the suite's leak guard too, beside this file's own scan.
const answers = expose<string[]>([]);
const deadLetterAttributes = expose<string[]>([]);
const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

beforeAll(async () => {
  world = await startWorld();
  handler = await world.load();
});

afterAll(async () => {
  output.stop();
  await world.close();
});

afterEach(() => world.reset());

// ---------------------------------------------------------------------------------------------
// Hostile bodies, shared by both faces. Each is invalid by construction and carries what the
// function must answer, so a counterexample names its category.
// ---------------------------------------------------------------------------------------------

type BodyCode = 'MALFORMED_JSON' | 'VALIDATION_FAILED' | 'PAYLOAD_TOO_LARGE';

interface HostileBody {
  kind: string;
  body: string;
  code: BodyCode;
  /** VALIDATION_FAILED: fields the answer must name. */
  fields: string[];
  /** Whether those are all it may name (not so where the function prints a hostile key its own way). */
  onlyThese: boolean;
}

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** Whatever else is wrong with it, a body over the limit is a 413. */
const hostile = (kind: string, body: string, code: BodyCode, fields: string[] = [], onlyThese = true): HostileBody =>
  bytes(body) > MAX_BODY_BYTES
    ? { kind: `${kind}, over the limit`, body, code: 'PAYLOAD_TOO_LARGE', fields: [], onlyThese: true }
    : { kind, body, code, fields, onlyThese };
const invalid = (kind: string, body: string, fields: string[], onlyThese = true) =>
  hostile(kind, body, 'VALIDATION_FAILED', fields, onlyThese);

/** The README's rules, so that a value meant to be invalid is never valid by chance. */
const isValidPhone = (value: unknown) =>
  typeof value === 'string'
    ? value.length <= 32 && /^\+?[0-9 ().\/-]*[0-9][0-9 ().\/-]*$/.test(value)
    : Number.isSafeInteger(value) && (value as number) >= 0;
const isValidStatus = (value: unknown) =>
  typeof value === 'string'
    ? /^[1-9][0-9]{0,14}$/.test(value)
    : Number.isSafeInteger(value) && (value as number) >= 1 && (value as number) < 1e15;

const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** A JSON object written as text: JSON.stringify would drop a __proto__ key and normalise numbers. */
const objectText = (members: Array<[key: string, json: string]>) =>
  `{${members.map(([key, json]) => `${JSON.stringify(key)}:${json}`).join(',')}}`;

const requestText = (phone: string, status: string, ...extra: Array<[string, string]>) =>
  objectText([['phone_number', phone], ['status_id', status], ...extra]);

/** Valid values, as JSON text, to stand beside the broken part of a body. */
const phoneText = fc.oneof(
  fc.stringMatching(/^\+?[1-9][0-9]{5,11}$/).map((phone) => JSON.stringify(phone)),
  fc.integer({ min: 100_000, max: 999_999_999_999 }).map(String),
);
const statusText = fc.tuple(fc.integer({ min: 1, max: 99_999 }), fc.boolean()).map(([n, quoted]) => (quoted ? `"${n}"` : String(n)));
const validRequestText = fc.tuple(phoneText, statusText).map(([phone, status]) => requestText(phone, status));

const otherScriptDigits = ['٠١٢٣٤٥٦٧٨٩', '۰۱۲۳۴۵۶۷۸۹', '०१२३४५६७८९', '０１２３４５６７８９', '𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗'].flatMap((d) => Array.from(d));
/** Letters, digits of other scripts, controls, invisible characters and look-alikes of the allowed signs. */
const alienChar = fc.constantFrom(
  'a', 'O', 'l', 'x', '#', '*', ',', ';', '_', '+', '\\', '"', '\t', '\n', '\r', '\u0000', '\u001b', '\u007f',
  '\u00a0', '\u200b', '\u202e', '\u2028', '\u2212', '\ufeff', '\ud800', '😀', ...otherScriptDigits,
);
const withAlienChar = fc
  .tuple(fc.stringMatching(/^[0-9]{0,12}$/), alienChar, fc.nat())
  .map(([digits, alien, at]) => digits.slice(0, at % (digits.length + 1)) + alien + digits.slice(at % (digits.length + 1)));
const foreignDigits = fc.array(fc.constantFrom(...otherScriptDigits), { minLength: 1, maxLength: 15 }).map((d) => d.join(''));
/** Hundreds to thousands of characters; multi-byte units push some bodies over the limit. */
const hugeString = fc
  .tuple(
    fc.oneof(fc.string({ minLength: 1, maxLength: 4 }), fc.constantFrom('x', '5', 'é', '€', '😀', '١')),
    fc.integer({ min: 100, max: 4000 }),
  )
  .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length));
const wrongType = fc
  .oneof(
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
    fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
  )
  .map((value) => JSON.stringify(value));
const fraction = fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Number.isInteger(x));
/** Written as text: beyond 2^53 a JSON number is not the number its digits say. */
const hugeNumberText = fc.oneof(
  fc.stringMatching(/^-?[1-9][0-9]{16,40}$/),
  fc.constantFrom('9007199254740992', '9007199254740993', '1e400', '-1e400', '1.5e300', '-0.5'),
);

const badPhone = fc
  .oneof(
    fc.oneof(withAlienChar, foreignDigits, fc.stringMatching(/^\+?[ ().\/-]{0,12}$/), hugeString).map((s) => JSON.stringify(s)),
    wrongType,
    fc.oneof(fc.integer({ min: -(2 ** 53), max: -1 }), fraction, fc.double({ min: 2 ** 53, noNaN: true, noDefaultInfinity: true })).map(String),
    hugeNumberText,
  )
  .filter((text) => !isValidPhone(JSON.parse(text)));

const badStatus = fc
  .oneof(
    fc
      .oneof(
        withAlienChar,
        foreignDigits,
        hugeString,
        fc.stringMatching(/^0[0-9]{0,5}$/),
        fc.stringMatching(/^[1-9][0-9]{15,25}$/),
        fc.constantFrom('', ' 3', '3 ', '+3', '-3', '3.0', '1e3', '0x1F', 'three', '三', '３', '٣'),
      )
      .map((s) => JSON.stringify(s)),
    wrongType,
    fc.oneof(fc.integer({ min: -(2 ** 53), max: 0 }), fraction, fc.integer({ min: 1e15, max: Number.MAX_SAFE_INTEGER })).map(String),
    hugeNumberText,
    fc.constant('-0'),
  )
  .filter((text) => !isValidStatus(JSON.parse(text)));

const badFields = fc.oneof(
  fc.tuple(badPhone, statusText).map(([phone, status]) => invalid('bad phone_number', requestText(phone, status), ['phone_number'])),
  fc.tuple(phoneText, badStatus).map(([phone, status]) => invalid('bad status_id', requestText(phone, status), ['status_id'])),
  fc
    .tuple(badPhone, badStatus)
    .map(([phone, status]) => invalid('bad phone_number and status_id', requestText(phone, status), ['phone_number', 'status_id'])),
  // JSON.parse keeps the last of duplicate keys: the valid first one must not win.
  fc.tuple(phoneText, badPhone, statusText).map(([good, bad, status]) => {
    const body = `{"phone_number":${good},"phone_number":${bad},"status_id":${status}}`;
    return invalid('duplicate phone_number, the last bad', body, ['phone_number']);
  }),
);

const missingFields = fc
  .record({ phone: fc.option(phoneText, { nil: undefined }), status: fc.option(statusText, { nil: undefined }) })
  .filter(({ phone, status }) => phone === undefined || status === undefined)
  .map(({ phone, status }) => {
    const members: Array<[string, string]> = [];
    if (phone !== undefined) members.push(['phone_number', phone]);
    if (status !== undefined) members.push(['status_id', status]);
    const missing = [phone === undefined && 'phone_number', status === undefined && 'status_id'].filter((f) => f !== false);
    return invalid('missing fields', objectText(members), missing);
  });

/** Keys the function can name as they are; any other key it escapes, masks or shortens. */
const isPlainKey = (key: string) => /^[A-Za-z_]{1,40}$/.test(key);
const unknownKey = fc
  .oneof(
    fc.stringMatching(/^[A-Za-z_]{1,40}$/),
    fc.constantFrom(
      '__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'Phone_Number',
      'PHONE_NUMBER', 'phoneNumber', 'statusId', 'phone_number ', ' status_id', 'phone_number\u0000', 'status_id\u200b', '',
      PHONES.three, `+48 ${PHONES.one.replace(/(\d{3})(?=\d)/g, '$1 ')}`, 'k'.repeat(500), '😀'.repeat(40), `a${'😀'.repeat(40)}`,
    ),
    fc.string({ unit: 'binary', maxLength: 100 }),
  )
  .filter((key) => key !== 'phone_number' && key !== 'status_id');

const unknownFields = fc
  .tuple(
    phoneText,
    statusText,
    fc.uniqueArray(fc.tuple(unknownKey, fc.jsonValue({ maxDepth: 2 })), { minLength: 1, maxLength: 5, selector: ([key]) => key }),
  )
  .map(([phone, status, extras]) => {
    const keys = extras.map(([key]) => key);
    const body = requestText(phone, status, ...extras.map(([key, value]): [string, string] => [key, JSON.stringify(value)]));
    return invalid('unknown fields', body, keys.filter(isPlainKey), keys.every(isPlainKey));
  });

/** An answer names the first 20 problems only. */
const manyUnknownFields = fc.tuple(phoneText, statusText, fc.integer({ min: 21, max: 400 })).map(([phone, status, count]) => {
  const keys = Array.from({ length: count }, (_, i) => `k${i}`);
  const body = requestText(phone, status, ...keys.map((key): [string, string] => [key, '1']));
  return invalid('many unknown fields', body, keys.slice(0, 20));
});

/** Prototype keys written as raw JSON, the only way a caller can send them. */
const prototypeKeysInBody = fc.constantFrom(
  invalid('__proto__ beside a phone number', '{"__proto__":{"polluted":true},"phone_number":"1"}', ['__proto__', 'status_id']),
  invalid('__proto__ beside a whole request', '{"__proto__":{"polluted":true},"phone_number":"1","status_id":"3"}', ['__proto__']),
  invalid('a request hidden in __proto__', `{"__proto__":{"phone_number":"${PHONES.three}","status_id":"3"}}`, [
    'phone_number',
    'status_id',
    '__proto__',
  ]),
  invalid('__proto__ array', '{"phone_number":"1","__proto__":[],"status_id":3}', ['__proto__']),
  invalid('constructor.prototype', '{"constructor":{"prototype":{"polluted":true}},"phone_number":"1","status_id":3}', ['constructor']),
  invalid('__proto__ inside status_id', '{"phone_number":"1","status_id":{"__proto__":{"valueOf":3}}}', ['status_id']),
  invalid('__proto__ inside phone_number', '{"phone_number":{"__proto__":"1","toString":"1"},"status_id":3}', ['phone_number']),
);

const deepNesting = fc
  .tuple(
    fc.integer({ min: 1, max: 2000 }),
    fc.constantFrom('array', 'object'),
    fc.constantFrom('phone_number', 'status_id', 'body', 'nested'),
    phoneText,
    statusText,
  )
  .map(([depth, shape, where, phone, status]) => {
    const deep = shape === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    const kind = `${shape} nested ${depth} deep in ${where}`;
    // A nested object as the body is an object: it lacks both fields and has an unknown one.
    if (where === 'body') return invalid(kind, deep, shape === 'array' ? ['body'] : ['a', 'phone_number', 'status_id']);
    if (where === 'nested') return invalid(kind, requestText(phone, status, ['nested', deep]), ['nested']);
    return invalid(kind, where === 'phone_number' ? requestText(deep, status) : requestText(phone, deep), [where]);
  });

const notAnObject = fc
  .oneof(
    fc
      .jsonValue()
      .filter((value) => typeof value !== 'object' || value === null || Array.isArray(value))
      .map((value) => JSON.stringify(value)),
    // A whole request, but in an array or encoded twice.
    validRequestText.map((text) => `[${text}]`),
    validRequestText.map((text) => JSON.stringify(text)),
  )
  .map((body) => invalid('not a JSON object', body, ['body']));

const notJson = fc
  .oneof(
    fc.string({ unit: 'binary', maxLength: 200 }).map((body) => ({ label: 'random text', body })),
    fc.tuple(validRequestText, fc.nat()).map(([text, cut]) => ({ label: 'truncated', body: text.slice(0, cut % text.length) })),
    fc.tuple(validRequestText, fc.constantFrom('x', ',', '}', '{}', '\u0000', '//', ';', '\u00a0?')).map(([text, tail]) => ({
      label: 'trailing garbage',
      body: text + tail,
    })),
    validRequestText.map((text) => ({ label: 'byte order mark', body: `\ufeff${text}` })),
    fc.tuple(fc.integer({ min: 0, max: 0x1f }), fc.stringMatching(/^[0-9]{2,10}$/)).map(([control, digits]) => ({
      label: 'raw control character in a string',
      body: `{"phone_number":"${digits.slice(0, 1)}${String.fromCharCode(control)}${digits.slice(1)}","status_id":3}`,
    })),
    fc
      .constantFrom(
        "{'phone_number':'1','status_id':'3'}",
        '{phone_number:"1",status_id:3}',
        '{"phone_number":NaN,"status_id":3}',
        '{"phone_number":Infinity,"status_id":3}',
        '{"phone_number":undefined,"status_id":3}',
        '{"phone_number":"1","status_id":3,}',
        '{"phone_number":0x1F,"status_id":3}',
        '{"phone_number":"1","status_id":+3}',
        '{"phone_number":"1","status_id":03}',
        '{"phone_number":"1" /* note */,"status_id":3}',
        'phone_number=1&status_id=3',
        '<request><phone_number>1</phone_number><status_id>3</status_id></request>',
        '',
        ' \n\t',
        'undefined',
        'true false',
      )
      .map((body) => ({ label: 'near-JSON', body })),
  )
  .filter(({ body }) => !parses(body))
  .map(({ label, body }) => hostile(`not JSON: ${label}`, body, 'MALFORMED_JSON'));

/** Bodies of a few bytes either side of the limit, counted in bytes, not characters. */
const nearTheLimit = fc
  .tuple(
    fc.integer({ min: MAX_BODY_BYTES - 12, max: MAX_BODY_BYTES + 12 }),
    fc.constantFrom('x', 'é', '€', '😀'),
    fc.constantFrom('phone_number', 'padding'),
    phoneText,
    statusText,
  )
  .map(([size, filler, carrier, phone, status]) => {
    const shell = (pad: string) =>
      carrier === 'phone_number' ? requestText(`"${pad}"`, status) : requestText(phone, status, ['padding', `"${pad}"`]);
    const room = size - bytes(shell(''));
    const pad = filler.repeat(Math.floor(room / bytes(filler))) + 'x'.repeat(room % bytes(filler));
    const side = size > MAX_BODY_BYTES ? 'over' : 'at or under';
    return invalid(`${size} bytes (${side} the limit), '${filler}' in ${carrier}`, shell(pad), [carrier]);
  });

const hostileBody: fc.Arbitrary<HostileBody> = fc.oneof(
  { arbitrary: badFields, weight: 6 },
  { arbitrary: missingFields, weight: 1 },
  { arbitrary: unknownFields, weight: 2 },
  { arbitrary: manyUnknownFields, weight: 1 },
  { arbitrary: prototypeKeysInBody, weight: 1 },
  { arbitrary: deepNesting, weight: 1 },
  { arbitrary: notAnObject, weight: 1 },
  { arbitrary: notJson, weight: 2 },
  { arbitrary: nearTheLimit, weight: 2 },
);

// ---------------------------------------------------------------------------------------------
// The HTTP face: hostile bodies in every way API Gateway can hand them over.
// ---------------------------------------------------------------------------------------------

type HttpCode = BodyCode | 'MALFORMED_BODY' | 'UNSUPPORTED_MEDIA_TYPE';

interface HostileRequest extends Omit<HostileBody, 'code' | 'body'> {
  code: HttpCode;
  body: string | null;
  contentType: string | null;
  isBase64Encoded: boolean;
}

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

const jsonContentType = fc.constantFrom(
  null,
  'application/json',
  'application/json; charset=utf-8',
  'Application/JSON',
  'application/problem+json',
  'application/vnd.api+json;charset=UTF-8',
);
const wrongContentType = fc.constantFrom(
  'text/plain',
  'text/plain; charset=utf-8',
  'application/xml',
  'text/xml',
  'multipart/form-data; boundary=----hostile',
  'application/x-www-form-urlencoded',
  'application/octet-stream',
  'text/json',
  'application/jsonp',
  'application/x-json',
  'application/json-seq',
  'json',
  '*/*',
  '',
);

/** RFC 4648 base64, ignoring whitespace as API Gateway's callers may wrap it. */
const isBase64 = (text: string) => {
  const compact = text.replace(/\s+/g, '');
  return compact.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(compact);
};
const base64 = (text: string | Uint8Array) => Buffer.from(text).toString('base64');

const asSent = fc
  .tuple(hostileBody, jsonContentType)
  .map(([b, contentType]): HostileRequest => ({ ...b, contentType, isBase64Encoded: false }));

const base64Encoded = fc.tuple(hostileBody, jsonContentType).map(
  ([b, contentType]): HostileRequest => ({ ...b, kind: `${b.kind}, base64`, body: base64(b.body), contentType, isBase64Encoded: true }),
);

/** Bytes that are not UTF-8 at all (0xFF never is), which only base64 can carry. */
const notUtf8 = fc
  .uint8Array({ maxLength: 64 })
  .map((tail): HostileRequest => ({
    kind: 'base64 of bytes that are not UTF-8',
    body: base64(Buffer.concat([Buffer.from([0xff]), tail])),
    code: 'MALFORMED_JSON',
    fields: [],
    onlyThese: true,
    contentType: 'application/json',
    isBase64Encoded: true,
  }));

const notBase64 = fc
  .oneof(
    hostileBody.map((b) => b.body),
    fc.tuple(hostileBody, fc.constantFrom('!', '{', '-', '_', '.', '%', '=', 'é', '\u0000', '😀'), fc.nat()).map(([b, alien, at]) => {
      const encoded = base64(b.body);
      const i = at % encoded.length;
      return encoded.slice(0, i) + alien + encoded.slice(i);
    }),
    hostileBody.map((b) => base64(b.body).replace(/=+$/, '').replaceAll('+', '-').replaceAll('/', '_')),
  )
  .filter((text) => text.length <= 4000 && !isBase64(text))
  .map((body): HostileRequest => ({
    kind: 'flagged base64, but is not',
    body,
    code: 'MALFORMED_BODY',
    fields: [],
    onlyThese: true,
    contentType: 'application/json',
    isBase64Encoded: true,
  }));

const notDeclaredJson = fc
  .tuple(hostileBody.filter((b) => bytes(b.body) <= MAX_BODY_BYTES), wrongContentType)
  .map(([b, contentType]): HostileRequest => ({
    ...b,
    kind: `${b.kind}, as ${JSON.stringify(contentType)}`,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    fields: [],
    contentType,
    isBase64Encoded: false,
  }));

const noBody = jsonContentType.map(
  (contentType): HostileRequest => ({
    kind: 'no body',
    body: null,
    code: 'MALFORMED_JSON',
    fields: [],
    onlyThese: true,
    contentType,
    isBase64Encoded: false,
  }),
);

const hostileRequest: fc.Arbitrary<HostileRequest> = fc.oneof(
  { arbitrary: asSent, weight: 6 },
  { arbitrary: base64Encoded, weight: 2 },
  { arbitrary: notUtf8, weight: 1 },
  { arbitrary: notBase64, weight: 1 },
  { arbitrary: notDeclaredJson, weight: 2 },
  { arbitrary: noBody, weight: 1 },
);

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

  const decoded = request.isBase64Encoded && request.body && isBase64(request.body) ? Buffer.from(request.body, 'base64').toString() : '';
  expectQuietLogs(lines, [request.body ?? '', decoded]);
  const outcome = logRecords(lines).filter((r) => r.correlation_id === requestId);
  expect(outcome).toMatchObject([{ outcome: 'answered-error', face: 'http', error: { code: request.code, kind: 'invalid-request' } }]);
  return { status: result.statusCode, error: { ...error, request_id: undefined } };
}

describe('HTTP face: hostile bodies', () => {
  it('answers each with a documented 4xx that names the problem, never calling Thulium, on both payload formats', async () => {
    await fc.assert(
      fc.asyncProperty(hostileRequest, async (request) => {
        world.simulator.calls.length = 0;
        const options = { body: request.body, contentType: request.contentType, isBase64Encoded: request.isBase64Encoded };
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
    const result = await handler(restApiEvent({ body: `{"phone_number":"1","status_id":3,${JSON.stringify(key)}:1}` }), lambdaContext());
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
        const records = batch.hostile.map(([b, receiveCount], i) => ({ messageId: `hostile-${i}`, body: b.body, receiveCount }));
        const applied = batch.valid.map(([{ phone, status, asNumbers }, at], i) => {
          const body = asNumbers ? requestText(phone, status) : requestText(`"${phone}"`, `"${status}"`);
          records.splice(at % (records.length + 1), 0, { messageId: `valid-${i}`, body, receiveCount: 1 });
          return { phone_number: phone, status_id: status };
        });
        // One FIFO group for all: a dead-lettered record must not hold back the records after it.
        const event = batch.fifo
          ? sqsEvent(records.map((r) => ({ ...r, messageGroupId: 'one-group' })), 'outbound-status.fifo')
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
          const attributes = Object.fromEntries(Object.entries(message?.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]));
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
        expectQuietLogs(lines, batch.hostile.map(([b]) => b.body));
      }),
      { numRuns: 300, seed: SEED },
    );
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------
// Events from neither trigger.
// ---------------------------------------------------------------------------------------------

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** The marks API Gateway and SQS leave on their events; values bearing them are no test of "unsupported". */
function looksLikeApiGatewayOrSqs(event: unknown): boolean {
  if (!isObject(event)) return false;
  const { Records, requestContext } = event;
  if (Array.isArray(Records)) return Records.length > 0 && Records.every((r) => isObject(r) && r.eventSource === 'aws:sqs');
  if (!isObject(requestContext) || Array.isArray(requestContext)) return false;
  const { http } = requestContext as { http?: unknown };
  return typeof event.httpMethod === 'string' || (event.version === '2.0' && isObject(http) && typeof (http as { method?: unknown }).method === 'string');
}

const anything = fc.anything({
  maxDepth: 3,
  maxKeys: 6,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
});

const eventBridge = (detailType: string, source: string, detail: unknown) => ({
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': detailType,
  source,
  account: '123456789012',
  time: '2024-01-01T00:00:00Z',
  region: 'eu-central-1',
  resources: ['arn:aws:events:eu-central-1:123456789012:rule/every-minute'],
  detail,
});
const longText = `call ${PHONES.three} ${'x'.repeat(10_000)}`;
const nearMisses = fc.constantFrom<unknown>(
  { Records: [] },
  { Records: [{ EventSource: 'aws:sns', EventVersion: '1.0', Sns: { Message: requestText(`"${PHONES.three}"`, '3') } }] },
  { Records: [{ eventVersion: '2.1', eventSource: 'aws:s3', s3: { bucket: { name: 'b' }, object: { key: 'k' } } }] },
  { Records: [{ eventSource: 'aws:kinesis', kinesis: { data: base64('{"phone_number":"1","status_id":3}') } }] },
  { Records: [{ eventSource: 'aws:dynamodb', dynamodb: { Keys: {} } }] },
  { Records: [{ eventSource: 'aws:sqs', body: '{}' }, { EventSource: 'aws:sns' }] },
  { Records: [{ eventSource: 'aws:SQS', body: '{}' }] },
  { Records: [null] },
  { Records: 'aws:sqs' },
  [{ eventSource: 'aws:sqs', body: '{}' }],
  eventBridge('Order Placed', 'com.example.orders', { phone_number: PHONES.one }),
  eventBridge('Scheduled Event', 'aws.events', {}),
  { requestContext: {} },
  { requestContext: null, httpMethod: 'POST' },
  { httpMethod: 'POST', body: `{"phone_number":"${PHONES.three}","status_id":3}` },
  { requestContext: { http: { method: 'POST' } }, body: '{}' },
  { version: '1.0', requestContext: [], httpMethod: 'POST' },
  { version: '2.0', requestContext: { http: {} }, body: '{}' },
  { version: '2.0', requestContext: { http: { method: 7 } } },
  { [`a${'😀'.repeat(200)}`]: 1 },
  null,
  undefined,
  '',
  'POST',
  longText,
  42,
  Number.NaN,
  [],
  Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`key${i}${PHONES.three}`, i])),
  { [longText]: longText },
);
/** Shapes built from the keys the triggers look at, with anything in them. */
const recordLookAlike = fc.record({ eventSource: fc.constantFrom('aws:sns', 'aws:s3', 'aws:sqs', 'aws:sqs ', 'sqs'), body: fc.string() });
const lookAlikes = fc.dictionary(
  fc.constantFrom('Records', 'requestContext', 'httpMethod', 'version', 'body', 'eventSource', 'http', 'headers', 'source', 'detail'),
  fc.oneof(anything, fc.array(recordLookAlike)),
  { maxKeys: 4 },
);

const unsupportedEvent = fc.oneof(nearMisses, anything, lookAlikes).filter((event) => !looksLikeApiGatewayOrSqs(event));

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
        expect([...String(logged[0].event_shape)]).toSatisfy((shape: string[]) => shape.length <= 300 && shape.join("").isWellFormed());
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
