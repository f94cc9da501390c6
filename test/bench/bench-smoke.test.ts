import { describe, expect, it } from 'vitest';
import { figureOf, renderReport, targetsOf, type Metric } from '../../bench/report.ts';
import { runBenchmark, SMOKE_RUN } from '../../bench/run.ts';

/** What every variant reports; the round trip is the floor's alone. */
const EVERY_VARIANT: Metric[] = [
  'coldStartMs',
  'importMs',
  'bootMs',
  'coldSecretReads',
  'warmP50Ms',
  'warmP99Ms',
  'rssMiB',
  'rssGrowthMiB',
  'heapMiB',
  'heapGrowthMiB',
  'secretReads',
  'connections',
  'batchMs',
  'updatesPerSecond',
  'streamConnections',
  'storeCallsPerUpdate',
];

// A few iterations of `npm run bench`, so the benchmark cannot rot; the figures are not judged here.
describe('the benchmark, smoke run', () => {
  it('measures every figure for the function, the floor and the peer, and renders the table', async () => {
    const results = await runBenchmark({ ...SMOKE_RUN, rebuildFunction: false });
    for (const variant of ['function', 'unguarded', 'floor', 'peer']) {
      for (const metric of EVERY_VARIANT) {
        expect(figureOf(results, variant, metric)?.median, `${variant} ${metric}`).toEqual(expect.any(Number));
        expect(Number.isFinite(figureOf(results, variant, metric)!.median), `${variant} ${metric}`).toBe(true);
      }
    }
    expect(figureOf(results, 'floor', 'roundTripMs')?.median).toBeGreaterThan(0);
    expect(figureOf(results, 'function', 'secretReads')?.median).toBe(1);
    // Two conditional writes per update when nobody else holds the number, and the shared Thulium budget's few
    // (THULIUM_BUDGET=shared, the stack's default, in the same table); with the guard off, the budget's alone.
    const storeCallsPerUpdate = figureOf(results, 'function', 'storeCallsPerUpdate')!.median;
    expect(storeCallsPerUpdate).toBeGreaterThanOrEqual(2);
    expect(storeCallsPerUpdate).toBeLessThan(2.5);
    expect(figureOf(results, 'unguarded', 'storeCallsPerUpdate')?.median).toBeLessThan(0.5);
    // A batch of ten numbers claims all ten at once (a budget call may overlap them).
    expect(figureOf(results, 'function', 'storeInFlight')?.median).toBeGreaterThanOrEqual(10);
    expect(figureOf(results, 'store', 'storeTenCallsMs')?.median).toBeGreaterThan(0);
    // Ten outcomes, one PutEvents call; the same batches without events, and EventBridge's pace, to read them against.
    expect(figureOf(results, 'function', 'putEventsPerBatch')?.median).toBe(1);
    expect(figureOf(results, 'no-events', 'batchMs')?.median).toBeGreaterThan(0);
    expect(figureOf(results, 'events', 'putEventsMs')?.median).toBeGreaterThan(0);
    for (const target of targetsOf(results)) expect(Number.isFinite(target.ratio), target.name).toBe(true);
    for (const variant of ['function', 'floor', 'peer'] as const) {
      expect(results.bundles[variant].bytes).toBeGreaterThanOrEqual(results.bundles[variant].loadedBytes);
      expect(results.bundles[variant].packages.length).toBeGreaterThan(0);
    }
    // The drains: every update applied by the function, the stack's containers and 20 of them, at the limit
    // and without one, nothing dead-lettered, the calls per update and the store calls counted; the peer's counted.
    const drains = results.drains.filter((d) => d.variant === 'function');
    expect(drains.map((d) => [d.callsPerSecond, d.containers])).toEqual(
      SMOKE_RUN.drains.map((d) => [d.callsPerSecond, d.containers ?? 2]),
    );
    expect(drains.some((d) => d.containers === 20)).toBe(true);
    for (const d of drains) {
      expect({ applied: d.applied, left: d.left, deadLettered: d.deadLettered }).toEqual({
        applied: d.updates,
        left: 0,
        deadLettered: 0,
      });
      expect(d.calls).toBeGreaterThanOrEqual(d.updates);
      expect(Number.isFinite(d.seconds)).toBe(true);
      expect(Number.isFinite(d.calls / d.applied)).toBe(true);
      expect(d.storeCalls).toEqual(expect.any(Number));
      expect(d.budgetStoreCalls).toBeLessThanOrEqual(d.storeCalls!);
    }
    const peerDrains = SMOKE_RUN.drains.filter((d) => d.setRate === undefined);
    expect(results.drains.filter((d) => d.variant === 'peer')).toHaveLength(peerDrains.length);
    // The burst: every container answered, the function accepted updates, the answers add up.
    expect(results.bursts.map((b) => b.variant).sort()).toEqual(['function', 'peer']);
    for (const b of results.bursts) {
      expect(b.requests).toBeGreaterThan(0);
      expect(Object.values(b.answers).reduce((sum, n) => sum + n, 0)).toBe(b.requests);
      expect(Number.isFinite(b.p99Ms)).toBe(true);
    }
    expect(results.bursts.find((b) => b.variant === 'function')!.accepted).toBeGreaterThan(0);
    const report = renderReport(results);
    expect(report).toContain('## Draining a queue into a rate-limited Thulium');
    expect(report).toContain('## A burst on the HTTP face');
    expect(report).toContain('| cold start: process start → first HTTP answer (ms) |');
    expect(report).toContain('## Targets');
  }, 240_000);
});
