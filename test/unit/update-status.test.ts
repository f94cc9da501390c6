import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StatusUpdateResponse } from '../../functions/outbound-status/core/contract.ts';
import {
  CredentialsRejectedError,
  type OutboundStatusError,
  SupersededError,
  ThuliumUnavailableError,
} from '../../functions/outbound-status/core/errors.ts';
import type { GuardedUpdate, OrderingGuard, VersionSource } from '../../functions/outbound-status/core/ordering.ts';
import type {
  CallOptions,
  Credentials,
  CredentialsSource,
  ThuliumBudget,
  ThuliumClient,
  Turn,
  Urgency,
} from '../../functions/outbound-status/core/ports.ts';
import {
  createUpdateStatus,
  MAX_FUTURE_SKEW_MS,
  type UpdateStats,
  type VersionedUpdate,
} from '../../functions/outbound-status/core/update-status.ts';
import { MIN_ATTEMPT_MS } from '../../functions/outbound-status/shared/deadline.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const DEADLINE = NOW + 5_000;
const OLD: Credentials = { username: 'api', password: 'old' };
const NEW: Credentials = { username: 'api', password: 'new' };
const ANSWER: StatusUpdateResponse = { outbound_id: [101, '102'] };

/** A failure of a port the use case only passes on: its code is all a test looks at. */
const broken = (code: string) => Object.assign(new Error(`${code} (fake)`), { code });
const unavailable = () =>
  new ThuliumUnavailableError('Thulium is down (fake)', { retryAfterSeconds: 1, rateLimited: false });

const update = (at = NOW - 1_000, source: VersionSource = 'updated_at'): VersionedUpdate => ({
  phoneNumber: '+48 (000) 555-0123',
  statusId: '7',
  updatedAt: at,
  version: { at, source },
});

/** Per version source: the field a too-early version is blamed on, and whether it comes back from the DLQ. */
const SOURCES = [
  { source: 'updated_at', field: 'updated_at', redriven: false },
  { source: 'dead-letter', field: 'UpdateVersion (message attribute)', redriven: true },
  { source: 'sns', field: 'Timestamp (SNS envelope)', redriven: false },
  { source: 'eventbridge', field: 'time (EventBridge event)', redriven: false },
  { source: 'sqs', field: 'SentTimestamp (SQS)', redriven: false },
  { source: 'api-gateway', field: 'request time (API Gateway)', redriven: false },
] as const;

interface Script {
  refusal?: OutboundStatusError;
  secret?: Error;
  claim?: Error;
  applied?: Error;
  /** Thulium's answers, one per call; an Error is thrown. */
  thulium?: (StatusUpdateResponse | Error)[];
  fresh?: Credentials;
}

/** The use case over fakes of its ports; `events` tells, in order, what it asked of each. */
function world(script: Script = {}) {
  const events: string[] = [];
  const claims: GuardedUpdate[] = [];
  const calls: Parameters<ThuliumClient['setStatusByPhoneNumber']>[] = [];
  const reserved: [number, Urgency][] = [];
  const turns: Turn[] = [];
  const rejected: [Credentials, CredentialsRejectedError][] = [];
  const answers = [...(script.thulium ?? [ANSWER])];
  const reply = async <T>(event: string, failure: Error | undefined, value: T) => {
    events.push(event);
    if (failure) throw failure;
    return value;
  };
  const credentials: CredentialsSource = {
    get: () => reply('secret', script.secret, OLD),
    refresh: (stale) => reply(`refresh ${stale.password}`, undefined, script.fresh ?? NEW),
    reject(user, error) {
      events.push(`reject ${user.password}`);
      rejected.push([user, error]);
    },
  };
  const ordering: OrderingGuard = {
    claim(guarded) {
      claims.push(guarded);
      return reply('claim', script.claim, {
        applied: () => reply('applied', script.applied, undefined),
        release: () => reply('released', undefined, undefined),
      });
    },
  };
  const budget: ThuliumBudget = {
    async reserve(deadline, urgency) {
      reserved.push([deadline, urgency]);
      events.push('turn');
      if (script.refusal) throw script.refusal;
      const turn = { waitedMs: 0, release: () => events.push('turn released') };
      turns.push(turn);
      return turn;
    },
  };
  const thulium: ThuliumClient = {
    setStatusByPhoneNumber(...args) {
      calls.push(args);
      const next = answers.shift() ?? ANSWER;
      return next instanceof Error
        ? reply(`thulium ${args[1].password}`, next, ANSWER)
        : reply(`thulium ${args[1].password}`, undefined, next);
    },
  };
  const phonePolicy = { normalisation: 'national', countryCode: '48' } as const;
  const updateStatus = createUpdateStatus({ credentials, ordering, thulium, budget, phonePolicy });
  return { updateStatus, events, claims, calls, reserved, turns, rejected };
}

