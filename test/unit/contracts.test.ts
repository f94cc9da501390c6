import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StatusUpdateRequest } from '../../functions/outbound-status/core/contract.ts';
import { ERROR_CATALOGUE } from '../../functions/outbound-status/core/error-catalogue.ts';
import { API_RESOURCE_PATH } from '../../infra/api-route.ts';
import {
  CONTRACTS_DIR,
  OPENAPI_FILE,
  OUTCOME_EVENT_SCHEMA_FILE,
  renderContracts,
  REQUEST_SCHEMA_FILE,
} from '../../scripts/contracts.ts';
import { parseOutcomeEvent } from '../../functions/outbound-status/client/outcome-events.ts';
import { OutcomeEventDetail } from '../../functions/outbound-status/faces/outcome-event.ts';
import { hostileBody } from '../support/hostile-bodies.ts';
import { ACCEPTED, REFUSED } from '../support/contract-corpus.ts';
import { documentAjv, newAjv, pointer } from '../support/openapi-ajv.ts';

const rendered = renderContracts();
const checkedIn = (name: string) =>
  existsSync(join(CONTRACTS_DIR, name)) ? readFileSync(join(CONTRACTS_DIR, name), 'utf8') : '';
const requestSchema = JSON.parse(checkedIn(REQUEST_SCHEMA_FILE) || rendered[REQUEST_SCHEMA_FILE]!);
const openapi = JSON.parse(checkedIn(OPENAPI_FILE) || rendered[OPENAPI_FILE]!);
const PATH = `/${API_RESOURCE_PATH}`;
const operation = openapi.paths[PATH].post;
const responses: Record<string, any> = operation.responses;
const errorStatuses = Object.keys(responses).filter((status) => status !== '200');

const oas = documentAjv(openapi);
const validatorAt = (...segments: string[]) => oas.getSchema(pointer(...segments))!;
const responseSchema = (status: string) =>
  validatorAt('paths', PATH, 'post', 'responses', status, 'content', 'application/json', 'schema');
const validateRequest = newAjv().compile(requestSchema);

describe('the checked-in contracts', () => {
  it.each(Object.keys(rendered))('contracts/%s is what the zod schemas render', (name) => {
    expect(checkedIn(name), `contracts/${name} is stale: run \`npm run contracts\` and commit the result`).toBe(
      rendered[name],
    );
  });

  it('are all rendered: no file in contracts/ is left from an older contract', () => {
    expect(
      (existsSync(CONTRACTS_DIR) ? readdirSync(CONTRACTS_DIR) : []).sort(),
      'run `npm run contracts` and delete what it no longer writes',
    ).toEqual(Object.keys(rendered).sort());
  });

  it('put the very JSON Schema of the message in the OpenAPI document', () => {
    expect(openapi.components.schemas.StatusUpdateRequest).toEqual(requestSchema);
    expect(operation.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/StatusUpdateRequest',
    });
  });
});

describe('every error answer', () => {
  /** The statuses whose schema takes an error with this code. */
  const statusesOf = (code: string) =>
    errorStatuses.filter((status) =>
      responseSchema(status)({
        error: {
          code,
          message: 'm',
          request_id: 'r',
          retry_after_seconds: 1,
          update_version: '2026-12-01T09:00:00.000Z',
          applied_version: '2026-12-01T09:00:01.000Z',
        },
      }),
    );

  it.each(Object.entries(ERROR_CATALOGUE).map(([code, entry]) => [code, entry.httpStatus] as const))(
    '%s is documented under %i, and under no other status',
    (code, status) => {
      expect(statusesOf(code)).toEqual([String(status)]);
    },
  );

  it.each([
    ['INTERNAL_ERROR', '500'],
    ['VALIDATION_FAILED', '400'],
    ['MISSING_AUTHENTICATION_TOKEN', '403'],
    ['INVALID_SIGNATURE', '403'],
    ['ACCESS_DENIED', '403'],
    ['THROTTLED', '429'],
  ])("%s (a bug, or API Gateway's own refusal) is documented under %s", (code, status) => {
    expect(statusesOf(code)).toEqual([status]);
  });

  it('refuses a code its status does not give, and an envelope with an unknown field', () => {
    expect(responseSchema('400')({ error: { code: 'THULIUM_TIMEOUT', message: 'm', request_id: 'r' } })).toBe(false);
    expect(
      responseSchema('400')({ error: { code: 'MALFORMED_JSON', message: 'm', request_id: 'r', stack: 'at x' } }),
    ).toBe(false);
  });

  it('carries Retry-After (and retry_after_seconds) on 503, Allow on 405', () => {
    const header = (status: string, name: string) => {
      const value = responses[status].headers?.[name];
      return value?.$ref ? openapi.components.headers[value.$ref.split('/').pop()] : value;
    };
    expect(header('503', 'Retry-After')).toMatchObject({ required: true });
    expect(header('405', 'Allow')).toMatchObject({ required: true, schema: { const: 'POST' } });
    expect(responseSchema('503')({ error: { code: 'THULIUM_UNAVAILABLE', message: 'm', request_id: 'r' } })).toBe(
      false,
    );
  });
});

