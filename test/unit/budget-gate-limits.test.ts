import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RETRY_SHARED_MS } from '../../functions/outbound-status/adapters/budget/keeper.ts';
import {
  type BudgetOptions,
  createThuliumBudget,
} from '../../functions/outbound-status/adapters/budget/thulium-budget.ts';
import { DEFAULT_POLICY } from '../../functions/outbound-status/adapters/budget/state.ts';
import { callers, deployment } from '../support/budget.ts';

const T0 = Date.parse('2026-12-01T12:00:00Z');
const step = (ms = 0) => vi.advanceTimersByTimeAsync(ms);
const LIMITED = (limitedMs: number, rateLimited = true) => ({ limitedMs, rateLimited });
/** After a pause, the first call goes alone this long. */
const PROBE_MS = DEFAULT_POLICY.probeMs;

beforeEach(() => {
  vi.useFakeTimers({ now: T0, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A container of the deployment whose first call Thulium answered with a pause of `limitedMs`. */
async function limitedContainer(
  limitedMs: number,
  { rateLimited = true, ...options }: Partial<BudgetOptions> & { rateLimited?: boolean } = {},
) {
  const shared = options.shared ?? deployment();
  const budget = createThuliumBudget({ shared, callsPerSecond: 10, maxInFlight: 10, ...options });
  const c = callers(budget);
  c.reserve();
  await step();
  c.started[0].turn.done(LIMITED(limitedMs, rateLimited));
  await step();
  return { budget, c, shared };
}

describe('the budget when Thulium limits a call', () => {
  it('holds the tickets waiting for the pause: the first goes alone at its end, the rest PROBE_MS on', async () => {
    const c = callers(createThuliumBudget({ shared: deployment(), callsPerSecond: 10, maxInFlight: 10 }));
    for (let i = 0; i < 5; i++) c.reserve();
    await step(50);
    // Tickets at +0, +100 ... +400; the first is refused 50 ms on: ticket 0.5 came due, 1.5 resumes the line.
    c.started[0].turn.done(LIMITED(1_000));
    await step(3_000);
    const resumed = 1_050 + PROBE_MS;
    expect(c.times(T0)).toEqual([0, 1_050, resumed + 50, resumed + 150, resumed + 250]);
    expect(c.refused).toEqual([]);
  });

  it('lets the first call after a pause go alone for PROBE_MS when nothing was waiting for it', async () => {
    const { c } = await limitedContainer(1_000);
    for (let i = 0; i < 3; i++) c.reserve();
    await step(3_000);
    const [, probe, next] = c.times(T0);
    expect(probe).toBeGreaterThanOrEqual(1_000);
    expect(next - probe).toBeGreaterThanOrEqual(PROBE_MS);
  });

  it('refuses a person at once during a pause, with the pause left as Retry-After, and a record that cannot wait it out', async () => {
    const { c } = await limitedContainer(3_000);
    await step(500);
    c.reserve('interactive', Date.now() + 29_000);
    c.reserve('background', Date.now() + 2_000);
    c.reserve('background', Date.now() + 29_000);
    await step();
    expect(c.refused.map((r) => [r.id, r.at - T0])).toEqual([
      [2, 500],
      [3, 500],
    ]);
    for (const { error } of c.refused)
      expect(error).toMatchObject({ code: 'THULIUM_RATE_LIMITED', retryAfterSeconds: 3 });
    await step(3_000);
    expect(c.started.map((s) => s.id)).toEqual([1, 4]);
    expect(c.started[1].at).toBeGreaterThanOrEqual(T0 + 3_000);
  });

  it("holds another container's calls for the pause: it finds it in the item on its next lease", async () => {
    const { shared } = await limitedContainer(1_000);
    const other = callers(createThuliumBudget({ shared, callsPerSecond: 10, maxInFlight: 10 }));
    other.reserve();
    other.reserve();
    await step(999);
    expect(other.started).toEqual([]);
    await step(1_000);
    expect(other.started).toHaveLength(2);
    expect(other.started[0].at).toBeGreaterThanOrEqual(T0 + 1_000);
  });

  it('lowers the rate once per episode: for 429s of calls in flight together, and not for the probe after it', async () => {
    const episodes: { rate: number; rateLimited: boolean; repause: boolean }[] = [];
    const budget = createThuliumBudget({ shared: deployment(), maxInFlight: 10, onEpisode: (e) => episodes.push(e) });
    const c = callers(budget);
    for (let i = 0; i < 3; i++) c.reserve();
    await step(400);
    // Slow start: tickets at +0, +177 and +318 ms.
    expect(c.started).toHaveLength(3);
    for (const s of c.started) s.turn.done(LIMITED(1_000));
    await step();
    expect(episodes).toEqual([expect.objectContaining({ rateLimited: true, repause: false })]);
    const { learned } = budget.snapshot().state!;
    c.reserve();
    await step(2_000);
    expect(c.started).toHaveLength(4);
    c.started[3].turn.done(LIMITED(2_000));
    await step();
    expect(episodes.map((e) => e.repause)).toEqual([false, true]);
    expect(budget.snapshot().state?.learned).toEqual(learned);
  });

  it('pauses for a 503 with Retry-After without lowering the rate, and for a minute at most', async () => {
    const episodes: { rateLimited: boolean }[] = [];
    const { budget, c } = await limitedContainer(3_600_000, {
      rateLimited: false,
      callsPerSecond: undefined,
      onEpisode: (e) => episodes.push(e),
    });
    expect(budget.snapshot()).toMatchObject({ pausedUntil: T0 + 60_000, limitedAt: 0 });
    expect(budget.snapshot().state?.learned).toBeUndefined();
    expect(episodes).toEqual([expect.objectContaining({ rateLimited: false })]);
    c.reserve('background', T0 + 120_000);
    await step(59_999);
    expect(c.started).toHaveLength(1);
    await step(1_000);
    expect(c.started).toHaveLength(2);
  });
});

describe('the budget when its table fails', () => {
  it('falls back to a budget of its own at once, and goes back to the table once it answers again', async () => {
    const shared = deployment();
    shared.broken = true;
    const fallbacks: { rate: number; holders: number }[] = [];
    const budget = createThuliumBudget({
      shared,
      callsPerSecond: 10,
      maxInFlight: 10,
      onFallback: (f) => fallbacks.push(f),
    });
    const c = callers(budget);
    for (let i = 0; i < 3; i++) c.reserve('background', T0 + 30_000, true);
    await step(200);
    expect(c.times(T0)).toEqual([0, 100, 200]);
    expect(fallbacks).toEqual([expect.objectContaining({ rate: 10, holders: 1 })]);
    expect(budget.snapshot()).toMatchObject({ shared: false, fallenBack: true, callsPerSecond: 10 });

    shared.broken = false;
    await step(RETRY_SHARED_MS - 201);
    c.reserve('background', Date.now() + 30_000, true);
    await step();
    expect(budget.snapshot()).toMatchObject({ shared: false, fallenBack: true });
    expect(shared.state).toBeUndefined();
    await step(1);
    c.reserve('background', Date.now() + 30_000, true);
    await step();
    expect(c.started).toHaveLength(5);
    expect(budget.snapshot()).toMatchObject({ shared: true, fallenBack: false });
    expect(shared.state?.recent).toEqual({ [(T0 + RETRY_SHARED_MS) / 1000]: 1 });
    expect(fallbacks).toHaveLength(1);
  });
});
