/**
 * The benchmark's drain phase: each queue drain and each HTTP burst run by the function and the
 * peer side by side, in alternating order, every run a new deployment of its own: a fresh DynamoDB
 * table as ORDERING_TABLE_NAME (so no budget one run learned carries over) and the store reached
 * through the budget tap, so its calls are counted, the budget's apart.
 */
import type { LocalDynamoDb } from '../dev/aws/dynamodb.ts';
import { startBudgetTap } from './budget-tap.ts';
import { burst, type BurstCase, type BurstResult } from './burst.ts';
import type { Deployment } from './containers.ts';
import { drain, type DrainResult, type DrainWorld } from './drain.ts';
import { freshTable, type InProcessVariant } from './in-process.ts';
import { drainKind, idealSeconds, rotate, type DrainCase, type DrainKind } from './options.ts';

/** What BENCH_DRAINS can name: the kinds of drain, and the HTTP burst. */
export type RunKind = DrainKind | 'burst';
export const RUN_KINDS: RunKind[] = ['stack', 'containers', 'set-rate', 'no-limit', 'burst'];

export interface DrainPhaseWorld extends DrainWorld {
  dynamodb: LocalDynamoDb;
  /** The counting front before the store (test/support/store-faults.ts), and its count of calls so far. */
  storeUrl: string;
  storeCalls: () => number;
}

export interface DrainPhaseOptions {
  drains: DrainCase[];
  bursts: BurstCase[];
  /** Variants that run; the function and the peer unless set. */
  variants?: string[];
  /** Kinds of run; all unless set. */
  kinds?: RunKind[];
  log: (line: string) => void;
}

const limitOf = (callsPerSecond: number | undefined) => (callsPerSecond ? `${callsPerSecond} calls/s` : 'no limit');

export async function drainPhase(
  world: DrainPhaseWorld,
  { fn, peer }: { fn: Deployment; peer: Deployment },
  options: DrainPhaseOptions,
): Promise<{ drains: DrainResult[]; bursts: BurstResult[] }> {
  const tap = await startBudgetTap(world.storeUrl);
  const wanted = (d: Deployment) => !options.variants || options.variants.includes(d.name);
  const ofKind = (kind: RunKind) => !options.kinds || options.kinds.includes(kind);
  /** One run on a deployment of its own, its store calls counted. */
  const counted = async <R extends object>(
    d: Deployment,
    env: Record<string, string>,
    run: (variant: InProcessVariant) => Promise<R>,
  ) => {
    const table = await freshTable(world.dynamodb);
    const before = { all: world.storeCalls(), budget: tap.budgetCalls };
    const result = await run({
      name: d.name,
      bundlePath: d.bundle.path,
      env: { ...d.env, ...env, AWS_ENDPOINT_URL_DYNAMODB: tap.url, ORDERING_TABLE_NAME: table },
    });
    return {
      ...result,
      storeCalls: world.storeCalls() - before.all,
      budgetStoreCalls: tap.budgetCalls - before.budget,
    };
  };
  const drains: DrainResult[] = [];
  const bursts: BurstResult[] = [];
  try {
    for (const [i, scenario] of options.drains.entries()) {
      const kind = drainKind(scenario);
      if (!ofKind(kind)) continue;
      // The peer has no rate setting: its run would be the same drain as without one.
      const variants = kind === 'set-rate' ? [fn] : rotate([fn, peer], i);
      for (const d of variants.filter(wanted)) {
        const containers = scenario.containers ?? world.settings.maxConcurrency;
        const rate = scenario.setRate ? `, the function told ${scenario.setRate} calls/s` : '';
        options.log(
          `drain: ${scenario.updates} queued updates, ${containers} queue containers, Thulium accepting ${limitOf(scenario.callsPerSecond)}${rate}: ${d.name}`,
        );
        // The peer never finishes under a limit (a 429 waits out the queue's visibility timeout): it is stopped.
        const ideal = (idealSeconds(scenario) ?? 10) * 1000;
        const maxMs = d === peer ? 1.5 * ideal + 5_000 : 3 * ideal + 30_000;
        const env: Record<string, string> =
          d === fn && scenario.setRate ? { THULIUM_CALLS_PER_SECOND: String(scenario.setRate) } : {};
        drains.push(await counted(d, env, (variant) => drain(world, variant, { ...scenario, maxMs })));
      }
    }
    if (ofKind('burst')) {
      for (const [i, scenario] of options.bursts.entries()) {
        for (const d of rotate([fn, peer], i).filter(wanted)) {
          options.log(
            `burst: ${scenario.containers} HTTP containers called back to back for ${scenario.seconds} s, Thulium accepting ${limitOf(scenario.callsPerSecond)}: ${d.name}`,
          );
          bursts.push(await counted(d, {}, (variant) => burst(world, variant, scenario)));
        }
      }
    }
  } finally {
    await tap.close();
  }
  return { drains, bursts };
}