const stats = (): UpdateStats => ({ attempts: 0, credentialsRefreshed: false });

beforeEach(() => vi.useFakeTimers({ toFake: ['Date'], now: NOW }));
afterEach(() => vi.useRealTimers());

describe('createUpdateStatus', () => {
  it('reserves a turn, reads the secret, claims the number, sends the normalised update on that turn and records it', async () => {
    const { updateStatus, events, claims, calls, reserved, turns } = world();
    const options: CallOptions = { urgency: 'interactive' };
    const counted = stats();

    await expect(updateStatus(update(), DEADLINE, counted, options)).resolves.toEqual(ANSWER);
    expect(events).toEqual(['turn', 'secret', 'claim', 'thulium old', 'applied']);
    expect(reserved).toEqual([[DEADLINE, 'interactive']]);
    expect(claims).toEqual([{ phoneNumber: '0005550123', statusId: '7', version: NOW - 1_000, redriven: false }]);
    expect(calls).toEqual([[{ phoneNumber: '0005550123', statusId: '7' }, OLD, DEADLINE, counted, turns[0]]]);
    expect(counted).toEqual({ attempts: 0, credentialsRefreshed: false });
  });

  it('reserves a background turn unless told otherwise', async () => {
    const { updateStatus, reserved } = world();
    await updateStatus(update(), DEADLINE, stats());
    expect(reserved).toEqual([[DEADLINE, 'background']]);
  });

  it.each([{ left: MIN_ATTEMPT_MS - 1 }, { left: 0 }, { left: -1_000 }])(
    'with $left ms left: DEADLINE_EXCEEDED, nothing asked of anyone',
    async ({ left }) => {
      const { updateStatus, events, reserved } = world();
      await expect(updateStatus(update(), NOW + left, stats())).rejects.toMatchObject({
        code: 'DEADLINE_EXCEEDED',
        kind: 'transient',
      });
      expect(events).toEqual([]);
      expect(reserved).toEqual([]);
    },
  );

  it('still starts with exactly MIN_ATTEMPT_MS left', async () => {
    const { updateStatus, events } = world();
    await expect(updateStatus(update(), NOW + MIN_ATTEMPT_MS, stats())).resolves.toEqual(ANSWER);
    expect(events).toContain('applied');
  });

  it.each(SOURCES)('a $source version too far ahead: VALIDATION_FAILED naming $field', async ({ source, field }) => {
    const { updateStatus, events } = world();
    const ahead = update(NOW + MAX_FUTURE_SKEW_MS + 1, source);
    await expect(updateStatus(ahead, DEADLINE, stats())).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      kind: 'invalid-request',
      message: expect.stringContaining(field),
      fields: [{ field, message: expect.stringContaining('5 minutes ahead') }],
    });
    expect(events).toEqual([]);

    await expect(updateStatus(update(NOW + MAX_FUTURE_SKEW_MS, source), DEADLINE, stats())).resolves.toEqual(ANSWER);
  });

  it.each(SOURCES)('claims with redriven $redriven for a $source version', async ({ source, redriven }) => {
    const { updateStatus, claims } = world();
    await updateStatus(update(NOW - 1_000, source), DEADLINE, stats());
    expect(claims).toEqual([expect.objectContaining({ version: NOW - 1_000, redriven })]);
  });

  it('stops at a turn the budget refuses, before the secret read and the claim', async () => {
    const refusal = new ThuliumUnavailableError('paused (fake)', { retryAfterSeconds: 3, rateLimited: true });
    const { updateStatus, events, claims } = world({ refusal });
    await expect(updateStatus(update(), DEADLINE, stats(), { urgency: 'interactive' })).rejects.toBe(refusal);
    expect(events).toEqual(['turn']);
    expect(claims).toEqual([]);
  });

  it.each([
    { case: 'a newer update was applied', secret: undefined },
    { case: 'the secret read failed as well', secret: broken('SECRET_UNAVAILABLE') },
  ])('a refused claim ends it, the turn given back for the next call ($case)', async ({ secret }) => {
    const { updateStatus, events, calls } = world({ claim: new SupersededError(NOW - 1_000, NOW), secret });
    await expect(updateStatus(update(), DEADLINE, stats())).rejects.toMatchObject({
      code: 'SUPERSEDED',
      kind: 'superseded',
    });
    expect(events).toEqual(['turn', 'secret', 'claim', 'turn released']);
    expect(calls).toEqual([]);
  });

  it('releases the turn and the claim when the secret cannot be read', async () => {
    const secret = broken('SECRET_UNAVAILABLE');
    const { updateStatus, events } = world({ secret });
    await expect(updateStatus(update(), DEADLINE, stats())).rejects.toBe(secret);
    expect(events).toEqual(['turn', 'secret', 'claim', 'turn released', 'released']);
  });

  it.each([{ error: unavailable() }, { error: broken('THULIUM_TIMEOUT') }, { error: broken('THULIUM_REFUSED') }])(
    'releases, without recording, when Thulium fails with $error.code',
    async ({ error }) => {
      const { updateStatus, events } = world({ thulium: [error] });
      await expect(updateStatus(update(), DEADLINE, stats())).rejects.toBe(error);
      // The client tells the turn how the call went; the use case only releases the claim.
      expect(events).toEqual(['turn', 'secret', 'claim', 'thulium old', 'released']);
    },
  );

  it('throws when the applied update cannot be recorded', async () => {
    const applied = broken('ORDERING_STORE_UNAVAILABLE');
    const { updateStatus, events } = world({ applied });
    await expect(updateStatus(update(), DEADLINE, stats())).rejects.toBe(applied);
    expect(events).toEqual(['turn', 'secret', 'claim', 'thulium old', 'applied']);
  });
});

