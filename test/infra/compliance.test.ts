import { App, Stack, Validations } from 'aws-cdk-lib';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { addComplianceChecks } from '../../infra/checks.ts';
import type { SettingsInput } from '../../infra/settings.ts';
import { CDK_JSON_CONTEXT, openFindings, synth, tempOutdir } from './synth.ts';

/** Every `Validations.of(x).acknowledge(...)` in the tree, as `id at path`. */
function acknowledgements(root: IConstruct): string[] {
  return root.node
    .findAll()
    .flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((m) => Object.keys(m.data as object).map((id) => `${id} at ${c.node.path}`)),
    );
}

const VARIANTS: Record<string, SettingsInput> = {
  defaults: {},
  'FIFO, KMS, other accounts and an organisation': {
    queueType: 'fifo',
    queueEncryption: 'kms',
    callerAccountIds: ['111122223333'],
    callerOrganizationIds: ['o-a1b2c3d4e5'],
  },
  'KMS, an SNS topic and EventBridge rules feeding the queue': {
    queueEncryption: 'kms',
    sourceTopicArns: ['arn:aws:sns:eu-central-1:210987654321:crm-status'],
    sourceEventRuleArns: [
      'arn:aws:events:eu-central-1:210987654321:rule/crm-bus/status-updates',
      'arn:aws:events:eu-central-1:111122223333:rule/status-updates',
    ],
  },
  'FIFO with a FIFO topic and a rule': {
    queueType: 'fifo',
    sourceTopicArns: ['arn:aws:sns:eu-central-1:210987654321:crm-status.fifo'],
    sourceEventRuleArns: ['arn:aws:events:eu-central-1:210987654321:rule/status-updates'],
  },
  'created secret, no alarm topic, 30-day logs, no API Gateway role, no outcome events': {
    createSecret: true,
    outcomeEventBus: 'none',
    alarmTopic: 'none',
    logRetentionDays: 30,
    apiGatewayCloudWatchRole: false,
  },
  'secret by ARN with its key, an existing topic, no ordering guard (the table for the budget alone), a bus of another account':
    {
      outcomeEventBus: 'arn:aws:events:eu-central-1:210987654321:event-bus/crm-outcomes',
      thuliumSecret: 'arn:aws:secretsmanager:eu-central-1:111122223333:secret:thulium-AbCdEf',
      secretKmsKeyArn: 'arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      alarmTopic: 'arn:aws:sns:eu-central-1:111122223333:ops-pager',
      orderingGuard: false,
    },
  'a budget per container at a known rate, no ordering guard (no table)': {
    thuliumBudget: 'container',
    thuliumCallsPerSecond: '5',
    orderingGuard: false,
  },
};

describe('cdk-nag (AWS Solutions) and cfn-guard (Control Tower) on the stack', () => {
  for (const [name, settings] of Object.entries(VARIANTS)) {
    it(`${name}: no open finding, and every acknowledgement covers a finding`, () => {
      const { app, report } = synth(settings);
      expect(openFindings(report)).toEqual([]);
      expect(report.pluginReports.map((p) => p.pluginName).sort()).toEqual(['AwsSolutions', 'cdk-validator-cfnguard']);
      const used = new Set(
        report.pluginReports.flatMap((p) =>
          (p.suppressedViolations ?? []).map((s) => `${s.acknowledgedId} at ${s.acknowledgedAt}`),
        ),
      );
      const stale = acknowledgements(app).filter((a) => !used.has(a));
      expect(stale, 'acknowledgements that no longer match a finding').toEqual([]);
      for (const s of report.pluginReports.flatMap((p) => p.suppressedViolations ?? [])) {
        expect(s.reason.length, `reason for ${s.acknowledgedId}`).toBeGreaterThan(80);
      }
    }, 60_000);
  }
});

function bareApp() {
  const app = new App({ outdir: tempOutdir(), context: CDK_JSON_CONTEXT, analyticsReporting: false });
  addComplianceChecks(app);
  return { app, stack: new Stack(app, 'Bare') };
}

describe('the checks fire', () => {
  it('a bare queue without the stack settings fails the synth with SQS3 and SQS4', () => {
    const { app, stack } = bareApp();
    new Queue(stack, 'Bare');
    expect(() => app.synth()).toThrow(
      /AwsSolutions-SQS3[\s\S]*AwsSolutions-SQS4|AwsSolutions-SQS4[\s\S]*AwsSolutions-SQS3/,
    );
  }, 60_000);

  it("acknowledging one resource's cfn-guard finding leaves the same finding on another failing", () => {
    const { app, stack } = bareApp();
    const reason = 'Acknowledged on this log group only, to prove the acknowledgement does not spread to its sibling';
    for (const id of ['Acknowledged', 'Open']) {
      const logGroup = new LogGroup(stack, id);
      Validations.of(logGroup).acknowledge({
        id: 'cdk-validator-cfnguard::cloudwatch_log_group_retention_period_check',
        reason,
      });
      if (id === 'Acknowledged')
        Validations.of(logGroup).acknowledge({
          id: 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check',
          reason,
        });
    }
    expect(() => app.synth()).toThrow(/CT\.CLOUDWATCH\.PR\.3[\s\S]*Bare\/Open\//);
  }, 60_000);
});
