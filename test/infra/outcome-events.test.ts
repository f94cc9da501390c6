import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../functions/outbound-status/config.ts';
import { METRIC } from '../../functions/outbound-status/faces/metric-names.ts';
import { STACK_OUTPUTS } from '../../infra/stack-outputs.ts';
import { synth, TENANT_URL } from './synth.ts';
import { one, roleStatements, show } from './template.ts';

const BUS_ARN = 'arn:aws:events:eu-central-1:210987654321:event-bus/crm-outcomes';
const DEFAULT_BUS_ARN = 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default';

const environment = (template: Template) =>
  one(template.findResources('AWS::Lambda::Function'))[1].Properties.Environment.Variables as Record<string, unknown>;

/** The bus as the function's own configuration reads the variable the stack wrote (undefined: no events). */
const busTheFunctionUses = (template: Template) =>
  readConfig({
    THULIUM_BASE_URL: TENANT_URL,
    THULIUM_SECRET_ID: 'thulium/outbound-status/api-user',
    ORDERING_GUARD: 'off',
    THULIUM_BUDGET: 'container',
    OUTCOME_EVENT_BUS: environment(template).OUTCOME_EVENT_BUS as string,
  }).outcomeEventBus;

const eventStatements = (template: Template) =>
  roleStatements(template).filter((s) => s.actions.some((action) => action.startsWith('events:')));

const alarmsOn = (template: Template, metricName: string) =>
  Object.values(template.findResources('AWS::CloudWatch::Alarm'))
    .map((alarm) => alarm.Properties)
    .filter((alarm) => alarm.MetricName === metricName);

/** Each graph's title with the metric names it draws. */
function graphs(template: Template): Record<string, string[]> {
  const [, dashboard] = one(template.findResources('AWS::CloudWatch::Dashboard'));
  const body = JSON.parse(show(dashboard.Properties.DashboardBody)) as {
    widgets: { properties: { title: string; metrics?: string[][] } }[];
  };
  return Object.fromEntries(
    body.widgets.map((w) => [w.properties.title, (w.properties.metrics ?? []).map((m) => m[1]!)]),
  );
}

const outputValue = (template: Template, name: string) => {
  const output = template.findOutputs(name)[name];
  return output && { value: show(output.Value), description: output.Description as string };
};

