/**
 * The published contracts, generated from the zod schemas the function runs with:
 * `npm run contracts [dir]` writes them to `contracts/` (or `dir`).
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod/mini';
import { ErrorAnswer } from '../functions/outbound-status/faces/answers.ts';
import { StatusUpdateRequest, StatusUpdateResponse } from '../functions/outbound-status/core/contract.ts';
import { OutcomeEventDetail } from '../functions/outbound-status/faces/outcome-event.ts';
import { API_RESOURCE_PATH, STAGE_NAME } from '../infra/api-route.ts';
import {
  FUNCTION_ANSWERS,
  OTHER_ANSWERS,
  STATUS_SUMMARY,
  VENDOR_REQUESTS,
  VENDOR_RESPONSE,
} from './contract-answers.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
export const CONTRACTS_DIR = join(root, 'contracts');
export const REQUEST_SCHEMA_FILE = 'status-update-request.schema.json';
export const OPENAPI_FILE = 'openapi.json';
export const OUTCOME_EVENT_SCHEMA_FILE = 'outcome-event-detail.schema.json';
const REQUEST_SCHEMA_ID = 'urn:thulium-outbound-status:status-update-request';
const OUTCOME_EVENT_SCHEMA_ID = 'urn:thulium-outbound-status:outcome-event-detail';
const REQUEST_ID = 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef';

/** zod drops examples of a transforming schema for `io: 'input'`; the registered ones are inputs, as the vendor writes them. */
const keepExamples = ({
  zodSchema,
  jsonSchema,
}: {
  zodSchema: z.core.$ZodType;
  jsonSchema: { examples?: unknown[] };
}) => {
  const examples = z.globalRegistry.get(zodSchema)?.examples;
  if (Array.isArray(examples)) jsonSchema.examples = examples;
};

/** Title and description first, for people reading the file; the dialect is the document's. */
const component = ({ $schema: _, title, description, ...schema }: Record<string, unknown>) => ({
  title,
  description,
  ...schema,
});

function requestJsonSchema(): Record<string, unknown> {
  const { $schema, title, description, examples, ...schema } = z.toJSONSchema(StatusUpdateRequest, {
    io: 'input',
    override: keepExamples,
  });
  return { $schema, $id: REQUEST_SCHEMA_ID, title, description, examples, ...schema };
}

/** The `detail` of an outcome event, as the function writes it (docs/outcome-events.md). */
function outcomeEventJsonSchema(): Record<string, unknown> {
  const { $schema, title, description, ...schema } = z.toJSONSchema(OutcomeEventDetail, { io: 'output' });
  return { $schema, $id: OUTCOME_EVENT_SCHEMA_ID, title, description, ...schema };
}

function errorResponses(): Record<string, unknown> {
  const answers = [...FUNCTION_ANSWERS, ...OTHER_ANSWERS];
  const statuses = [...new Set(answers.map((a) => a.status))].sort((a, b) => a - b);
  return Object.fromEntries(
    statuses.map((status) => {
      const here = answers.filter((a) => a.status === status);
      const summary = STATUS_SUMMARY[status];
      if (!summary) throw new Error(`No summary for HTTP ${status} in scripts/contracts.ts`);
      const lines = here.map((a) => `- \`${a.code}\`${a.by === 'function' ? '' : ` (${a.by})`}: ${a.when}`);
      const headers = {
        ...(status === 405 && { Allow: { $ref: '#/components/headers/Allow' } }),
        ...(status === 503 && { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } }),
      };
      const error = {
        type: 'object',
        properties: { code: { enum: [...new Set(here.map((a) => a.code))] } },
        ...(status === 503 && { required: ['retry_after_seconds'] }),
        ...(status === 409 && { required: ['update_version', 'applied_version'] }),
      };
      const examples = Object.fromEntries(
        here.map(({ code, by, example: { message, ...extra } }) => [
          by === 'function' ? code : `${code}.api-gateway`,
          { summary: `${code} (${by})`, value: { error: { code, message, request_id: REQUEST_ID, ...extra } } },
        ]),
      );
      const schema = {
        allOf: [{ $ref: '#/components/schemas/ErrorAnswer' }, { type: 'object', properties: { error } }],
      };
      return [
        String(status),
        {
          description: `${summary}\n\n${lines.join('\n')}`,
          ...(Object.keys(headers).length > 0 && { headers }),
          content: { 'application/json': { schema, examples } },
        },
      ];
    }),
  );
}