describe('the JSON Schema of the message', () => {
  it("takes the vendor's examples: its own, and the OpenAPI document's", () => {
    const vendor = [
      { phone_number: '111222333', status_id: '3' },
      { phone_number: '333444555', status_id: '8' },
    ];
    const documented = Object.values(operation.requestBody.content['application/json'].examples).map(
      (e: any) => e.value,
    );
    expect(documented).toEqual(vendor);
    for (const body of [...vendor, ...requestSchema.examples, ...ACCEPTED])
      expect(validateRequest(body), JSON.stringify(body)).toBe(true);
  });

  it('refuses what the contract refuses', () => {
    for (const body of REFUSED) {
      expect(StatusUpdateRequest.safeParse(body).success).toBe(false);
      expect(validateRequest(body), JSON.stringify(body)).toBe(false);
    }
  });

  it('refuses the hostile bodies the function answers VALIDATION_FAILED (seeded)', () => {
    fc.assert(
      fc.property(hostileBody, ({ body, code }) => {
        fc.pre(code === 'VALIDATION_FAILED');
        expect(validateRequest(JSON.parse(body)), body).toBe(false);
      }),
      { seed: 20261127, numRuns: 300 },
    );
  });
});

describe("the JSON Schema of an outcome event's detail", () => {
  const schema = JSON.parse(checkedIn(OUTCOME_EVENT_SCHEMA_FILE) || rendered[OUTCOME_EVENT_SCHEMA_FILE]!);
  const validate = newAjv().compile(schema);
  const applied = { outcome: 'applied', face: 'queue', correlation_id: 'm-1', outbound_id: ['00001', 2] };
  const error = { code: 'THULIUM_REFUSED', kind: 'refused', message: 'm' };
  const details: Array<[string, boolean, unknown]> = [
    ['applied', true, applied],
    ['a field added later', true, { ...applied, added_later: { any: 'thing' } }],
    ['dead-lettered', true, { outcome: 'dead-lettered', face: 'queue', correlation_id: 'm-2', error }],
    ['superseded', true, { outcome: 'superseded', face: 'http', correlation_id: 'r-1', applied_version: 'v' }],
    ['no correlation id', false, { outcome: 'applied', face: 'queue' }],
    ['an unknown outcome', false, { ...applied, outcome: 'lost' }],
    ['an unknown face', false, { ...applied, face: 'fax' }],
    ['an error without its code', false, { ...applied, error: { kind: 'refused', message: 'm' } }],
    ['outbound_id not a list', false, { ...applied, outbound_id: '00001' }],
    ['a wrapper not known', false, { ...applied, envelope: 'kinesis' }],
  ];

  it.each(details)('agrees with the zod schema on %s (accepted: %s)', (_, accepted, detail) => {
    expect(OutcomeEventDetail.safeParse(detail).success).toBe(accepted);
    expect(validate(detail), JSON.stringify(validate.errors)).toBe(accepted);
  });

  it('takes the example of docs/outcome-events.md, whose field table lists every field', () => {
    const page = readFileSync(join(CONTRACTS_DIR, '..', 'docs', 'outcome-events.md'), 'utf8');
    const example = JSON.parse(/^## The event\n[\s\S]*?^```json\n([\s\S]*?)^```$/m.exec(page)![1]!);
    expect(parseOutcomeEvent(example)).toEqual(example);
    expect(validate(example.detail), JSON.stringify(validate.errors)).toBe(true);
    const fields = Object.entries(schema.properties as Record<string, { properties?: object }>).flatMap(
      ([name, property]) => [name, ...Object.keys(property.properties ?? {}).map((inner) => `${name}.${inner}`)],
    );
    for (const field of fields) expect(page, field).toContain(`| \`${field}\` |`);
  });
});

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 by the rules of its own schema that ajv can check offline', () => {
    const validate = newAjv().compile(OAS_31);
    expect(validate(openapi), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('is refused by those rules when broken, so the check is real', () => {
    const broken = structuredClone(openapi);
    delete broken.paths[PATH].post.responses['200'].description;
    broken.paths[PATH].post.responses['600'] = { description: 'no such status' };
    broken.paths[PATH].post.request = {};
    const validate = newAjv().compile(OAS_31);
    expect(validate(broken)).toBe(false);
    expect(validate.errors!.map((e) => e.instancePath)).toEqual(
      expect.arrayContaining([
        `/paths/${PATH.replace(/\//g, '~1')}/post`,
        `/paths/${PATH.replace(/\//g, '~1')}/post/responses/200`,
      ]),
    );
  });

  it('resolves every $ref, names only defined security schemes and server variables', () => {
    const refs: string[] = [];
    JSON.stringify(openapi, (key, value) => (key === '$ref' && refs.push(value), value));
    for (const ref of refs) {
      const target = ref
        .slice(2)
        .split('/')
        .reduce<any>((node, s) => node?.[s.replace(/~1/g, '/').replace(/~0/g, '~')], openapi);
      expect(target, ref).toBeDefined();
    }
    for (const requirement of [...openapi.security, ...(operation.security ?? [])]) {
      for (const name of Object.keys(requirement)) expect(openapi.components.securitySchemes[name], name).toBeDefined();
    }
    for (const server of openapi.servers) {
      const names = [...server.url.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect(names.sort()).toEqual(Object.keys(server.variables ?? {}).sort());
    }
    expect(openapi.components.securitySchemes.sigv4).toMatchObject({
      type: 'apiKey',
      name: 'Authorization',
      in: 'header',
      'x-amazon-apigateway-authtype': 'awsSigv4',
    });
  });

  it('has examples that its own schemas accept', () => {
    const media = [
      [
        'requestBody',
        operation.requestBody.content['application/json'],
        ['paths', PATH, 'post', 'requestBody', 'content', 'application/json', 'schema'],
      ],
      ...Object.entries(responses).map(([status, response]) => [
        status,
        response.content['application/json'],
        ['paths', PATH, 'post', 'responses', status, 'content', 'application/json', 'schema'],
      ]),
    ] as Array<[string, any, string[]]>;
    let checked = 0;
    for (const [name, content, at] of media) {
      const validate = validatorAt(...at);
      const values = [
        ...('example' in content ? [content.example] : []),
        ...Object.values(content.examples ?? {}).map((e: any) => e.value),
      ];
      expect(values.length, `${name} has no example`).toBeGreaterThan(0);
      for (const value of values) {
        checked++;
        expect(validate(value), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
      }
    }
    expect(checked).toBeGreaterThan(errorStatuses.length);
  });
});

const str = { type: 'string' };
const bool = { type: 'boolean' };
const extensions = { '^x-': true };
/** An object of the specification: its fields, extensions (`x-`), nothing else. */
const obj = (
  properties: object,
  required: string[] = [],
  extra: { patternProperties?: object; [key: string]: unknown } = {},
) => ({
  type: 'object',
  properties,
  required,
  ...extra,
  patternProperties: { ...extensions, ...extra.patternProperties },
  unevaluatedProperties: false,
});
const mapOf = (schema: object | boolean) => ({ type: 'object', additionalProperties: schema });
/** A map of components, whose names the specification restricts. */
const named = (schema: object | boolean) => ({ ...mapOf(schema), propertyNames: { pattern: '^[a-zA-Z0-9._-]+$' } });
const def = (name: string) => ({ $ref: `#/$defs/${name}` });
const orRef = (name: string) => ({
  if: { type: 'object', required: ['$ref'] },
  then: def('reference'),
  else: def(name),
});
const schemaObject = { type: ['object', 'boolean'] };
const examples = { example: true, examples: mapOf(orRef('example')) };

/** The OpenAPI 3.1.0 specification's object rules, after its published JSON Schema, for the objects this document uses. */
const OAS_31 = {
  $defs: {
    reference: {
      type: 'object',
      properties: { $ref: str, summary: str, description: str },
      required: ['$ref'],
      additionalProperties: false,
    },
    info: obj(
      {
        title: str,
        summary: str,
        description: str,
        termsOfService: str,
        contact: { type: 'object' },
        license: { type: 'object' },
        version: str,
      },
      ['title', 'version'],
    ),
    serverVariable: obj({ enum: { type: 'array', items: str, minItems: 1 }, default: str, description: str }, [
      'default',
    ]),
    server: obj({ url: str, description: str, variables: mapOf(def('serverVariable')) }, ['url']),
    example: obj({ summary: str, description: str, value: true, externalValue: str }, [], {
      not: { required: ['value', 'externalValue'] },
    }),
    mediaType: obj({ schema: schemaObject, encoding: { type: 'object' }, ...examples }),
    content: mapOf(def('mediaType')),
    header: obj(
      {
        description: str,
        required: bool,
        deprecated: bool,
        schema: schemaObject,
        content: def('content'),
        style: { const: 'simple' },
        explode: bool,
        ...examples,
      },
      [],
      {
        oneOf: [{ required: ['schema'] }, { required: ['content'] }],
      },
    ),
    response: obj(
      { description: str, headers: mapOf(orRef('header')), content: def('content'), links: { type: 'object' } },
      ['description'],
    ),
    requestBody: obj({ description: str, content: def('content'), required: bool }, ['content']),
    securityRequirement: mapOf({ type: 'array', items: str }),
    operation: obj({
      tags: { type: 'array', items: str },
      summary: str,
      description: str,
      externalDocs: { type: 'object' },
      operationId: str,
      parameters: { type: 'array' },
      requestBody: orRef('requestBody'),
      responses: obj({ default: orRef('response') }, [], {
        minProperties: 1,
        patternProperties: { '^[1-5](?:[0-9]{2}|XX)$': orRef('response') },
      }),
      callbacks: { type: 'object' },
      deprecated: bool,
      security: { type: 'array', items: def('securityRequirement') },
      servers: { type: 'array', items: def('server') },
    }),
    pathItem: obj(
      {
        summary: str,
        description: str,
        servers: { type: 'array', items: def('server') },
        parameters: { type: 'array' },
      },
      [],
      {
        patternProperties: { '^(get|put|post|delete|options|head|patch|trace)$': def('operation') },
      },
    ),
    securityScheme: obj(
      {
        type: { enum: ['apiKey', 'http', 'mutualTLS', 'oauth2', 'openIdConnect'] },
        description: str,
        name: str,
        in: { enum: ['query', 'header', 'cookie'] },
        scheme: str,
        bearerFormat: str,
        flows: { type: 'object' },
        openIdConnectUrl: str,
      },
      ['type'],
      { if: { properties: { type: { const: 'apiKey' } } }, then: { required: ['name', 'in'] } },
    ),
    components: obj({
      schemas: named(schemaObject),
      responses: named(orRef('response')),
      parameters: named(true),
      examples: named(orRef('example')),
      requestBodies: named(orRef('requestBody')),
      headers: named(orRef('header')),
      securitySchemes: named(orRef('securityScheme')),
      links: named(true),
      callbacks: named(true),
      pathItems: named(def('pathItem')),
    }),
  },
  ...obj(
    {
      openapi: { type: 'string', pattern: '^3\\.1\\.\\d+(-.+)?$' },
      info: def('info'),
      jsonSchemaDialect: str,
      servers: { type: 'array', items: def('server') },
      paths: obj({}, [], { patternProperties: { '^/': def('pathItem') } }),
      webhooks: mapOf(def('pathItem')),
      components: def('components'),
      security: { type: 'array', items: def('securityRequirement') },
      tags: { type: 'array' },
      externalDocs: { type: 'object' },
    },
    ['openapi', 'info'],
    { anyOf: [{ required: ['paths'] }, { required: ['components'] }, { required: ['webhooks'] }] },
  ),
};
