/**
 * What the ordering tests and the reliability run share: the table's key for a number, a hold
 * left behind as a killed container leaves it, EMF metric counts, and a delivery loop that plays a
 * standard queue's freedom to hand out messages in any order and again.
 */
import { createHmac } from 'node:crypto';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ORDERING_TABLE } from '../../functions/outbound-status/adapters/ordering-table.ts';
import type { SentMessage } from '../../dev/aws/function-calls.ts';
import type { LocalDynamoDb } from '../../dev/aws/dynamodb.ts';
import { lambdaContext } from './aws-events.ts';
import { ORDERING_KEY, type Handler } from './world.ts';

export const numberHash = (phone: string) => createHmac('sha256', ORDERING_KEY).update(phone).digest('hex');

/** The item a container leaves when it dies holding a number. */
export async function leaveHold(store: LocalDynamoDb, phone: string, untilMs: number): Promise<void> {
  await store.client.send(
    new PutItemCommand({
      TableName: store.tableName,
      Item: {
        [ORDERING_TABLE.partitionKey]: { S: numberHash(phone) },
        lock_owner: { S: 'a-container-that-died' },
        lock_until: { N: String(untilMs) },
      },
    }),
  );
}

/** A dead letter's attributes as Lambda hands them over once a move task has put the message back. */
export const redrivenAttributes = (dead: SentMessage) =>
  Object.fromEntries(
    Object.entries(dead.MessageAttributes ?? {}).map(([name, value]) => [
      name,
      { dataType: value.DataType, stringValue: value.StringValue },
    ]),
  );

/** How often each metric was published in these output lines (Powertools EMF). */
export function metricCounts(lines: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of lines) {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue;
    }
    const directives =
      (parsed?._aws as { CloudWatchMetrics?: { Metrics: { Name: string }[] }[] } | undefined)?.CloudWatchMetrics ?? [];
    for (const { Metrics } of directives) {
      for (const { Name } of Metrics) {
        const value = parsed[Name];
        const total = Array.isArray(value) ? value.reduce((a: number, b: number) => a + b, 0) : Number(value);
        counts[Name] = (counts[Name] ?? 0) + total;
      }
    }
  }
  return counts;
}

type SqsRecord = { messageId: string; attributes: Record<string, string>; [key: string]: unknown };

/**
 * Delivers records the way a standard queue may: in batches drawn at random from what is waiting,
 * to several containers at once; a record the function lists comes back later, counted as a new
 * receive. Returns when nothing is waiting any more.
 */
export async function deliverShuffled(
  records: SqsRecord[],
  containers: Handler[],
  random: () => number,
  options: { batchSize?: number; maxRounds?: number } = {},
): Promise<{ invocations: number; redeliveries: number }> {
  const waiting = [...records];
  const batchSize = options.batchSize ?? 10;
  let invocations = 0;
  let redeliveries = 0;
  const takeBatch = () => {
    const batch: SqsRecord[] = [];
    while (batch.length < batchSize && waiting.length > 0)
      batch.push(waiting.splice(Math.floor(random() * waiting.length), 1)[0]);
    return batch;
  };
  const work = async (handler: Handler) => {
    for (let batch = takeBatch(); batch.length > 0; batch = takeBatch()) {
      if (++invocations > (options.maxRounds ?? 10_000)) throw new Error('delivery did not settle');
      const response = await handler({ Records: batch }, lambdaContext(10_000));
      for (const { itemIdentifier } of response.batchItemFailures as { itemIdentifier: string }[]) {
        const record = batch.find((r) => r.messageId === itemIdentifier)!;
        record.attributes.ApproximateReceiveCount = String(Number(record.attributes.ApproximateReceiveCount) + 1);
        redeliveries++;
        waiting.push(record);
      }
    }
  };
  // Several containers draw from one queue; one that finds it empty stops, as a poller would idle.
  while (waiting.length > 0) await Promise.all(containers.map((handler) => work(handler)));
  return { invocations, redeliveries };
}

/**
 * `count` updates per number, `spacingMs` apart by SentTimestamp, each with a status of its own
 * (so a stale end shows): the last one sent is the one that must stand.
 */
export function updatesPerNumber(
  phones: string[],
  count: number,
  spacingMs: number,
  statuses: number[],
  random: () => number,
  start = Date.now(),
) {
  if (statuses.length < count) throw new Error(`${count} updates per number need as many statuses`);
  return phones.map((phone, n) => {
    const order = [...statuses].sort(() => random() - 0.5).slice(0, count);
    const sent = order.map((statusId, k) => ({ statusId, sentTimestamp: start + n + k * spacingMs }));
    return { phone, sent, last: sent[sent.length - 1].statusId };
  });
}
