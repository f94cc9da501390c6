/** The benchmark's table: figures with their spread, the targets as ratios, and what fills each bundle. */
import { cpus, release, totalmem, type as osName } from 'node:os';
import type { BenchOptions } from './options.ts';
import type { DrainResult } from './drain.ts';
import type { BurstResult } from './burst.ts';
import { drainAndBurstTargets, drainSections } from './drain-report.ts';
import { EVENT_ROWS, eventsLine, eventTargets } from './events.ts';
import type { Bundle, Variant } from './bundles.ts';
import { figure, num, type Figure } from './stats.ts';

export type Metric =
  | 'coldStartMs'
  | 'importMs'
  | 'bootMs'
  | 'coldSecretReads'
  | 'warmP50Ms'
  | 'warmP99Ms'
  | 'rssMiB'
  | 'rssGrowthMiB'
  | 'heapMiB'
  | 'heapGrowthMiB'
  | 'secretReads'
  | 'connections'
  | 'batchMs'
  | 'roundTripMs'
  | 'updatesPerSecond'
  | 'streamConnections'
  | 'storeCallsPerUpdate'
  | 'storeInFlight'
  | 'storeCallMs'
  | 'storeTenCallsMs'
  | 'putEventsPerBatch'
  | 'putEventsMs';

export interface Sample {
  variant: string;
  metric: Metric;
  value: number;
}

export interface Results {
  date: string;
  /** Requests the shipped stack lets the queue send to Thulium at once (maxConcurrency × recordConcurrency). */
  thuliumCeiling: number;
  /** What every container's Node process was started with. */
  nodeFlags: string[];
  options: BenchOptions;
  bundles: Record<Variant, Bundle>;
  samples: Sample[];
  drains: DrainResult[];
  bursts: BurstResult[];
}

const VARIANTS: Variant[] = ['function', 'floor', 'peer'];
/** The table's columns: the function as shipped, the same without the ordering guard, and the references. */
const COLUMNS = ['function', 'unguarded', 'floor', 'peer'] as const;
const HEADINGS: Record<(typeof COLUMNS)[number], string> = {
  function: 'function',
  unguarded: 'function, guard off',
  floor: 'floor',
  peer: 'peer',
};
const bundleOf = (column: (typeof COLUMNS)[number]): Variant => (column === 'unguarded' ? 'function' : column);

const ROWS: [Metric, string][] = [
  ['coldStartMs', 'cold start: process start → first HTTP answer (ms)'],
  ['importMs', 'import of the bundle alone (ms)'],
  ['bootMs', 'Node start, before the import (ms)'],
  ['warmP50Ms', 'warm invocation p50 (ms)'],
  ['warmP99Ms', 'warm invocation p99 (ms)'],
  ['batchMs', 'SQS batch of 10, Thulium at 50 ms (ms)'],
  ['roundTripMs', 'one Thulium round trip at 50 ms (ms)'],
  ['updatesPerSecond', 'stream throughput (updates/s)'],
  ['rssMiB', 'RSS after the warm run (MiB)'],
  ['rssGrowthMiB', 'RSS growth, checkpoint → end (MiB)'],
  ['heapMiB', 'JS heap in use after the warm run (MiB)'],
  ['heapGrowthMiB', 'JS heap growth, checkpoint → end (MiB)'],
  ['coldSecretReads', 'Secrets Manager reads, cold container'],
  ['secretReads', 'Secrets Manager reads, warm run'],
  ['connections', 'TCP connections to Thulium, warm run'],
  ['streamConnections', 'TCP connections to Thulium, stream (all containers)'],
  ['storeCallsPerUpdate', 'ordering store calls per update, warm run'],
  ['storeInFlight', 'ordering store calls in flight at once, batch of 10 numbers'],
  ...EVENT_ROWS,
];

export function figureOf(results: Results, variant: string, metric: Metric): Figure | undefined {
  const values = results.samples.filter((s) => s.variant === variant && s.metric === metric).map((s) => s.value);
  return values.length ? figure(values) : undefined;
}

const cell = (f: Figure | undefined) =>
  !f ? '' : f.low === f.high ? num(f.median) : `${num(f.median)} (${num(f.low)}–${num(f.high)})`;

