/**
 * What outcome events cost a batch: PutEvents calls per batch of 10, and the batch's time with and
 * without events, read against one PutEvents round trip to the loopback EventBridge (given the
 * latency of a real one, so the difference is visible above the noise).
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { AwsLoopback } from '../dev/aws/function-calls.ts';
import type { Metric, Results, Target } from './report.ts';
import { figureOf } from './report.ts';
import { num, percentile } from './stats.ts';

/** About one PutEvents round trip from a Lambda function in the bus's region. */
export const EVENTS_LATENCY_MS = 20;

export const EVENT_ROWS: [Metric, string][] = [['putEventsPerBatch', 'PutEvents calls per SQS batch of 10']];

/** One PutEvents call of ten entries, timed through the SDK, `count` times: the median of those. */
export async function eventsPace(aws: AwsLoopback, count: number): Promise<number> {
  const client = new EventBridgeClient({
    endpoint: aws.url,
    region: 'eu-central-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const entries = Array.from({ length: 10 }, (_, i) => ({
    Source: 'bench',
    DetailType: 'Pace',
    Detail: JSON.stringify({ i }),
    EventBusName: 'default',
  }));
  const times: number[] = [];
  try {
    for (let i = 0; i < count + 1; i++) {
      const started = performance.now();
      await client.send(new PutEventsCommand({ Entries: entries }));
      // The first call pays the connection, as the function's first batch does (untimed there too).
      if (i > 0) times.push(performance.now() - started);
    }
  } finally {
    client.destroy();
  }
  return percentile(times, 50);
}

const median = (results: Results, variant: string, metric: Metric) =>
  figureOf(results, variant, metric)?.median ?? Number.NaN;

export function eventTargets(results: Results): Target[] {
  const m = (variant: string, metric: Metric) => median(results, variant, metric);
  return [
    { name: 'PutEvents calls per batch of 10 outcomes', ratio: m('function', 'putEventsPerBatch'), limit: 1 },
    {
      // The allowance the other round-trip targets take, for the noise of two medians' difference.
      name: "outcome events' added time, batch of 10 ÷ one PutEvents round trip",
      ratio: (m('function', 'batchMs') - m('no-events', 'batchMs')) / m('events', 'putEventsMs'),
      limit: 1.2,
    },
  ];
}

export function eventsLine(results: Results): string {
  const m = (variant: string, metric: Metric) => num(median(results, variant, metric));
  return `Outcome events, EventBridge at ${EVENTS_LATENCY_MS} ms: a batch of 10 takes ${m('function', 'batchMs')} ms with them and ${m('no-events', 'batchMs')} ms without (\`OUTCOME_EVENT_BUS=none\`); one PutEvents call of 10 entries takes ${m('events', 'putEventsMs')} ms from the benchmark's own SDK client.`;
}
