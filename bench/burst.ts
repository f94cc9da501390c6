/**
 * A back-to-back burst on the HTTP face: C containers of the bundle in the benchmark's process, each
 * with a caller of its own sending API Gateway (HTTP API, payload 2.0) events one after another, the
 * next as soon as an answer comes, for S seconds, while the Thulium simulator accepts R calls a
 * second (a token bucket holding one second's worth; 429 with Retry-After: 1).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { importContainer, lambdaContext } from '../dev/aws/lambda-context.ts';
import { httpApiEvent } from '../test/support/aws-events.ts';
import type { DrainWorld } from './drain.ts';
import { inProcess, type InProcessVariant } from './in-process.ts';
import { percentile } from './stats.ts';

export interface BurstCase {
  /** Calls a second the tenant accepts. */
  callsPerSecond: number;
  /** HTTP containers, each called by a caller of its own. */
  containers: number;
  /** How long the callers keep sending. */
  seconds: number;
}

export interface BurstResult extends BurstCase {
  variant: string;
  /** The callers' start → the last answer. */
  elapsedSeconds: number;
  requests: number;
  /** Answers by HTTP status; `threw` for an invocation that threw. */
  answers: Record<string, number>;
  /** Answered 200: the update applied. */
  accepted: number;
  /** Calls Thulium received, and those it answered 429. */
  calls: number;
  rejected: number;
  /** Every answer's time, from the invocation to its answer. */
  p50Ms: number;
  p99Ms: number;
  storeCalls?: number;
  budgetStoreCalls?: number;
}

/**
 * One caller's events, for its numbers round and round. Each number's version (the event's
 * timeEpoch, when API Gateway took it in) is now, and never the same millisecond twice.
 */
function eventsFor(numbers: string[], statusId: string) {
  const template = httpApiEvent({ body: '' });
  const lastStamp = new Map<string, number>();
  let sent = 0;
  return () => {
    const phone_number = numbers[sent++ % numbers.length];
    const stamp = Math.max(Date.now(), (lastStamp.get(phone_number) ?? 0) + 1);
    lastStamp.set(phone_number, stamp);
    const event = structuredClone(template);
    event.requestContext.requestId = randomUUID();
    event.requestContext.timeEpoch = stamp;
    event.body = JSON.stringify({ phone_number, status_id: statusId });
    return event;
  };
}

export async function burst(world: DrainWorld, variant: InProcessVariant, scenario: BurstCase): Promise<BurstResult> {
  const { simulator, settings } = world;
  const timeoutMs = settings.timeoutSeconds * 1000;
  const latencies: number[] = [];
  const answers: Record<string, number> = {};
  const firstCall = simulator.calls.length;
  let started = 0;
  const ended = await inProcess(variant.env, async () => {
    const handlers = await Promise.all(
      Array.from({ length: scenario.containers }, () => importContainer(variant.bundlePath)),
    );
    simulator.rateLimit = { callsPerSecond: scenario.callsPerSecond };
    started = Date.now();
    const stopAt = started + scenario.seconds * 1000;
    try {
      await Promise.all(
        handlers.map(async (handler, k) => {
          // Caller k sends the numbers at k, k + C, k + 2C…: no two callers share one, so the guard never holds one for another.
          const next = eventsFor(
            world.numbers.filter((_, i) => i % scenario.containers === k),
            world.statusId,
          );
          while (Date.now() < stopAt) {
            const sentAt = performance.now();
            let status = 'threw';
            try {
              status = String((await handler(next(), lambdaContext(timeoutMs))).statusCode);
            } catch {}
            latencies.push(performance.now() - sentAt);
            answers[status] = (answers[status] ?? 0) + 1;
            // An answer given without any I/O would otherwise keep the event loop (the simulator, the store) from turning.
            await nextTurn();
          }
        }),
      );
      return Date.now();
    } finally {
      simulator.rateLimit = undefined;
    }
  });

  const calls = simulator.calls.slice(firstCall);
  return {
    ...scenario,
    variant: variant.name,
    elapsedSeconds: (ended - started) / 1000,
    requests: latencies.length,
    answers,
    accepted: answers['200'] ?? 0,
    calls: calls.length,
    rejected: calls.filter((c) => c.status === 429).length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}
