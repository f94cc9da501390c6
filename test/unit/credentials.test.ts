import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { secretsManagerCredentials } from '../../functions/outbound-status/adapters/credentials.ts';
import { CredentialsRejectedError } from '../../functions/outbound-status/core/errors.ts';

const SECRET = 'thulium/api-user';
const TTL_SECONDS = 300;
const HOLD_SECONDS = 60;
const OLD = { username: 'api', password: 'old' };
const NEW = { username: 'api', password: 'new' };

/** A SecretsProvider that answers with the secret's current value, counting its reads. */
function fakeProvider() {
  const state = { value: OLD as object, reads: [] as { forceFetch: boolean }[], fail: undefined as Error | undefined };
  const provider = {
    get: async (_id: string, options: { forceFetch?: boolean }) => {
      state.reads.push({ forceFetch: options.forceFetch ?? false });
      await Promise.resolve();
      if (state.fail) throw state.fail;
      return state.value;
    },
  } as unknown as SecretsProvider;
  return { state, source: secretsManagerCredentials(SECRET, TTL_SECONDS, HOLD_SECONDS, provider) };
}

const later = () => Date.now() + 5_000;

beforeEach(() => vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-12-01T12:00:00Z') }));
afterEach(() => vi.useRealTimers());

describe('the credentials source', () => {
  it('shares one read among concurrent callers and serves the cache until its TTL ends', async () => {
    const { state, source } = fakeProvider();
    expect(await Promise.all([source.get(later()), source.get(later()), source.get(later())])).toEqual([OLD, OLD, OLD]);
    expect(state.reads).toHaveLength(1);

    state.value = NEW;
    vi.advanceTimersByTime(TTL_SECONDS * 1000 - 1);
    expect(await source.get(later())).toEqual(OLD);
    expect(state.reads).toHaveLength(1);

    vi.advanceTimersByTime(1);
    expect(await source.get(later())).toEqual(NEW);
    expect(state.reads).toEqual([{ forceFetch: false }, { forceFetch: false }]);
  });

  it('reads afresh on refresh only when the rejected credentials are still the known ones', async () => {
    const { state, source } = fakeProvider();
    await source.get(later());
    state.value = NEW;
    // Another caller already knows newer ones: no read.
    expect(await source.refresh({ username: 'api', password: 'older' }, later())).toEqual(OLD);
    expect(state.reads).toHaveLength(1);

    expect(await Promise.all([source.refresh(OLD, later()), source.refresh(OLD, later())])).toEqual([NEW, NEW]);
    expect(state.reads).toEqual([{ forceFetch: false }, { forceFetch: true }]);
    expect(await source.get(later())).toEqual(NEW);
    expect(state.reads).toHaveLength(2);
  });

  it('holds back rejected credentials for the hold, and lets changed ones through at once', async () => {
    const { state, source } = fakeProvider();
    source.reject(await source.get(later()), new CredentialsRejectedError(401, 'req-1'));
    await expect(source.get(later())).rejects.toThrow(CredentialsRejectedError);
    await expect(source.get(later())).rejects.toThrow(
      `held back for up to ${HOLD_SECONDS} s unless the secret changes`,
    );

    vi.advanceTimersByTime(HOLD_SECONDS * 1000 - 1);
    await expect(source.get(later())).rejects.toThrow(CredentialsRejectedError);
    vi.advanceTimersByTime(1);
    expect(await source.get(later())).toEqual(OLD);

    source.reject(OLD, new CredentialsRejectedError(401));
    state.value = NEW;
    expect(await source.refresh(OLD, later())).toEqual(NEW);
    expect(await source.get(later())).toEqual(NEW);
  });

  it('does not cache a failed read: the next caller reads again', async () => {
    const { state, source } = fakeProvider();
    state.fail = Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    await expect(source.get(later())).rejects.toMatchObject({ code: 'SECRET_UNAVAILABLE' });
    state.fail = undefined;
    expect(await source.get(later())).toEqual(OLD);
    expect(state.reads).toHaveLength(2);
  });
});
