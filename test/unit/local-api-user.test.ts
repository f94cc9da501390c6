import { describe, expect, it } from 'vitest';
import { apiUserFor } from '../../dev/local-stack/api-user.ts';

describe("npm start's API user and where the banner says it came from", () => {
  it('with the simulator and nothing set: the built-in local default, named as such', () => {
    expect(apiUserFor({}, true)).toEqual({
      username: 'api_user',
      password: 'api_pass',
      source: 'API user api_user, the built-in local default (THULIUM_USERNAME, THULIUM_PASSWORD not set)',
    });
    expect(apiUserFor({ THULIUM_USERNAME: '', THULIUM_PASSWORD: '' }, true).source).toContain('local default');
  });

  it('both set: from the environment, with or without the simulator', () => {
    const env = { THULIUM_USERNAME: 'svc', THULIUM_PASSWORD: 'secret', THULIUM_SECRET_ID: 'ignored' };
    for (const simulator of [true, false]) {
      expect(apiUserFor(env, simulator)).toEqual({
        username: 'svc',
        password: 'secret',
        source: 'API user from the environment (THULIUM_USERNAME, THULIUM_PASSWORD)',
      });
    }
  });

  it('one set, with the simulator: says which part is the default', () => {
    expect(apiUserFor({ THULIUM_USERNAME: 'svc' }, true)).toEqual({
      username: 'svc',
      password: 'api_pass',
      source: 'API user from THULIUM_USERNAME, password the built-in local default (THULIUM_PASSWORD not set)',
    });
    expect(apiUserFor({ THULIUM_PASSWORD: 'secret' }, true)).toEqual({
      username: 'api_user',
      password: 'secret',
      source:
        'API user api_user, the built-in local default (THULIUM_USERNAME not set), password from THULIUM_PASSWORD',
    });
  });

  it('a real tenant: the secret THULIUM_SECRET_ID names, else a clear refusal', () => {
    expect(apiUserFor({ THULIUM_SECRET_ID: 'thulium/api-user', THULIUM_USERNAME: 'svc' }, false)).toEqual({
      secretId: 'thulium/api-user',
      source: 'API user from Secrets Manager secret thulium/api-user (THULIUM_SECRET_ID)',
    });
    expect(() => apiUserFor({ THULIUM_USERNAME: 'svc' }, false)).toThrow(
      'With THULIUM_BASE_URL, set THULIUM_USERNAME and THULIUM_PASSWORD, or THULIUM_SECRET_ID',
    );
  });
});
