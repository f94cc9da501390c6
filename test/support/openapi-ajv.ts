/** ajv as the contract checks compile with it, over the published OpenAPI document or any schema. */
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/** With ajv-formats, so `format: date-time` (updated_at) is checked, not merely tolerated. */
export const newAjv = () =>
  addFormats.default(
    new Ajv2020.default({ strict: true, strictRequired: false, allowUnionTypes: true, allErrors: true }),
  );

/** ajv over the whole document, as `oas`: the OpenAPI fields are declared keywords so that strict mode checks only schemas. */
export function documentAjv(openapi: object) {
  const ajv = newAjv();
  ajv.addVocabulary(['openapi', 'info', 'servers', 'security', 'paths', 'components', 'jsonSchemaDialect']);
  ajv.addSchema(openapi, 'oas');
  return ajv;
}

/** A JSON pointer into the document `documentAjv` holds, as ajv resolves it. */
export const pointer = (...segments: string[]) =>
  `oas#/${segments.map((s) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/')}`;
