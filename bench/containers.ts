/**
 * Containers of a bundle, each a fresh Node process running bench/container.mjs with the flags
 * Lambda would give it; what each measured comes back with the calls it made on the wire.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bundle } from './bundles.ts';

const CONTAINER = fileURLToPath(new URL('./container.mjs', import.meta.url));

export type Scenario = 'cold' | 'warm' | 'batch' | 'stream';

/** What bench/container.mjs is asked to do. */
export interface Task {
  bundle: string;
  scenario: Scenario;
  /** warm: invocations; batch and stream: timed batches in this container. */
  count: number;
  /** warm: the invocation after which memory is read the first time. */
  checkpoint: number;
  httpEvent: unknown;
  batchEvent: { Records: unknown[] };
}

/** Bytes, after a full garbage collection. */
export interface Memory {
  rss: number;
  heapUsed: number;
}

/** What bench/container.mjs reports; times in ms from the process's own start. */
export interface Measured {
  bootMs?: number;
  importMs?: number;
  coldStartMs?: number;
  firstStatus?: number;
  latenciesMs?: number[];
  atCheckpoint?: Memory;
  atEnd?: Memory;
  startedAt?: number;
  endedAt?: number;
  failures?: number;
}

/** Calls made on the wire while a container ran (all containers, if several ran at once). */
export interface Wire {
  connections: number;
  secretReads: number;
  /** Calls to the ordering guard's DynamoDB. */
  storeCalls: number;
}

/** A variant as deployed: its bundle and its environment. */
export interface Deployment {
  name: string;
  bundle: Bundle;
  env: Record<string, string>;
}

/**
 * The flags Lambda's Node.js bootstrap passes, from the function's memory: a tenth of it for the
 * young generation, the rest for the old one, and gc() exposed. V8's defaults on a large machine
 * would size the young generation from all of the machine's memory instead.
 */
export function lambdaNodeFlags(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return [
    '--expose-gc',
    `--max-semi-space-size=${Math.floor(newSpace / 2)}`,
    `--max-old-space-size=${memoryMb - newSpace}`,
  ];
}

export interface ContainerOptions {
  /** A directory for the containers' reports. */
  scratch: string;
  memoryMb: number;
  task: Omit<Task, 'bundle' | 'scenario' | 'count'>;
  wire: () => Wire;
}

export function containers({ scratch, memoryMb, task, wire }: ContainerOptions) {
  const flags = lambdaNodeFlags(memoryMb);
  let runs = 0;
  return async function run(d: Deployment, scenario: Scenario, count = 0): Promise<Measured & Wire> {
    const out = join(scratch, `${++runs}.json`);
    const before = wire();
    const child = spawn(process.execPath, [...flags, CONTAINER], {
      env: {
        ...d.env,
        BENCH_TASK: JSON.stringify({ ...task, bundle: d.bundle.path, scenario, count }),
        BENCH_OUT: out,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (code !== 0) throw new Error(`${d.name} ${scenario} container exited with ${code}: ${stderr.slice(-2000)}`);
    const measured = JSON.parse(await readFile(out, 'utf8')) as Measured;
    const after = wire();
    return {
      ...measured,
      connections: after.connections - before.connections,
      secretReads: after.secretReads - before.secretReads,
      storeCalls: after.storeCalls - before.storeCalls,
    };
  };
}
