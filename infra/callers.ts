import { AccountPrincipal, AnyPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Settings } from './settings.ts';

/**
 * Allow statements for the accounts and organisations of the settings, one statement for all the
 * accounts and one per organisation. Cross-account callers need their own IAM allow too.
 */
export function callerStatements(settings: Settings, actions: string[], resources: string[]): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  if (settings.callerAccountIds.length > 0) {
    statements.push(
      new PolicyStatement({
        actions,
        resources,
        principals: settings.callerAccountIds.map((a) => new AccountPrincipal(a)),
      }),
    );
  }
  for (const org of settings.callerOrganizationIds) {
    statements.push(
      new PolicyStatement({
        actions,
        resources,
        principals: [new AnyPrincipal()],
        conditions: { StringEquals: { 'aws:PrincipalOrgID': org } },
      }),
    );
  }
  return statements;
}
