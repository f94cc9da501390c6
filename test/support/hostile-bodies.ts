/**
 * Request bodies the function must refuse. Both faces take the same bodies, so both are held to one
 * account of what is invalid and why; `hostile-requests.ts` wraps them as API Gateway hands them over.
 */
import fc from 'fast-check';
import { PHONES } from './world.ts';

export const MAX_BODY_BYTES = 4096;

// ---------------------------------------------------------------------------------------------
// Hostile bodies, shared by both faces. Each is invalid by construction and carries what the
// function must answer, so a counterexample names its category.
// ---------------------------------------------------------------------------------------------

export type BodyCode = 'MALFORMED_JSON' | 'VALIDATION_FAILED' | 'PAYLOAD_TOO_LARGE';

export interface HostileBody {
  kind: string;
  body: string;
  code: BodyCode;
  /** VALIDATION_FAILED: fields the answer must name. */
  fields: string[];
  /** Whether those are all it may name (not so where the function prints a hostile key its own way). */
  onlyThese: boolean;
}

export const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** Whatever else is wrong with it, a body over the limit is a 413. */
const hostile = (kind: string, body: string, code: BodyCode, fields: string[] = [], onlyThese = true): HostileBody =>
  bytes(body) > MAX_BODY_BYTES
    ? { kind: `${kind}, over the limit`, body, code: 'PAYLOAD_TOO_LARGE', fields: [], onlyThese: true }
    : { kind, body, code, fields, onlyThese };
const invalid = (kind: string, body: string, fields: string[], onlyThese = true) =>
  hostile(kind, body, 'VALIDATION_FAILED', fields, onlyThese);

/** The contract's input rules (docs/contract.md), so that a value meant to be invalid is never valid by chance. */
const isValidPhone = (value: unknown) =>
  typeof value === 'string'
    ? value.length <= 32 && /^\+?[0-9 ()./-]*[0-9][0-9 ()./-]*$/.test(value)
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

export const requestText = (phone: string, status: string, ...extra: Array<[string, string]>) =>
  objectText([['phone_number', phone], ['status_id', status], ...extra]);

/** Valid values, as JSON text, to stand beside the broken part of a body. */
const phoneText = fc.oneof(
  fc.stringMatching(/^\+?[1-9][0-9]{5,11}$/).map((phone) => JSON.stringify(phone)),
  fc.integer({ min: 100_000, max: 999_999_999_999 }).map(String),
);
const statusText = fc
  .tuple(fc.integer({ min: 1, max: 99_999 }), fc.boolean())
  .map(([n, quoted]) => (quoted ? `"${n}"` : String(n)));
const validRequestText = fc.tuple(phoneText, statusText).map(([phone, status]) => requestText(phone, status));

const otherScriptDigits = ['٠١٢٣٤٥٦٧٨٩', '۰۱۲۳۴۵۶۷۸۹', '०१२३४५६७८९', '０１２３４５６７８９', '𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗'].flatMap(
  (d) => Array.from(d),
);
/** Letters, digits of other scripts, controls, invisible characters and look-alikes of the allowed signs. */
const alienChar = fc.constantFrom(
  'a',
  'O',
  'l',
  'x',
  '#',
  '*',
  ',',
  ';',
  '_',
  '+',
  '\\',
  '"',
  '\t',
  '\n',
  '\r',
  '\u0000',
  '\u001b',
  '\u007f',
  '\u00a0',
  '\u200b',
  '\u202e',
  '\u2028',
  '\u2212',
  '\ufeff',
  '\ud800',
  '😀',
  ...otherScriptDigits,
);
const withAlienChar = fc
  .tuple(fc.stringMatching(/^[0-9]{0,12}$/), alienChar, fc.nat())
  .map(
    ([digits, alien, at]) => digits.slice(0, at % (digits.length + 1)) + alien + digits.slice(at % (digits.length + 1)),
  );
const foreignDigits = fc
  .array(fc.constantFrom(...otherScriptDigits), { minLength: 1, maxLength: 15 })
  .map((d) => d.join(''));
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
    fc
      .oneof(withAlienChar, foreignDigits, fc.stringMatching(/^\+?[ ()./-]{0,12}$/), hugeString)
      .map((s) => JSON.stringify(s)),
    wrongType,
    fc
      .oneof(
        fc.integer({ min: -(2 ** 53), max: -1 }),
        fraction,
        fc.double({ min: 2 ** 53, noNaN: true, noDefaultInfinity: true }),
      )
      .map(String),
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
    fc
      .oneof(fc.integer({ min: -(2 ** 53), max: 0 }), fraction, fc.integer({ min: 1e15, max: Number.MAX_SAFE_INTEGER }))
      .map(String),
    hugeNumberText,
    fc.constant('-0'),
  )
  .filter((text) => !isValidStatus(JSON.parse(text)));

