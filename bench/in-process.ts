/**
 * What the drains and the bursts share: containers of a bundle run in the benchmark's own process
 * (dev/aws/lambda-context.ts imports each one anew), which read their environment at init; and a
 * fresh DynamoDB table per run, a new deployment's, so no budget one run learned carries over.
 */
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { LocalDynamoDb } from '../dev/aws/dynamodb.ts';
import { ORDERING_TABLE } from '../functions/outbound-status/adapters/ordering-table.ts';

/** A variant as the in-process runs start it: its bundle and the environment its containers read at init. */
export interface InProcessVariant {
  name: string;
  bundlePath: string;
  env: Record<string, string>;
}

/**
 * Runs `work` with `env` added to the process's environment, for the containers it starts, and
 * their log lines silenced (they are not the benchmark's output); both are put back afterwards.
 */
export async function inProcess<T>(env: Record<string, string>, work: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const writes = [process.stdout.write, process.stderr.write] as const;
  // BENCH_LOG=<file> keeps them there instead, to see what the containers did.
  const log = process.env.BENCH_LOG;
  process.stdout.write = process.stderr.write = ((chunk: string | Uint8Array) => {
    if (log) appendFileSync(log, chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    return await work();
  } finally {
    [process.stdout.write, process.stderr.write] = writes;
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

let tables = 0;

/** A new, empty table of the stack's key schema in the benchmark's dynalite; its name, once it is active. */
export async function freshTable(dynamodb: LocalDynamoDb): Promise<string> {
  const TableName = `bench-deployment-${++tables}`;
  const key = ORDERING_TABLE.partitionKey;
  await dynamodb.client.send(
    new CreateTableCommand({
      TableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
    }),
  );
  for (let tries = 0; ; tries++) {
    const { Table } = await dynamodb.client.send(new DescribeTableCommand({ TableName }));
    if (Table?.TableStatus === 'ACTIVE') return TableName;
    if (tries === 200) throw new Error(`table ${TableName} is still ${Table?.TableStatus}`);
    await sleep(10);
  }
}
