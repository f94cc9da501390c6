import { describe, expect, it } from 'vitest';
import { readConfig } from '../../functions/outbound-status/config.ts';

const base = {
  THULIUM_BASE_URL: 'https://acme.thulium.com/',
  THULIUM_SECRET_ID: 'thulium/api-user',
  ORDERING_TABLE_NAME: 'outbound-status-ordering',
  ORDERING_KEY_SECRET_ID: 'thulium/ordering-key',
};

describe('readConfig', () => {
  it('fills every knob with its documented default', () => {
    const config = readConfig(base);
    expect(config.thulium).toEqual({
      baseUrl: 'https://acme.thulium.com/',
      connectTimeoutMs: 3000,
      requestTimeoutMs: 10000,
      maxAttempts: 3,
      retryBaseMs: 200,
      retryMaxMs: 5000,
      connections: 10,
    });
    expect(config).toMatchObject({
      secretTtlSeconds: 300,
      maxBodyBytes: 4096,
      deadlineSafetyMarginMs: 1000,
      httpTimeoutMs: 29000,
      queue: { concurrency: 10, maxReceiveCount: 5, visibilityBaseSeconds: 30, visibilityMaxSeconds: 900 },
      phonePolicy: { normalisation: 'as-is', countryCode: '48' },
      ordering: { tableName: 'outbound-status-ordering', keySecretId: 'thulium/ordering-key', ttlSeconds: 22 * 86_400 },
    });
  });

  it('guards ordering unless told not to, and then needs neither table nor key', () => {
    const { ORDERING_TABLE_NAME: _, ORDERING_KEY_SECRET_ID: __, ...unguarded } = base;
    expect(() => readConfig(unguarded)).toThrow(
      /ORDERING_TABLE_NAME is required while ORDERING_GUARD is on; ORDERING_TABLE_NAME is required while THULIUM_BUDGET is shared; ORDERING_KEY_SECRET_ID is required/,
    );
    const alone = { ...unguarded, ORDERING_GUARD: 'off', THULIUM_BUDGET: 'container' };
    expect(readConfig(alone).ordering).toBeUndefined();
    expect(readConfig(alone).budget).toEqual({ tableName: undefined, callsPerSecond: undefined });
    expect(() => readConfig({ ...base, ORDERING_GUARD: 'maybe' })).toThrow(/ORDERING_GUARD/);
  });

  it('draws on the shared budget in the same table, at a set rate when given one', () => {
    const { ORDERING_KEY_SECRET_ID: _, ...budgetOnly } = base;
    const config = readConfig({ ...budgetOnly, ORDERING_GUARD: 'off', THULIUM_CALLS_PER_SECOND: '12.5' });
    expect(config.ordering).toBeUndefined();
    expect(config.budget).toEqual({ tableName: base.ORDERING_TABLE_NAME, callsPerSecond: 12.5 });
    expect(() => readConfig({ ...base, THULIUM_CALLS_PER_SECOND: '0' })).toThrow(/THULIUM_CALLS_PER_SECOND/);
    expect(() => readConfig({ ...base, THULIUM_BUDGET: 'global' })).toThrow(/THULIUM_BUDGET/);
  });

  it('names every missing or invalid variable', () => {
    const read = () => readConfig({ QUEUE_CONCURRENCY: 'lots', PHONE_NORMALISATION: 'guess' });
    expect(read).toThrow(expect.objectContaining({ code: 'CONFIGURATION_INVALID' }));
    for (const name of ['THULIUM_BASE_URL', 'THULIUM_SECRET_ID', 'QUEUE_CONCURRENCY', 'PHONE_NORMALISATION']) {
      expect(read).toThrow(name);
    }
  });

  it('refuses a back-off base above its maximum', () => {
    expect(() => readConfig({ ...base, THULIUM_RETRY_BASE_MS: '9000' })).toThrow(
      /THULIUM_RETRY_BASE_MS must not exceed/,
    );
    expect(() => readConfig({ ...base, RETRY_VISIBILITY_BASE_SECONDS: '1000' })).toThrow(
      /RETRY_VISIBILITY_BASE_SECONDS/,
    );
  });

  it('names THULIUM_BASE_URL when it is not a URL at all', () => {
    expect(() => readConfig({ ...base, THULIUM_BASE_URL: 'not a url' })).toThrow(/THULIUM_BASE_URL must be an https/);
  });

  it('keeps no more connections to Thulium than records of a batch in flight', () => {
    expect(readConfig({ ...base, QUEUE_CONCURRENCY: '3' }).thulium.connections).toBe(3);
    expect(readConfig({ ...base, QUEUE_CONCURRENCY: '50', THULIUM_CONNECTIONS: '20' }).thulium.connections).toBe(20);
  });

  it('accepts plain HTTP only on loopback', () => {
    expect(readConfig({ ...base, THULIUM_BASE_URL: 'http://127.0.0.1:3001' }).thulium.baseUrl).toBe(
      'http://127.0.0.1:3001',
    );
    expect(() => readConfig({ ...base, THULIUM_BASE_URL: 'http://acme.thulium.com' })).toThrow(/https/);
  });
});