const badFields = fc.oneof(
  fc
    .tuple(badPhone, statusText)
    .map(([phone, status]) => invalid('bad phone_number', requestText(phone, status), ['phone_number'])),
  fc
    .tuple(phoneText, badStatus)
    .map(([phone, status]) => invalid('bad status_id', requestText(phone, status), ['status_id'])),
  fc
    .tuple(badPhone, badStatus)
    .map(([phone, status]) =>
      invalid('bad phone_number and status_id', requestText(phone, status), ['phone_number', 'status_id']),
    ),
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
    const missing = [phone === undefined && 'phone_number', status === undefined && 'status_id'].filter(
      (f) => f !== false,
    );
    return invalid('missing fields', objectText(members), missing);
  });

/** Keys the function can name as they are; any other key it escapes, masks or shortens. */
export const isPlainKey = (key: string) => /^[A-Za-z_]{1,40}$/.test(key);
const unknownKey = fc
  .oneof(
    fc.stringMatching(/^[A-Za-z_]{1,40}$/),
    fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      'valueOf',
      'hasOwnProperty',
      '__defineGetter__',
      'Phone_Number',
      'PHONE_NUMBER',
      'phoneNumber',
      'statusId',
      'phone_number ',
      ' status_id',
      'phone_number\u0000',
      'status_id\u200b',
      '',
      PHONES.three,
      `+48 ${PHONES.one.replace(/(\d{3})(?=\d)/g, '$1 ')}`,
      'k'.repeat(500),
      '😀'.repeat(40),
      `a${'😀'.repeat(40)}`,
    ),
    fc.string({ unit: 'binary', maxLength: 100 }),
  )
  .filter((key) => key !== 'phone_number' && key !== 'status_id');

const unknownFields = fc
  .tuple(
    phoneText,
    statusText,
    fc.uniqueArray(fc.tuple(unknownKey, fc.jsonValue({ maxDepth: 2 })), {
      minLength: 1,
      maxLength: 5,
      selector: ([key]) => key,
    }),
  )
  .map(([phone, status, extras]) => {
    const keys = extras.map(([key]) => key);
    const body = requestText(
      phone,
      status,
      ...extras.map(([key, value]): [string, string] => [key, JSON.stringify(value)]),
    );
    return invalid('unknown fields', body, keys.filter(isPlainKey), keys.every(isPlainKey));
  });

/** An answer names the first 20 problems only. */
const manyUnknownFields = fc
  .tuple(phoneText, statusText, fc.integer({ min: 21, max: 400 }))
  .map(([phone, status, count]) => {
    const keys = Array.from({ length: count }, (_, i) => `k${i}`);
    const body = requestText(phone, status, ...keys.map((key): [string, string] => [key, '1']));
    return invalid('many unknown fields', body, keys.slice(0, 20));
  });

/** Prototype keys written as raw JSON, the only way a caller can send them. */
const prototypeKeysInBody = fc.constantFrom(
  invalid('__proto__ beside a phone number', '{"__proto__":{"polluted":true},"phone_number":"1"}', [
    '__proto__',
    'status_id',
  ]),
  invalid('__proto__ beside a whole request', '{"__proto__":{"polluted":true},"phone_number":"1","status_id":"3"}', [
    '__proto__',
  ]),
  invalid('a request hidden in __proto__', `{"__proto__":{"phone_number":"${PHONES.three}","status_id":"3"}}`, [
    'phone_number',
    'status_id',
    '__proto__',
  ]),
  invalid('__proto__ array', '{"phone_number":"1","__proto__":[],"status_id":3}', ['__proto__']),
  invalid('constructor.prototype', '{"constructor":{"prototype":{"polluted":true}},"phone_number":"1","status_id":3}', [
    'constructor',
  ]),
  invalid('__proto__ inside status_id', '{"phone_number":"1","status_id":{"__proto__":{"valueOf":3}}}', ['status_id']),
  invalid('__proto__ inside phone_number', '{"phone_number":{"__proto__":"1","toString":"1"},"status_id":3}', [
    'phone_number',
  ]),
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
    const deep =
      shape === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
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
    fc
      .tuple(validRequestText, fc.nat())
      .map(([text, cut]) => ({ label: 'truncated', body: text.slice(0, cut % text.length) })),
    fc
      .tuple(validRequestText, fc.constantFrom('x', ',', '}', '{}', '\u0000', '//', ';', '\u00a0?'))
      .map(([text, tail]) => ({
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
      carrier === 'phone_number'
        ? requestText(`"${pad}"`, status)
        : requestText(phone, status, ['padding', `"${pad}"`]);
    const room = size - bytes(shell(''));
    const pad = filler.repeat(Math.floor(room / bytes(filler))) + 'x'.repeat(room % bytes(filler));
    const side = size > MAX_BODY_BYTES ? 'over' : 'at or under';
    return invalid(`${size} bytes (${side} the limit), '${filler}' in ${carrier}`, shell(pad), [carrier]);
  });

export const hostileBody: fc.Arbitrary<HostileBody> = fc.oneof(
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
