import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import {
  type App,
  type IPolicyValidationContext,
  type IPolicyValidationPlugin,
  type PolicyValidationPluginReport,
  Validations,
} from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * cfn-guard reports its findings without a severity. Once one of them is acknowledged, aws-cdk-lib
 * recomputes the report's success from severities alone, and every other finding of that plugin
 * would pass unseen. Marking them as errors keeps each one failing until it is acknowledged.
 */
class FindingsAreErrors implements IPolicyValidationPlugin {
  readonly name: string;
  readonly version?: string;
  readonly ruleIds?: string[];
  private readonly inner: IPolicyValidationPlugin;

  constructor(inner: IPolicyValidationPlugin) {
    this.inner = inner;
    this.name = inner.name;
    this.version = inner.version;
    this.ruleIds = inner.ruleIds;
  }

  validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const report = this.inner.validate(context);
    return { ...report, violations: report.violations.map((v) => ({ ...v, severity: v.severity ?? 'error' })) };
  }
}

/** cdk-nag's AWS Solutions pack and the Control Tower proactive controls, on every synth of the app. */
export function addComplianceChecks(app: App): void {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new FindingsAreErrors(new CfnGuardValidator() as IPolicyValidationPlugin),
  );
}
