import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSettings, PLACEHOLDER_BASE_URL, SETTING_NAMES } from '../../infra/settings.ts';

describe('stack settings', () => {
  it('have a default for everything but the optional extras', () => {
    expect(parseSettings({})).toMatchObject({
      thuliumBaseUrl: PLACEHOLDER_BASE_URL,
      thuliumSecret: 'thulium/outbound-status/api-user',
      createSecret: false,
      maxReceiveCount: 5,
      maxConcurrency: 2,
      recordConcurrency: 5,
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
      parseSettings({ maxReceiveCount: '2', logRetentionDays: '31', thuliumBaseUrl: 'http://acme.thulium.com', callerAccountIds: '1234', queueType: 'lifo' });
    for (const problem of ['maxReceiveCount: Too small', 'logRetentionDays: must be one of', 'thuliumBaseUrl: must be an https:// URL', 'callerAccountIds.0: must be a 12-digit', 'queueType: Invalid option']) {
      expect(attempt).toThrow(problem);
    }
  });

  it('are each documented in the README', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(SETTING_NAMES.filter((name) => !readme.includes(`| \`${name}\``))).toEqual([]);
  });
});
