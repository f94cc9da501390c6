import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { BUDGET_ITEM_KEY } from '../../functions/outbound-status/adapters/ordering-table.ts';
import { Environment } from '../../functions/outbound-status/environment.ts';
import { synth } from './synth.ts';
import { one, roleStatements, show } from './template.ts';

const environment = (template: Template) =>
  one(template.findResources('AWS::Lambda::Function'))[1].Properties.Environment.Variables as Record<string, unknown>;

const alarmNames = (template: Template) =>
  Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.AlarmName as string);

interface Widget {
  width: number;
  y: number;
  properties: { title: string; metrics?: unknown[][]; yAxis?: unknown };
}
const widgets = (template: Template) => {
  const [, dashboard] = one(template.findResources('AWS::CloudWatch::Dashboard'));
  return (JSON.parse(show(dashboard.Properties.DashboardBody)) as { widgets: Widget[] }).widgets;
};
/** Each graph's metrics as `metric statistic` (or the expression), the hidden inputs of expressions left out. */
const graphed = (widget: Widget | undefined) =>
  (widget?.properties.metrics ?? []).map((m) => {
    const options = m.at(-1) as { expression?: string; stat?: string; visible?: boolean };
    return options.expression ?? `${m[1] === '.' ? '' : m[1]} ${options.stat ?? ''}`.trim();
  });

const FALLBACKS = 'ThuliumOutboundStatus-ThuliumBudgetFallbacks';

describe("the stack and the Thulium budget (settings 'thuliumBudget', 'thuliumCallsPerSecond')", () => {
  it('shared by default: an alarm when containers fall back to budgets of their own, and a graph of the budget', () => {
    const { template } = synth();
    expect(environment(template).THULIUM_BUDGET).toBe('shared');
    const [, alarm] = one(template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: FALLBACKS } }));
    expect(alarm.Properties).toMatchObject({
      Namespace: 'ThuliumOutboundStatus',
      MetricName: 'ThuliumBudgetFallbacks',
      Dimensions: [{ Name: 'service', Value: 'thulium-outbound-status' }],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(alarm.Properties.AlarmDescription).toMatch(/fell back to budgets of their own.*429s.*DynamoDB/);

    const all = widgets(template);
    const budget = all.find((w) => w.properties.title === 'Thulium budget');
    expect(graphed(budget)).toEqual([
      'ThuliumBudgetRate Maximum',
      'ThuliumBudgetRate Minimum',
      'ThuliumRateLimited Sum',
      'ThuliumBudgetFallbacks Sum',
      'pause / 1000',
      'ThuliumPauseMs Maximum',
    ]);
    expect(budget?.properties.yAxis).toMatchObject({ left: { label: 'calls/s', min: 0 } });
    // Beside the outcomes, the Thulium attempts and the ordering guard: four graphs sharing the 24 columns.
    expect(all.filter((w) => w.y === budget?.y).map((w) => w.width)).toEqual([6, 6, 6, 6]);
  }, 60_000);

  it('shared without the ordering guard: the table for the budget alone, no hash key, its item the only one the function may touch', () => {
    const { template } = synth({ orderingGuard: false });
    const [tableId] = one(template.findResources('AWS::DynamoDB::Table'));
    expect(tableId).toMatch(/^OrderingTable[0-9A-F]{8}$/);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);

    const env = environment(template);
    expect(env).toMatchObject({ ORDERING_GUARD: 'off', THULIUM_BUDGET: 'shared' });
    expect(show(env.ORDERING_TABLE_NAME)).toBe(`\${${tableId}}`);
    expect(Object.keys(env).filter((name) => name.startsWith('ORDERING_'))).toEqual([
      'ORDERING_GUARD',
      'ORDERING_TABLE_NAME',
    ]);
    const resolved = { ...env, DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-central-1.amazonaws.com/1/dlq' };
    expect(Environment.safeParse({ ...resolved, ORDERING_TABLE_NAME: 'ThuliumOutboundStatus-Table' }).success).toBe(
      true,
    );

    const statements = roleStatements(template);
    expect(statements.filter((s) => s.actions.some((a) => a.startsWith('dynamodb:')))).toEqual([
      {
        effect: 'Allow',
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resources: [`\${${tableId}.Arn}`],
        condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [BUDGET_ITEM_KEY] } },
      },
    ]);
    expect(
      statements.filter((s) => s.actions.includes('secretsmanager:GetSecretValue')).flatMap((s) => s.resources),
    ).toEqual([
      'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:thulium/outbound-status/api-user-??????',
    ]);

    const alarms = alarmNames(template);
    expect(alarms).toContain(FALLBACKS);
    expect(alarms).not.toContain('ThuliumOutboundStatus-OrderingStoreFailures');
    const all = widgets(template);
    const budget = all.find((w) => w.properties.title === 'Thulium budget');
    expect(graphed(budget)).toContain('ThuliumBudgetFallbacks Sum');
    expect(all.filter((w) => w.y === budget?.y).map((w) => w.width)).toEqual([8, 8, 8]);
  }, 60_000);

  it("a budget per container at the tenant's known rate: the guard keeps its table and key, no fallback to alarm on or graph", () => {
    const { template } = synth({ thuliumBudget: 'container', thuliumCallsPerSecond: '2.5' });
    expect(environment(template)).toMatchObject({
      THULIUM_BUDGET: 'container',
      THULIUM_CALLS_PER_SECOND: '2.5',
      ORDERING_GUARD: 'on',
    });
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    // The guard's statement, without the budget-only condition.
    expect(roleStatements(template).find((s) => s.actions.includes('dynamodb:UpdateItem'))?.condition).toBeUndefined();
    expect(alarmNames(template)).not.toContain(FALLBACKS);
    const budget = widgets(template).find((w) => w.properties.title === 'Thulium budget');
    expect(graphed(budget)).not.toContain('ThuliumBudgetFallbacks Sum');
    expect(graphed(budget)).toContain('ThuliumBudgetRate Maximum');
  }, 60_000);
});
