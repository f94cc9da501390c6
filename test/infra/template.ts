import type { Template } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';

/** Fn::Join, Ref and GetAtt written out, so a policy reads as it will in the account. */
export function show(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (v.Ref) return `\${${v.Ref as string}}`;
  if (v['Fn::GetAtt']) return `\${${(v['Fn::GetAtt'] as string[]).join('.')}}`;
  if (v['Fn::Join']) {
    const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(show).join(separator);
  }
  return JSON.stringify(value);
}

export const one = <T>(resources: Record<string, T>): [string, T] => {
  const entries = Object.entries(resources);
  expect(entries).toHaveLength(1);
  return entries[0]!;
};

type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown };

/** The one role Lambda assumes: the function's. */
export const functionRole = (template: Template) =>
  one(
    template.findResources('AWS::IAM::Role', {
      Properties: { AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'lambda.amazonaws.com' } }] } },
    }),
  );

export function roleStatements(template: Template) {
  const [roleId] = functionRole(template);
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
    (p.Properties.Roles as unknown[]).some((r) => show(r) === `\${${roleId}}`),
  );
  return policies
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
    .map((s) => ({
      effect: s.Effect,
      actions: [s.Action].flat().sort(),
      resources: [s.Resource].flat().map(show),
      condition: s.Condition,
    }));
}
