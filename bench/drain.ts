/**
 * Draining a queue into a rate-limited tenant: N updates sent to a fresh queue of the stack's shape,
 * Lambda's event source mapping (dev/aws/sqs-event-source.ts) driving one container of the bundle per
 * poller with the stack's concurrency, batch size, window and timeout, and the Thulium simulator
 * accepting R calls a second (a token bucket holding one second's worth; 429 with Retry-After: 1).
 */
import { importContainer } from '../dev/aws/lambda-context.ts';
import { EventSourceMapping, queueEnvironment, stackEventSource } from '../dev/aws/sqs-event-source.ts';
import { messagesIn, stackQueue, type LocalSqs } from '../dev/aws/sqs.ts';
import type { ThuliumSimulator } from '../dev/thulium-simulator.ts';
import type { Settings } from '../infra/settings.ts';
import { sendStatusUpdates } from '../functions/outbound-status/client/queue-sender.ts';

export interface DrainCase {
  /** Calls a second the tenant accepts; undefined: no limit. */
  callsPerSecond: number | undefined;
  updates: number;
}

/** N ÷ R in seconds; undefined without a limit. */
export const idealSeconds = ({ callsPerSecond, updates }: DrainCase) =>
  callsPerSecond ? updates / callsPerSecond : undefined;

export interface DrainResult extends DrainCase {
  variant: string;
  /** First call to Thulium → last call it accepted; or, when stopped with updates left, → the stop. */
  seconds: number;
  /** Updates were left on the queue when the run reached its time limit. */
  stopped: boolean;
  /** N / R; undefined without a limit. */
  idealSeconds: number | undefined;
  calls: number;
  rejected: number;
  /** Numbers of this run Thulium applied. */
  applied: number;
  deadLettered: number;
  /** Still on the queue when the run was stopped at its time limit. */
  left: number;
}

export interface DrainWorld {
  sqs: LocalSqs;
  simulator: ThuliumSimulator;
  settings: Settings;
  /** Numbers the tenant has records for, at least as many as the largest case's updates. */
  numbers: string[];
  statusId: string;
}

let runs = 0;

export async function drain(
  world: DrainWorld,
  variant: { name: string; bundlePath: string; env: Record<string, string> },
  { maxMs, ...scenario }: DrainCase & { maxMs: number },
): Promise<DrainResult> {
  const { sqs, simulator, settings } = world;
  const queue = await sqs.createQueues(stackQueue(`bench-drain-${++runs}`, settings));
  const numbers = world.numbers.slice(0, scenario.updates);
  await sendStatusUpdates(
    queue.url,
    numbers.map((phoneNumber) => ({ phoneNumber, statusId: world.statusId })),
    { sqs: sqs.client },
  );

  // Containers read their environment at init and their SQS endpoint at first use: it holds for the run.
  const saved = { ...process.env };
  Object.assign(process.env, variant.env, queueEnvironment(sqs, queue));
  // The containers' log lines are not the benchmark's output.
  const writes = [process.stdout.write, process.stderr.write] as const;
  process.stdout.write = process.stderr.write = (() => true) as typeof process.stdout.write;
  const firstCall = simulator.calls.length;
  let stoppedAt = Number.NaN;
  const firstApplied = simulator.applied.length;
  simulator.rateLimit = scenario.callsPerSecond === undefined ? undefined : { callsPerSecond: scenario.callsPerSecond };
  try {
    const mapping = new EventSourceMapping({
      emulator: sqs,
      queue,
      newContainer: () => importContainer(variant.bundlePath),
      ...stackEventSource(settings),
    });
    await mapping.run({ maxMs });
    stoppedAt = Date.now();
  } finally {
    simulator.rateLimit = undefined;
    [process.stdout.write, process.stderr.write] = writes;
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }

  const calls = simulator.calls.slice(firstCall);
  const accepted = calls.filter((c) => c.status === 200);
  const mine = new Set(numbers);
  const applied = new Set(
    simulator.applied
      .slice(firstApplied)
      .map((a) => a.phoneNumber)
      .filter((n) => mine.has(n)),
  );
  const [queued, deadLetters] = await Promise.all([sqs.depth(queue.url), sqs.depth(queue.deadLetter.url)]);
  const left = messagesIn(queued);
  const end = left > 0 ? stoppedAt : accepted.length ? accepted[accepted.length - 1].at : Number.NaN;
  return {
    ...scenario,
    variant: variant.name,
    seconds: calls.length ? (end - calls[0].at) / 1000 : Number.NaN,
    stopped: left > 0,
    idealSeconds: idealSeconds(scenario),
    calls: calls.length,
    rejected: calls.filter((c) => c.status === 429).length,
    applied: applied.size,
    deadLettered: messagesIn(deadLetters),
    left,
  };
}
