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
    // Two conditional writes per update when nobody else holds the number; none with the guard off.
    expect(figureOf(results, 'function', 'storeCallsPerUpdate')?.median).toBe(2);
    expect(figureOf(results, 'unguarded', 'storeCallsPerUpdate')?.median).toBe(0);
    // A batch of ten numbers claims all ten at once.
    expect(figureOf(results, 'function', 'storeInFlight')?.median).toBe(10);
    expect(figureOf(results, 'store', 'storeTenCallsMs')?.median).toBeGreaterThan(0);
    for (const target of targetsOf(results)) expect(Number.isFinite(target.ratio), target.name).toBe(true);
    for (const variant of ['function', 'floor', 'peer'] as const) {
      expect(results.bundles[variant].bytes).toBeGreaterThanOrEqual(results.bundles[variant].loadedBytes);
      expect(results.bundles[variant].packages.length).toBeGreaterThan(0);
    }
    // The drains: every update applied by the function, at the limit and without one; the peer's counted.
    const drains = results.drains.filter((d) => d.variant === 'function');
    expect(drains.map((d) => d.callsPerSecond)).toEqual(SMOKE_RUN.drains.map((d) => d.callsPerSecond));
    for (const d of drains) {
      expect({ applied: d.applied, left: d.left, deadLettered: d.deadLettered }).toEqual({
        applied: d.updates,
        left: 0,
        deadLettered: 0,
      });
      expect(d.calls).toBeGreaterThanOrEqual(d.updates);
      expect(Number.isFinite(d.seconds)).toBe(true);
    }
    expect(results.drains.filter((d) => d.variant === 'peer')).toHaveLength(SMOKE_RUN.drains.length);
    const report = renderReport(results);
    expect(report).toContain('## Draining a queue into a rate-limited Thulium');
    expect(report).toContain('| cold start: process start → first HTTP answer (ms) |');
    expect(report).toContain('## Targets');
  }, 180_000);
});