describe('createUpdateStatus after a 401', () => {
  it('reads the secret afresh once and tries once more with the new user', async () => {
    const { updateStatus, events, rejected, calls, turns } = world({
      thulium: [new CredentialsRejectedError(401), ANSWER],
    });
    const counted = stats();
    await expect(updateStatus(update(), DEADLINE, counted)).resolves.toEqual(ANSWER);
    expect(events).toEqual(['turn', 'secret', 'claim', 'thulium old', 'refresh old', 'thulium new', 'applied']);
    // The reserved turn went to the first call; the second reserves its own.
    expect(calls.map((call) => call[4])).toEqual([turns[0], undefined]);
    expect(rejected).toEqual([]);
    expect(counted.credentialsRefreshed).toBe(true);
  });

  it('rejects the user without a second call when the fresh read gives the same one', async () => {
    const first = new CredentialsRejectedError(401);
    const { updateStatus, events, rejected } = world({ thulium: [first], fresh: { ...OLD } });
    const counted = stats();
    await expect(updateStatus(update(), DEADLINE, counted)).rejects.toBe(first);
    expect(events).toEqual(['turn', 'secret', 'claim', 'thulium old', 'refresh old', 'reject old', 'released']);
    expect(rejected).toEqual([[OLD, first]]);
    expect(counted.credentialsRefreshed).toBe(true);
  });

  it.each([
    { second: new CredentialsRejectedError(403), rejects: ['reject new'] },
    { second: unavailable(), rejects: [] },
  ])('the second try failing with $second.code rejects the fresh user: $rejects', async ({ second, rejects }) => {
    const { updateStatus, events, rejected } = world({ thulium: [new CredentialsRejectedError(401), second] });
    await expect(updateStatus(update(), DEADLINE, stats())).rejects.toBe(second);
    expect(events).toEqual([
      'turn',
      'secret',
      'claim',
      'thulium old',
      'refresh old',
      'thulium new',
      ...rejects,
      'released',
    ]);
    expect(rejected).toEqual(rejects.length ? [[NEW, second]] : []);
  });
});
