/** The hostile bodies of `hostile-bodies.ts`, and worse, in every way API Gateway can hand a request over. */
import fc from 'fast-check';
import { bytes, hostileBody, MAX_BODY_BYTES, type BodyCode, type HostileBody } from './hostile-bodies.ts';

export type HttpCode = BodyCode | 'MALFORMED_BODY' | 'UNSUPPORTED_MEDIA_TYPE';

export interface HostileRequest extends Omit<HostileBody, 'code' | 'body'> {
  code: HttpCode;
  body: string | null;
  contentType: string | null;
  isBase64Encoded: boolean;
}

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
export const isBase64 = (text: string) => {
  const compact = text.replace(/\s+/g, '');
  return compact.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(compact);
};
export const base64 = (text: string | Uint8Array) => Buffer.from(text).toString('base64');

const asSent = fc
  .tuple(hostileBody, jsonContentType)
  .map(([b, contentType]): HostileRequest => ({ ...b, contentType, isBase64Encoded: false }));

const base64Encoded = fc.tuple(hostileBody, jsonContentType).map(
  ([b, contentType]): HostileRequest => ({
    ...b,
    kind: `${b.kind}, base64`,
    body: base64(b.body),
    contentType,
    isBase64Encoded: true,
  }),
);

/** Bytes that are not UTF-8 at all (0xFF never is), which only base64 can carry. */
const notUtf8 = fc.uint8Array({ maxLength: 64 }).map(
  (tail): HostileRequest => ({
    kind: 'base64 of bytes that are not UTF-8',
    body: base64(Buffer.concat([Buffer.from([0xff]), tail])),
    code: 'MALFORMED_JSON',
    fields: [],
    onlyThese: true,
    contentType: 'application/json',
    isBase64Encoded: true,
  }),
);

const notBase64 = fc
  .oneof(
    hostileBody.map((b) => b.body),
    fc
      .tuple(hostileBody, fc.constantFrom('!', '{', '-', '_', '.', '%', '=', 'é', '\u0000', '😀'), fc.nat())
      .map(([b, alien, at]) => {
        const encoded = base64(b.body);
        const i = at % encoded.length;
        return encoded.slice(0, i) + alien + encoded.slice(i);
      }),
    hostileBody.map((b) => base64(b.body).replace(/=+$/, '').replaceAll('+', '-').replaceAll('/', '_')),
  )
  .filter((text) => text.length <= 4000 && !isBase64(text))
  .map(
    (body): HostileRequest => ({
      kind: 'flagged base64, but is not',
      body,
      code: 'MALFORMED_BODY',
      fields: [],
      onlyThese: true,
      contentType: 'application/json',
      isBase64Encoded: true,
    }),
  );

const notDeclaredJson = fc
  .tuple(
    hostileBody.filter((b) => bytes(b.body) <= MAX_BODY_BYTES),
    wrongContentType,
  )
  .map(
    ([b, contentType]): HostileRequest => ({
      ...b,
      kind: `${b.kind}, as ${JSON.stringify(contentType)}`,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      fields: [],
      contentType,
      isBase64Encoded: false,
    }),
  );

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

export const hostileRequest: fc.Arbitrary<HostileRequest> = fc.oneof(
  { arbitrary: asSent, weight: 6 },
  { arbitrary: base64Encoded, weight: 2 },
  { arbitrary: notUtf8, weight: 1 },
  { arbitrary: notBase64, weight: 1 },
  { arbitrary: notDeclaredJson, weight: 2 },
  { arbitrary: noBody, weight: 1 },
);
