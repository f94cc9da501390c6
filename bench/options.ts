/** What a run of the benchmark measures, and how much of it: the full run and the smoke run. */
import type { BurstCase } from './burst.ts';
import type { Scenario } from './containers.ts';
import type { RunKind } from './drain-phase.ts';

export interface BenchOptions {
  /** Fresh processes per variant for the cold start. */
  coldRuns: number;
  /** Rounds of the warm, batch and stream scenarios per variant. */
  rounds: number;
  warmInvocations: number;
  /** Invocation after which memory (RSS and JS heap) is read the first time. */
  memoryCheckpoint: number;
  /** Timed batches of 10 per container in the batch scenario. */
  batches: number;
  /** Batches of 10 per container in the throughput stream. */
  streamBatches: number;
  /** Thulium's answer time in the batch, stream and drain scenarios. */
  thuliumLatencyMs: number;
  /** Queues drained into a rate-limited Thulium, by the function and the peer. */
  drains: DrainCase[];
  /** Back-to-back bursts on the HTTP face of several containers, into a rate-limited Thulium. */
  bursts: BurstCase[];
  /** Variants that drain; the function and the peer unless set. */
  drainVariants?: string[];
  /** Kinds of drain (and the burst) that run; all unless set. */
  drainKinds?: RunKind[];
  /** False: measure dist/outbound-status as `npm run build` left it. */
  rebuildFunction?: boolean;
  /** Added to the function's environment, to measure what a setting costs. */
  functionEnv?: Record<string, string>;
  /** Phases to run; all of them unless set. */
  phases?: Phase[];
  /** Where the Markdown report goes; undefined writes none. */
  resultsFile?: string;
  log?: (line: string) => void;
}

/** The benchmark's phases, each one kind of container. */
export type Phase = Scenario | 'drain';
export const PHASES: Phase[] = ['cold', 'warm', 'batch', 'stream', 'drain'];

export const FULL_RUN: BenchOptions = {
  coldRuns: 15,
  rounds: 3,
  warmInvocations: 10_000,
  memoryCheckpoint: 1_000,
  batches: 20,
  streamBatches: 30,
  thuliumLatencyMs: 50,
  drains: [
    { callsPerSecond: 20, updates: 600 },
    { callsPerSecond: 5, updates: 300 },
    { callsPerSecond: undefined, updates: 600 },
    { callsPerSecond: 20, updates: 600, containers: 20 },
    { callsPerSecond: 5, updates: 300, containers: 20 },
    { callsPerSecond: 20, updates: 600, containers: 20, setRate: 20 },
  ],
  bursts: [{ callsPerSecond: 20, containers: 10, seconds: 20 }],
};

export const SMOKE_RUN: BenchOptions = {
  coldRuns: 1,
  rounds: 1,
  warmInvocations: 30,
  memoryCheckpoint: 10,
  batches: 2,
  streamBatches: 2,
  thuliumLatencyMs: 5,
  drains: [
    { callsPerSecond: 20, updates: 40 },
    { callsPerSecond: undefined, updates: 40 },
    { callsPerSecond: 20, updates: 100, containers: 20 },
  ],
  bursts: [{ callsPerSecond: 20, containers: 10, seconds: 2 }],
};

/** The order is rotated each repetition, so no variant always runs first or last. */
export const rotate = <T>(items: T[], by: number) => items.map((_, i) => items[(i + by) % items.length]);

export interface DrainCase {
  /** Calls a second the tenant accepts; undefined: no limit. */
  callsPerSecond: number | undefined;
  updates: number;
  /** Queue containers at once (the event source mapping's maximum concurrency); the stack's unless set. */
  containers?: number;
  /** The function's THULIUM_CALLS_PER_SECOND (the tenant's limit, told); unset, the function learns it from 429s. */
  setRate?: number;
}

/** The drains the benchmark runs, by what they vary: BENCH_DRAINS names them. */
export type DrainKind = 'stack' | 'containers' | 'set-rate' | 'no-limit';

export const drainKind = (c: DrainCase): DrainKind =>
  c.callsPerSecond === undefined
    ? 'no-limit'
    : c.setRate !== undefined
      ? 'set-rate'
      : c.containers !== undefined
        ? 'containers'
        : 'stack';

/** N ÷ R in seconds; undefined without a limit. */
export const idealSeconds = ({ callsPerSecond, updates }: DrainCase) =>
  callsPerSecond ? updates / callsPerSecond : undefined;
