import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GateTurn } from '../../functions/outbound-status/adapters/budget/gate.ts';
import { createThuliumBudget } from '../../functions/outbound-status/adapters/budget/thulium-budget.ts';
import { createThuliumClient } from '../../functions/outbound-status/adapters/thulium-client.ts';
import type { CallStats, ThuliumBudget } from '../../functions/outbound-status/core/ports.ts';
import { startThuliumSimulator, type ThuliumSimulator } from '../../dev/thulium-simulator.ts';

const UPDATE = { phoneNumber: '111222333', statusId: '3' };
const CREDENTIALS = { username: 'api_user', password: 'api_pass' };

let simulator: ThuliumSimulator;
beforeAll(async () => {
  simulator = await startThuliumSimulator();
});
afterAll(() => simulator.close());
beforeEach(() => {
  simulator.clearFaults();
  simulator.calls.length = 0;
});

const config = (maxAttempts: number) => ({
  baseUrl: simulator.url,
  connectTimeoutMs: 1_000,
  requestTimeoutMs: 2_000,
  maxAttempts,
  retryBaseMs: 50,
  retryMaxMs: 200,
  connections: 10,
});

/** A client of its own per test, with a budget of its own (no table), as a fresh container would have. */
function client(maxAttempts = 3) {
  let limited!: () => void;
  const told = new Promise<void>((resolve) => (limited = resolve));
  const budget = createThuliumBudget({ maxInFlight: 10, onEpisode: () => limited() });
  return { thulium: createThuliumClient(config(maxAttempts), budget), budget, told };
}

/** A turn the caller reserved, and a budget that must not be asked for another. */
function given() {
  const turn: GateTurn = { waitedMs: 7, done: vi.fn(), release: vi.fn() };
  const budget: ThuliumBudget<GateTurn> = { reserve: vi.fn(() => Promise.reject(new Error('reserved again'))) };
  return { turn, budget, thulium: createThuliumClient(config(1), budget) };
}

describe('the Thulium client behind its budget', () => {
  it('holds the retry a 429 told to wait for the pause, and refuses a person arriving meanwhile without calling Thulium', async () => {
    const { thulium, budget, told } = client();
    simulator.injectFaults({ type: 'rate-limit', retryAfterSeconds: 1 });
    const stats: CallStats = { attempts: 0 };
    const first = thulium.setStatusByPhoneNumber(UPDATE, CREDENTIALS, Date.now() + 10_000, stats);
    await told;

    const arrived = Date.now();
    await expect(budget.reserve(Date.now() + 10_000, 'interactive')).rejects.toMatchObject({
      code: 'THULIUM_RATE_LIMITED',
      retryAfterSeconds: 1,
    });
    expect(Date.now() - arrived).toBeLessThan(500);

    expect(await first).toEqual({ outbound_id: ['00001', '00002', '00003'] });
    expect(stats.attempts).toBe(2);
    expect(stats.waitedMs).toBeGreaterThan(800);
    // Thulium saw the refused caller never, and the retry only after the second it asked for.
    expect(simulator.calls).toHaveLength(2);
    expect(simulator.calls[1]!.at - simulator.calls[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it("ends a retry that cannot start in time at once, on Thulium's own 429: its wait and its request id", async () => {
    const { thulium } = client();
    simulator.injectFaults({ type: 'rate-limit', retryAfterSeconds: 5 });
    const started = Date.now();
    const failure = thulium.setStatusByPhoneNumber(UPDATE, CREDENTIALS, started + 2_000);
    await expect(failure).rejects.toMatchObject({
      code: 'THULIUM_RATE_LIMITED',
      retryAfterSeconds: 5,
      thuliumRequestId: expect.any(String),
    });
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(simulator.calls).toHaveLength(1);
  });

  it('after Retry-After: 0, starts no call within 250 ms of the deadline', async () => {
    const { thulium } = client(20);
    const limitedNow = { type: 'status', status: 429, headers: { 'retry-after': '0' } } as const;
    simulator.injectFaults(...Array.from({ length: 20 }, () => limitedNow));
    // Jittered retries of at most 200 ms apart would start one in the last 250 ms, were it allowed.
    const deadline = Date.now() + 800;
    await expect(thulium.setStatusByPhoneNumber(UPDATE, CREDENTIALS, deadline)).rejects.toMatchObject({
      code: 'THULIUM_RATE_LIMITED',
    });
    expect(simulator.calls.length).toBeGreaterThan(1);
    // The simulator stamps a call once it has read it, some ms after the client started it: up to 100 are allowed.
    for (const call of simulator.calls) expect(deadline - call.at).toBeGreaterThanOrEqual(150);
  });

  it("makes its first attempt on the caller's turn, and tells the turn how Thulium answered", async () => {
    const { turn, budget, thulium } = given();
    const stats: CallStats = { attempts: 0 };
    await expect(thulium.setStatusByPhoneNumber(UPDATE, CREDENTIALS, Date.now() + 5_000, stats, turn)).resolves.toEqual(
      {
        outbound_id: ['00001', '00002', '00003'],
      },
    );
    expect(turn.done).toHaveBeenCalledExactlyOnceWith('accepted');
    expect(turn.release).not.toHaveBeenCalled();
    expect(budget.reserve).not.toHaveBeenCalled();
    expect(stats).toEqual({ attempts: 1, waitedMs: 7 });
  });

  it("tells the caller's turn of a 429, and gives a turn back unused when the deadline is too close", async () => {
    const { turn, thulium } = given();
    simulator.injectFaults({ type: 'rate-limit', retryAfterSeconds: 2 });
    await expect(
      thulium.setStatusByPhoneNumber(UPDATE, CREDENTIALS, Date.now() + 5_000, undefined, turn),
    ).rejects.toMatchObject({
      code: 'THULIUM_RATE_LIMITED',
    });
    expect(turn.done).toHaveBeenCalledExactlyOnceWith({ limitedMs: 2_000, rateLimited: true });

    const late = given();
    await expect(
      late.thulium.setStatusByPhoneNumber(UPDATE, CREDENTIALS, Date.now() + 100, undefined, late.turn),
    ).rejects.toMatchObject({
      code: 'DEADLINE_EXCEEDED',
    });
    expect(late.turn.release).toHaveBeenCalledOnce();
    expect(late.turn.done).not.toHaveBeenCalled();
    expect(simulator.calls).toHaveLength(1);
  });
});
