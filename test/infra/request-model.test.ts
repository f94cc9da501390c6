import { App, Stack } from 'aws-cdk-lib';
import { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Template } from 'aws-cdk-lib/assertions';
import AjvDraft04 from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { StatusUpdateRequest } from '../../functions/outbound-status/core/contract.ts';
import { requestModelSchema } from '../../infra/request-model.ts';
import { ACCEPTED, REFUSED } from '../support/contract-corpus.ts';

/** The model as CloudFormation hands it to API Gateway. */
function renderedModel(): object {
  const stack = new Stack(new App(), 'Model');
  const api = new RestApi(stack, 'Api');
  api.root.addMethod('ANY');
  api.addModel('M', { contentType: 'application/json', schema: requestModelSchema() });
  const models = Template.fromStack(stack).findResources('AWS::ApiGateway::Model');
  return Object.values(models)[0]!.Properties.Schema as object;
}

const BODIES = [...ACCEPTED, ...REFUSED];

describe('the API Gateway request model', () => {
  it('is generated from the zod contract and accepts exactly what the function accepts', () => {
    const validate = new AjvDraft04.default({ strict: false }).compile(renderedModel());
    const disagreements = BODIES.filter((body) => validate(body) !== StatusUpdateRequest.safeParse(body).success);
    expect(disagreements).toEqual([]);
    expect(BODIES.filter((body) => validate(body))).toEqual(ACCEPTED);
  });
});