export interface Target {
  name: string;
  ratio: number;
  limit: number;
  /** The ratio must reach the limit, not stay within it. */
  atLeast?: boolean;
}

export const met = (t: Target) => (t.atLeast ? t.ratio >= t.limit : t.ratio <= t.limit);

/** Each target of the benchmark, as a ratio of medians from this run, and its limit. */
export function targetsOf(results: Results): Target[] {
  const m = (variant: string, metric: Metric) => figureOf(results, variant, metric)?.median ?? Number.NaN;
  const size = (variant: Variant, kind: 'bytes' | 'loadedBytes') => results.bundles[variant][kind];
  return [
    { name: 'cold start ÷ peer', ratio: m('function', 'coldStartMs') / m('peer', 'coldStartMs'), limit: 0.5 },
    { name: 'cold start ÷ floor', ratio: m('function', 'coldStartMs') / m('floor', 'coldStartMs'), limit: 1.0 },
    { name: 'warm p50, guard off ÷ floor', ratio: m('unguarded', 'warmP50Ms') / m('floor', 'warmP50Ms'), limit: 1.2 },
    { name: 'batch of 10 ÷ one round trip', ratio: m('function', 'batchMs') / m('floor', 'roundTripMs'), limit: 1.2 },
    {
      name: 'batch of 10, guard off ÷ one round trip',
      ratio: m('unguarded', 'batchMs') / m('floor', 'roundTripMs'),
      limit: 1.2,
    },
    {
      name: 'ordering store calls per update (warm, no contention)',
      ratio: m('function', 'storeCallsPerUpdate'),
      limit: 2,
    },
    // Ten numbers' claims go out at once: a batch pays about one update's store round trips, not ten.
    {
      name: 'batch of 10 numbers ÷ ordering store calls in flight at once',
      ratio: 10 / m('function', 'storeInFlight'),
      limit: 1,
    },
    {
      // The local stores serve one call at a time; read against their own pace, the guard adds nothing of its own.
      name: "the guard's added time, batch of 10 ÷ one update, ÷ the store's own ten calls at once ÷ one",
      ratio:
        (m('function', 'batchMs') - m('unguarded', 'batchMs')) /
        (m('function', 'warmP50Ms') - m('unguarded', 'warmP50Ms')) /
        (m('store', 'storeTenCallsMs') / m('store', 'storeCallMs')),
      limit: 1.2,
    },
    { name: 'Secrets Manager reads per container (warm run)', ratio: m('function', 'secretReads'), limit: 1 },
    {
      name: `TCP connections to Thulium in the stream ÷ the ceiling (${results.thuliumCeiling})`,
      ratio: m('function', 'streamConnections') / results.thuliumCeiling,
      limit: 1,
    },
    {
      name: 'RSS growth ÷ RSS, checkpoint → end',
      ratio: m('function', 'rssGrowthMiB') / m('function', 'rssMiB'),
      limit: 0.02,
    },
    {
      name: 'JS heap growth ÷ heap, checkpoint → end',
      ratio: m('function', 'heapGrowthMiB') / m('function', 'heapMiB'),
      limit: 0.02,
    },
    { name: 'RSS ÷ peer', ratio: m('function', 'rssMiB') / m('peer', 'rssMiB'), limit: 1.0 },
    { name: 'bundle ÷ peer, all files', ratio: size('function', 'bytes') / size('peer', 'bytes'), limit: 0.4 },
    {
      name: 'bundle ÷ peer, loaded at cold start',
      ratio: size('function', 'loadedBytes') / size('peer', 'loadedBytes'),
      limit: 0.4,
    },
    { name: 'warm p50, guard off ÷ peer', ratio: m('unguarded', 'warmP50Ms') / m('peer', 'warmP50Ms'), limit: 1 },
    { name: 'warm p99, guard off ÷ peer', ratio: m('unguarded', 'warmP99Ms') / m('peer', 'warmP99Ms'), limit: 1 },
    ...eventTargets(results),
    ...drainAndBurstTargets(results),
  ];
}

