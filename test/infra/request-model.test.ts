import { App, Stack } from 'aws-cdk-lib';
import { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Template } from 'aws-cdk-lib/assertions';
import AjvDraft04 from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { StatusUpdateRequest } from '../../functions/outbound-status/contract.ts';
import { requestModelSchema } from '../../infra/request-model.ts';

/** The model as CloudFormation hands it to API Gateway. */
function renderedModel(): object {
  const stack = new Stack(new App(), 'Model');
  const api = new RestApi(stack, 'Api');
  api.root.addMethod('ANY');
  api.addModel('M', { contentType: 'application/json', schema: requestModelSchema() });
  const models = Template.fromStack(stack).findResources('AWS::ApiGateway::Model');
  return Object.values(models)[0]!.Properties.Schema as object;
}

const BODIES: unknown[] = [
  { phone_number: '111222333', status_id: '3' },
  { phone_number: 111222333, status_id: 3 },
  { phone_number: '+48 (111) 222-333', status_id: 999_999_999_999_999 },
  { phone_number: '0', status_id: '1' },
  { phone_number: '1'.repeat(32), status_id: '123456789012345' },
  { phone_number: '1'.repeat(33), status_id: 3 },
  { phone_number: '', status_id: 3 },
  { phone_number: '+', status_id: 3 },
  { phone_number: '48+111', status_id: 3 },
  { phone_number: '１２３', status_id: 3 },
  { phone_number: '١٢٣', status_id: 3 },
  { phone_number: '123\n', status_id: 3 },
  { phone_number: -1, status_id: 3 },
  { phone_number: 1.5, status_id: 3 },
  { phone_number: 2 ** 53, status_id: 3 },
  { phone_number: '1', status_id: 0 },
  { phone_number: '1', status_id: '0' },
  { phone_number: '1', status_id: '01' },
  { phone_number: '1', status_id: 1_000_000_000_000_000 },
  { phone_number: '1', status_id: '1000000000000000' },
  { phone_number: '1', status_id: null },
  { phone_number: '1', status_id: [3] },
  { phone_number: '1' },
  { status_id: 3 },
  { phone_number: '1', status_id: 3, extra: true },
  JSON.parse('{"phone_number":"1","status_id":3,"__proto__":{"x":1}}'),
  [],
  null,
  'phone_number=1',
  42,
];

describe('the API Gateway request model', () => {
  it('is generated from the zod contract and accepts exactly what the function accepts', () => {
    const validate = new AjvDraft04.default({ strict: false }).compile(renderedModel());
    const disagreements = BODIES.filter((body) => validate(body) !== StatusUpdateRequest.safeParse(body).success);
    expect(disagreements).toEqual([]);
    expect(BODIES.filter((body) => validate(body))).toHaveLength(5);
  });
});