function openApiDocument(): Record<string, unknown> {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Thulium outbound status',
      version,
      description:
        'Sets a Thulium outbound-campaign status by phone number: every record whose main number is `phone_number` gets `status_id`. The same JSON body can be sent to the SQS queue instead. Every answer is JSON; errors are `{"error": {code, message, request_id, ...}}`, API Gateway\'s own refusals included.',
    },
    servers: [
      {
        url: `https://{apiId}.execute-api.{region}.amazonaws.com/${STAGE_NAME}`,
        description: 'The stack output `ApiUrl`, without its path.',
        variables: {
          apiId: { default: 'your-api-id', description: 'The REST API id: the first label of `ApiUrl`.' },
          region: { default: 'eu-central-1', description: 'The region the stack is deployed in.' },
        },
      },
    ],
    security: [{ sigv4: [] }],
    paths: {
      [`/${API_RESOURCE_PATH}`]: {
        post: {
          operationId: 'setOutboundStatusByPhoneNumber',
          summary: 'Set the campaign status of every record with this main phone number',
          description:
            "Thulium's own endpoint of the same path, behind AWS IAM. API Gateway checks the body against the schema before the function runs. Setting the same status twice is harmless; two different updates for one number are order-sensitive.",
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { $ref: '#/components/schemas/StatusUpdateRequest' },
                examples: VENDOR_REQUESTS,
              },
            },
          },
          responses: {
            200: {
              description:
                "Thulium applied the update. The body is Thulium's answer, unchanged: the campaigns whose records got the status.",
              content: {
                'application/json': {
                  schema: { $ref: '#/components/schemas/StatusUpdateResponse' },
                  example: VENDOR_RESPONSE,
                },
              },
            },
            ...errorResponses(),
          },
        },
      },
    },
    components: {
      schemas: {
        StatusUpdateRequest: requestJsonSchema(),
        StatusUpdateResponse: component({
          ...z.toJSONSchema(StatusUpdateResponse),
          title: 'StatusUpdateResponse',
          description: "Thulium's answer, unchanged: the ids of the campaigns whose records got the status.",
        }),
        ErrorAnswer: component(z.toJSONSchema(ErrorAnswer)),
      },
      headers: {
        Allow: { description: 'The one method served.', required: true, schema: { type: 'string', const: 'POST' } },
        RetryAfter: {
          description: 'Seconds to wait before sending the update again; the same as `retry_after_seconds`.',
          required: true,
          schema: { type: 'string', pattern: '^[1-9][0-9]*$' },
        },
      },
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          description:
            'AWS Signature Version 4 for the service `execute-api` (with `X-Amz-Date`, and `X-Amz-Security-Token` for temporary credentials); the caller needs `execute-api:Invoke` on this method.',
          'x-amazon-apigateway-authtype': 'awsSigv4',
        },
      },
    },
  };
}

const render = (document: unknown) => `${JSON.stringify(document, null, 2)}\n`;

/** File name → content, exactly as checked in. */
export function renderContracts(): Record<string, string> {
  return {
    [OPENAPI_FILE]: render(openApiDocument()),
    [REQUEST_SCHEMA_FILE]: render(requestJsonSchema()),
    [OUTCOME_EVENT_SCHEMA_FILE]: render(outcomeEventJsonSchema()),
  };
}

export async function writeContracts(dir: string = CONTRACTS_DIR): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files = Object.entries(renderContracts());
  await Promise.all(files.map(([name, text]) => writeFile(join(dir, name), text)));
  return files.map(([name]) => join(dir, name));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] === undefined ? CONTRACTS_DIR : resolve(process.argv[2]);
  for (const file of await writeContracts(dir)) console.log(file);
}