describe('outcome events: the bus setting, its grant, its alarm and graph', () => {
  let byDefault: Template;
  let toBusArn: Template;
  let withoutEvents: Template;
  beforeAll(() => {
    byDefault = synth().template;
    // Other settings ride along to vary the outputs below without more synths.
    toBusArn = synth({
      outcomeEventBus: BUS_ARN,
      orderingGuard: false,
      phoneNormalisation: 'national',
      phoneCountryCode: '49',
    }).template;
    withoutEvents = synth({ outcomeEventBus: 'none', orderingGuard: false, thuliumBudget: 'container' }).template;
  }, 180_000);

  it("by default, the account's default bus: the function is told `default` and may PutEvents on that bus alone", () => {
    expect(environment(byDefault).OUTCOME_EVENT_BUS).toBe('default');
    expect(busTheFunctionUses(byDefault)).toBe('default');
    expect(eventStatements(byDefault)).toEqual([
      { effect: 'Allow', actions: ['events:PutEvents'], resources: [DEFAULT_BUS_ARN], condition: undefined },
    ]);
  });

  it('a bus by ARN: the function is told the ARN and may PutEvents on that bus alone', () => {
    expect(environment(toBusArn).OUTCOME_EVENT_BUS).toBe(BUS_ARN);
    expect(busTheFunctionUses(toBusArn)).toBe(BUS_ARN);
    expect(eventStatements(toBusArn)).toEqual([
      { effect: 'Allow', actions: ['events:PutEvents'], resources: [BUS_ARN], condition: undefined },
    ]);
  });

  it('`none`: the function is told `none`, publishes nothing and may reach no bus', () => {
    expect(environment(withoutEvents).OUTCOME_EVENT_BUS).toBe('none');
    expect(busTheFunctionUses(withoutEvents)).toBeUndefined();
    expect(eventStatements(withoutEvents)).toEqual([]);
  });

  it("alarms on the first event not published, from the function's metrics, to the alarm topic", () => {
    for (const template of [byDefault, toBusArn]) {
      const [topicId] = one(template.findResources('AWS::SNS::Topic'));
      expect(alarmsOn(template, METRIC.outcomeEventsFailed)).toEqual([
        expect.objectContaining({
          AlarmName: 'ThuliumOutboundStatus-OutcomeEventsFailed',
          AlarmDescription: expect.stringContaining("the updates' outcomes stand"),
          Namespace: 'ThuliumOutboundStatus',
          Dimensions: [{ Name: 'service', Value: 'thulium-outbound-status' }],
          Statistic: 'Sum',
          Period: 300,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
          AlarmActions: [{ Ref: topicId }],
          OKActions: [{ Ref: topicId }],
        }),
      ]);
    }
    expect(alarmsOn(withoutEvents, METRIC.outcomeEventsFailed)).toEqual([]);
  });

  it('graphs events published and failed on the dashboard, unless there are none', () => {
    const title = 'Outcome events: published and failed';
    expect(graphs(byDefault)[title]).toEqual([METRIC.outcomeEventsPublished, METRIC.outcomeEventsFailed]);
    expect(graphs(toBusArn)[title]).toEqual([METRIC.outcomeEventsPublished, METRIC.outcomeEventsFailed]);
    expect(graphs(withoutEvents)[title]).toBeUndefined();
    expect(JSON.stringify(withoutEvents.findResources('AWS::CloudWatch::Dashboard'))).not.toMatch(/OutcomeEvents/);
  });

  it("outputs the function's phone normalisation and country code, which `npm run trace` keys a number by", () => {
    expect(outputValue(byDefault, STACK_OUTPUTS.phoneNormalisation)?.value).toBe('as-is');
    expect(outputValue(byDefault, STACK_OUTPUTS.phoneCountryCode)?.value).toBe('48');
    expect(outputValue(toBusArn, STACK_OUTPUTS.phoneNormalisation)?.value).toBe('national');
    expect(outputValue(toBusArn, STACK_OUTPUTS.phoneCountryCode)?.value).toBe('49');
    // The same values the function is told.
    expect(environment(toBusArn)).toMatchObject({ PHONE_NORMALISATION: 'national', PHONE_COUNTRY_CODE: '49' });
  });

  it('outputs, under the names `npm run trace` reads, the log group always, the table and its key when they exist', () => {
    const logGroup = /^\$\{StatusFunctionLogs[0-9A-F]{8}\}$/;
    expect(outputValue(byDefault, STACK_OUTPUTS.logGroup)?.value).toMatch(logGroup);
    expect(outputValue(byDefault, STACK_OUTPUTS.orderingTable)?.value).toMatch(/^\$\{OrderingTable[0-9A-F]{8}\}$/);
    expect(outputValue(byDefault, STACK_OUTPUTS.orderingKey)?.value).toMatch(/^\$\{OrderingKey[0-9A-F]{8}\}$/);
    for (const name of Object.values(STACK_OUTPUTS)) {
      expect(outputValue(byDefault, name)?.description.length, name).toBeGreaterThan(20);
    }
    // Guard off, budget shared: the table without its key.
    expect(outputValue(toBusArn, STACK_OUTPUTS.orderingTable)?.value).toMatch(/^\$\{OrderingTable[0-9A-F]{8}\}$/);
    expect(outputValue(toBusArn, STACK_OUTPUTS.orderingKey)).toBeUndefined();
    // Guard off, a budget per container: no table at all.
    expect(outputValue(withoutEvents, STACK_OUTPUTS.logGroup)?.value).toMatch(logGroup);
    expect(outputValue(withoutEvents, STACK_OUTPUTS.orderingTable)).toBeUndefined();
    expect(outputValue(withoutEvents, STACK_OUTPUTS.orderingKey)).toBeUndefined();
  });
});