const added = (results: Results, metric: Metric) =>
  (
    (figureOf(results, 'function', metric)?.median ?? Number.NaN) -
    (figureOf(results, 'unguarded', metric)?.median ?? Number.NaN)
  ).toFixed(2);

const kibOf = (results: Results, variant: Variant, size: 'bytes' | 'loadedBytes') =>
  (results.bundles[variant][size] / 1024).toFixed(1);

/** The machine a run measured on, as every results file names it. */
export function machineLine(): string {
  const cpu = cpus();
  const gib = (totalmem() / 2 ** 30).toFixed(1);
  return `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${gib} GiB, ${osName()} ${release()}, Node ${process.version}`;
}

export function renderReport(results: Results): string {
  const { options } = results;
  const lines = [
    '# Benchmark results',
    '',
    `Written by \`npm run bench\` (bench/run.ts) on ${results.date}.`,
    '',
    `- Machine: ${machineLine()}`,
    `- Run: ${options.coldRuns} cold processes per variant; ${options.rounds} rounds of ${options.warmInvocations} warm invocations (memory read after ${options.memoryCheckpoint} and at the end, after a full GC), ${options.batches} timed batches, and a stream of ${options.streamBatches} batches per container; variants alternate, the order rotating each time.`,
    `- Containers: a fresh Node process each, started with \`${results.nodeFlags.join(' ')}\` (what Lambda's Node.js bootstrap derives from the stack's memory); Thulium simulator and Secrets Manager on loopback.`,
    "- Cells: median (10th–90th percentile for ten samples or more, else min–max). Warm figures: the median of the rounds, each round's percentile taken over the invocations after the memory checkpoint.",
    "- Variants: `function` is the built bundle with the stack's settings (the ordering guard on and the shared Thulium budget, past its first seconds' slow start, in the same table: dynalite on loopback behind a counting front); `function, guard off` the same with `ORDERING_GUARD=off` (the budget still in the table); `floor` (bench/floor.ts) one keep-alive undici POST with the API user in hand; `peer` (bench/peer.ts) the same job as Powertools documents it.",
    '',
    `| figure | ${COLUMNS.map((c) => HEADINGS[c]).join(' | ')} |`,
    `|---|${COLUMNS.map(() => '---:').join('|')}|`,
    ...ROWS.map(
      ([metric, label]) => `| ${label} | ${COLUMNS.map((c) => cell(figureOf(results, c, metric))).join(' | ')} |`,
    ),
    `| bundle, all files (KiB) | ${COLUMNS.map((c) => kibOf(results, bundleOf(c), 'bytes')).join(' | ')} |`,
    `| bundle, loaded at cold start (KiB) | ${COLUMNS.map((c) => kibOf(results, bundleOf(c), 'loadedBytes')).join(' | ')} |`,
    '',
    `The guard's added time, from these medians: ${added(results, 'warmP50Ms')} ms per warm update, ${added(results, 'batchMs')} ms per batch of 10 numbers (Thulium at ${options.thuliumLatencyMs} ms). ` +
      `The store (dynalite behind the counting front) takes ${cell(figureOf(results, 'store', 'storeCallMs'))} ms for one UpdateItem and ${cell(figureOf(results, 'store', 'storeTenCallsMs'))} ms for ten at once: it serves one call at a time, where DynamoDB serves distinct items in parallel.`,
    '',
    eventsLine(results),
    '',
    '## Targets',
    '',
    '| target | measured | limit | met |',
    '|---|---:|---:|:---:|',
    ...targetsOf(results).map(
      (t) =>
        `| ${t.name} | ${t.ratio.toFixed(2)} | ${t.atLeast ? '≥' : '≤'} ${t.limit} | ${met(t) ? 'yes' : '**no**'} |`,
    ),
    '',
    ...drainSections(results),
    '## What takes the space (esbuild metafile, KiB in the output)',
    '',
    ...VARIANTS.map((v) => {
      const top = results.bundles[v].packages
        .slice(0, 8)
        .map(([name, bytes]) => `${name} ${(bytes / 1024).toFixed(1)}`);
      return `- **${v}** (${(results.bundles[v].bytes / 1024).toFixed(1)}): ${top.join(', ')}`;
    }),
    '',
  ];
  return lines.join('\n');
}
