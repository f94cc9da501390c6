import { type JsonSchema, JsonSchemaVersion } from 'aws-cdk-lib/aws-apigateway';
import { z } from 'zod';
import { StatusUpdateRequest } from '../functions/outbound-status/core/contract.ts';

/** API Gateway validates with JSON Schema draft 4; CDK spells `$schema` and `$ref` without the `$`. */
export function requestModelSchema(): JsonSchema {
  return toCdkSchema(z.toJSONSchema(StatusUpdateRequest, { target: 'draft-04', io: 'input' })) as JsonSchema;
}

function toCdkSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toCdkSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema') out.schema = JsonSchemaVersion.DRAFT4;
    else if (key === '$ref') out.ref = value;
    else if (key === 'properties' || key === 'definitions' || key === 'patternProperties') {
      // Keys here are field names, not keywords: keep them, convert only their schemas.
      out[key] = Object.fromEntries(
        Object.entries(value as object).map(([name, schema]) => [name, toCdkSchema(schema)]),
      );
    } else out[key] = toCdkSchema(value);
  }
  return out;
}
