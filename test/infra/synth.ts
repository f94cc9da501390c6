import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { createApp } from '../../infra/create-app.ts';
import type { SettingsInput } from '../../infra/settings.ts';

/** The feature flags the CLI applies from cdk.json, so tests synthesise what `cdk deploy` would. */
export const CDK_JSON_CONTEXT = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'))
  .context as Record<string, unknown>;

export const TENANT_URL = 'https://acme.thulium.com';

export interface ValidationReport {
  pluginReports: {
    pluginName: string;
    conclusion: string;
    violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[];
    suppressedViolations?: { ruleName: string; acknowledgedId: string; acknowledgedAt: string; reason: string }[];
  }[];
}

export const tempOutdir = (prefix = 'thulium-cdk-') => mkdtempSync(join(tmpdir(), prefix));

/** Synthesises the app with its compliance checks; the report is what `cdk synth` writes to cdk.out. */
export function synth(settings: SettingsInput = {}) {
  const outdir = tempOutdir();
  const { app, stack } = createApp({
    outdir,
    context: CDK_JSON_CONTEXT,
    settings: { thuliumBaseUrl: TENANT_URL, ...settings },
    analyticsReporting: false,
  });
  const assembly = app.synth();
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
  return { app, stack, assembly, outdir, report, template: Template.fromStack(stack) };
}

/** Findings no acknowledgement covers, as `plugin: rule at path` lines (empty when the stack passes). */
export function openFindings(report: ValidationReport): string[] {
  return report.pluginReports.flatMap((p) =>
    p.violations.flatMap((v) =>
      v.violatingConstructs.map((c) => `${p.pluginName}: ${v.ruleName} at ${c.constructPath}`),
    ),
  );
}
