/**
 * Draining a queue into a rate-limited tenant: N updates sent to a fresh queue of the stack's shape,
 * Lambda's event source mapping (dev/aws/sqs-event-source.ts) driving one container of the bundle per
 * poller with the stack's batch size, window and timeout, and its concurrency unless the case sets
 * another, and the Thulium simulator accepting R calls a second (a token bucket holding one second's
 * worth; 429 with Retry-After: 1).
 */
import { importContainer } from '../dev/aws/lambda-context.ts';
import { EventSourceMapping, queueEnvironment, stackEventSource } from '../dev/aws/sqs-event-source.ts';
import { messagesIn, stackQueue, type LocalSqs } from '../dev/aws/sqs.ts';
import type { ThuliumSimulator } from '../dev/thulium-simulator.ts';
import type { Settings } from '../infra/settings.ts';
import { sendStatusUpdates } from '../functions/outbound-status/client/queue-sender.ts';
import { inProcess, type InProcessVariant } from './in-process.ts';
import { idealSeconds, type DrainCase } from './options.ts';

export interface DrainResult extends DrainCase {
  variant: string;
  containers: number;
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
  /** DynamoDB calls during the run: all of them (guard and budget), and those on the shared budget's item. */
  storeCalls?: number;
  budgetStoreCalls?: number;
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
  variant: InProcessVariant,
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
  const source = stackEventSource(settings);
  const containers = scenario.containers ?? source.pollers;

  const firstCall = simulator.calls.length;
  const firstApplied = simulator.applied.length;
  // Containers read their environment at init and their SQS endpoint at first use: it holds for the run.
  const stoppedAt = await inProcess({ ...variant.env, ...queueEnvironment(sqs, queue) }, async () => {
    simulator.rateLimit =
      scenario.callsPerSecond === undefined ? undefined : { callsPerSecond: scenario.callsPerSecond };
    try {
      const mapping = new EventSourceMapping({
        emulator: sqs,
        queue,
        newContainer: () => importContainer(variant.bundlePath),
        ...source,
        pollers: containers,
      });
      await mapping.run({ maxMs });
      return Date.now();
    } finally {
      simulator.rateLimit = undefined;
    }
  });

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
    containers,
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
