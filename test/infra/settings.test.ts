import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../infra/create-app.ts';
import { parseSettings, PLACEHOLDER_BASE_URL, SETTING_NAMES } from '../../infra/settings.ts';
import { CDK_JSON_CONTEXT, tempOutdir } from './synth.ts';

describe('stack settings', () => {
  it('have a default for everything but the optional extras', () => {
    expect(parseSettings({})).toMatchObject({
      thuliumBaseUrl: PLACEHOLDER_BASE_URL,
      thuliumSecret: 'thulium/outbound-status/api-user',
      createSecret: false,
      maxReceiveCount: 5,
      maxConcurrency: 2,
      recordConcurrency: 10,
      queueType: 'standard',
      queueEncryption: 'sqs-managed',
      logRetentionDays: 365,
      alarmTopic: 'create',
      callerAccountIds: [],
      orderingGuard: true,
      thuliumBudget: 'shared',
    });
    expect(parseSettings({}).thuliumCallsPerSecond).toBeUndefined();
  });

  it('read `-c key=value` strings as numbers, booleans and comma-separated lists', () => {
    expect(
      parseSettings({ maxConcurrency: '5', createSecret: 'true', callerAccountIds: '111122223333, 444455556666' }),
    ).toMatchObject({
      maxConcurrency: 5,
      createSecret: true,
      callerAccountIds: ['111122223333', '444455556666'],
    });
  });

  it("turn the ordering guard off with 'false', from CDK context as from props", () => {
    expect(parseSettings({ orderingGuard: 'false' }).orderingGuard).toBe(false);
    expect(parseSettings({ orderingGuard: 'true' }).orderingGuard).toBe(true);
    expect(parseSettings({ orderingGuard: false }).orderingGuard).toBe(false);
    expect(() => parseSettings({ orderingGuard: 'off' })).toThrow(/orderingGuard: /);
    const { settings, stack } = createApp({
      outdir: tempOutdir(),
      context: { ...CDK_JSON_CONTEXT, orderingGuard: 'false' },
      analyticsReporting: false,
    });
    expect(settings.orderingGuard).toBe(false);
    // The table stays for the shared Thulium budget; the guard's hash key goes.
    expect(stack.ordering?.table).toBeDefined();
    expect(stack.ordering?.key).toBeUndefined();
    expect(
      createApp({
        outdir: tempOutdir(),
        context: { ...CDK_JSON_CONTEXT, orderingGuard: 'true' },
        analyticsReporting: false,
      }).stack.ordering?.key,
    ).toBeDefined();
  }, 60_000);

  it("read the Thulium budget and the tenant's rate, a decimal number of calls a second, from CDK context as from props", () => {
    expect(parseSettings({ thuliumBudget: 'container', thuliumCallsPerSecond: '2.5' })).toMatchObject({
      thuliumBudget: 'container',
      thuliumCallsPerSecond: 2.5,
    });
    expect(parseSettings({ thuliumCallsPerSecond: 1_000 }).thuliumCallsPerSecond).toBe(1_000);
    expect(parseSettings({ thuliumCallsPerSecond: '0.1' }).thuliumCallsPerSecond).toBe(0.1);
    // The function refuses less than 0.1 a second: said at synth rather than by every container.
    for (const wrong of ['0', '-1', '0.05', '1001', 'fast', ''])
      expect(() => parseSettings({ thuliumCallsPerSecond: wrong }), wrong).toThrow(/thuliumCallsPerSecond: /);
    expect(() => parseSettings({ thuliumBudget: 'global' })).toThrow(/thuliumBudget: /);
  });

  it("publish outcome events to the account's default bus unless told a bus ARN or `none`", () => {
    expect(parseSettings({}).outcomeEventBus).toBe('default');
    const bus = 'arn:aws:events:eu-central-1:210987654321:event-bus/crm-outcomes';
    for (const value of ['default', 'none', bus, 'arn:aws-cn:events:cn-north-1:210987654321:event-bus/crm.outcomes'])
      expect(parseSettings({ outcomeEventBus: value }).outcomeEventBus).toBe(value);
    // Any bus but the default is named by its ARN: the grant then names exactly the bus the function publishes to.
    for (const wrong of [
      'crm-outcomes',
      'arn:aws:events:eu-central-1:210987654321:rule/crm-outcomes',
      'arn:aws:sns:eu-central-1:210987654321:crm',
      '',
    ])
      expect(() => parseSettings({ outcomeEventBus: wrong }), wrong).toThrow(
        'outcomeEventBus: must be default, none or an event bus ARN',
      );
  });

  it('name every wrong value at once', () => {
    const attempt = () =>
      parseSettings({
        maxReceiveCount: '2',
        logRetentionDays: '31',
        thuliumBaseUrl: 'http://acme.thulium.com',
        callerAccountIds: '1234',
        queueType: 'lifo',
        queueRetentionDays: 14,
      });
    const problems = [
      'maxReceiveCount: Too small',
      'logRetentionDays: must be one of',
      'thuliumBaseUrl: must be an https:// URL',
      'callerAccountIds.0: must be a 12-digit',
      'queueType: Invalid option',
      'queueRetentionDays: Too big',
    ];
    for (const problem of problems) {
      expect(attempt).toThrow(problem);
    }
  });

  it('take SNS topic and EventBridge rule ARNs, as lists or comma-separated', () => {
    expect(parseSettings({})).toMatchObject({ sourceTopicArns: [], sourceEventRuleArns: [] });
    const rules = [
      'arn:aws:events:eu-central-1:210987654321:rule/status-updates',
      'arn:aws:events:eu-central-1:210987654321:rule/crm-bus/status-updates',
    ];
    const partnerRule = 'arn:aws:events:eu-central-1:210987654321:rule/aws.partner/example.com/123/crm/status-updates';
    expect(
      parseSettings({
        sourceTopicArns:
          'arn:aws:sns:eu-central-1:210987654321:crm-status, arn:aws-cn:sns:cn-north-1:210987654321:crm_status',
        sourceEventRuleArns: [...rules, partnerRule],
      }),
    ).toMatchObject({
      sourceTopicArns: [
        'arn:aws:sns:eu-central-1:210987654321:crm-status',
        'arn:aws-cn:sns:cn-north-1:210987654321:crm_status',
      ],
      sourceEventRuleArns: [...rules, partnerRule],
    });
  });

  it('refuse what is not a topic or rule ARN, naming the entry', () => {
    const wrong = {
      sourceTopicArns: [
        'arn:aws:sns:eu-central-1:210987654321:ok',
        'arn:aws:sqs:eu-central-1:210987654321:crm-status',
        'crm-status',
        'arn:aws:sns:eu-central-1:2109876543:crm-status',
        'arn:aws:sns:eu-central-1:210987654321:crm/status',
      ],
      sourceEventRuleArns: [
        'arn:aws:events:eu-central-1:210987654321:event-bus/crm-bus',
        'arn:aws:events:eu-central-1:210987654321:rule/',
        'arn:aws:sns:eu-central-1:210987654321:crm-status',
      ],
    };
    const attempt = () => parseSettings(wrong);
    for (const entry of [1, 2, 3, 4]) expect(attempt).toThrow(`sourceTopicArns.${entry}: must be an SNS topic ARN`);
    for (const entry of [0, 1, 2])
      expect(attempt).toThrow(`sourceEventRuleArns.${entry}: must be an EventBridge rule ARN`);
    expect(attempt).not.toThrow('sourceTopicArns.0:');
    expect(() => parseSettings({ sourceTopicArns: 'crm-status' })).toThrow(
      'sourceTopicArns.0: must be an SNS topic ARN',
    );
    expect(() => parseSettings({ sourceEventRuleArns: 'crm-bus/status-updates' })).toThrow(
      'sourceEventRuleArns.0: must be an EventBridge rule ARN',
    );
  });

  it('let a FIFO queue subscribe to FIFO topics only', () => {
    const fifoTopic = 'arn:aws:sns:eu-central-1:210987654321:crm-status.fifo';
    const standardTopic = 'arn:aws:sns:eu-central-1:210987654321:crm-status';
    expect(parseSettings({ queueType: 'fifo', sourceTopicArns: fifoTopic }).sourceTopicArns).toEqual([fifoTopic]);
    expect(() => parseSettings({ queueType: 'fifo', sourceTopicArns: [fifoTopic, standardTopic] })).toThrow(
      /^Invalid stack settings: sourceTopicArns\.1: queueType=fifo needs a FIFO topic \(its name ends in \.fifo\)$/,
    );
    expect(parseSettings({ sourceTopicArns: [standardTopic] }).sourceTopicArns).toEqual([standardTopic]);
    expect(() => createApp({ settings: { queueType: 'fifo', sourceTopicArns: [standardTopic] } })).toThrow(
      /sourceTopicArns\.0: queueType=fifo needs a FIFO topic/,
    );
  });

  it('refuse a stack name that would make queue names too long for SQS', () => {
    expect(() => createApp({ stackName: 'S'.repeat(64) })).toThrow(/at most 63 characters/);
    expect(() => createApp({ stackName: 'has space' })).toThrow(/Invalid stack name/);
  });

  it('are each documented in docs/configuration.md, in the table `npm run docs` generates', () => {
    const page = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    const generated = /^<!-- generated:stack-settings -->\n([\s\S]*?)^<!-- \/generated:stack-settings -->$/m.exec(page);
    expect(generated, 'docs/configuration.md keeps the stack-settings markers').not.toBeNull();
    expect(SETTING_NAMES.filter((name) => !generated?.[1].includes(`| \`${name}\` |`))).toEqual([]);
  });
});
