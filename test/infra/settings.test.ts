import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../infra/create-app.ts';
import { parseSettings, PLACEHOLDER_BASE_URL, SETTING_NAMES } from '../../infra/settings.ts';

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
    });
  });

  it('read `-c key=value` strings as numbers, booleans and comma-separated lists', () => {
    expect(parseSettings({ maxConcurrency: '5', createSecret: 'true', callerAccountIds: '111122223333, 444455556666' })).toMatchObject({
      maxConcurrency: 5,
      createSecret: true,
      callerAccountIds: ['111122223333', '444455556666'],
    });
  });

  it('name every wrong value at once', () => {
    const attempt = () =>
      parseSettings({ maxReceiveCount: '2', logRetentionDays: '31', thuliumBaseUrl: 'http://acme.thulium.com', callerAccountIds: '1234', queueType: 'lifo', queueRetentionDays: 14 });
    const problems = ['maxReceiveCount: Too small', 'logRetentionDays: must be one of', 'thuliumBaseUrl: must be an https:// URL', 'callerAccountIds.0: must be a 12-digit', 'queueType: Invalid option', 'queueRetentionDays: Too big'];
    for (const problem of problems) {
      expect(attempt).toThrow(problem);
    }
  });

  it('refuse a stack name that would make queue names too long for SQS', () => {
    expect(() => createApp({ stackName: 'S'.repeat(64) })).toThrow(/at most 63 characters/);
    expect(() => createApp({ stackName: 'has space' })).toThrow(/Invalid stack name/);
  });

  it('are each documented in the README', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(SETTING_NAMES.filter((name) => !readme.includes(`| \`${name}\``))).toEqual([]);
  });
});
