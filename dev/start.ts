/**
 * `npm start`: serves the built function (dist/outbound-status/index.mjs) over HTTP, turning each
 * request into an API Gateway REST (payload 1.0) event, so local behaviour is deployed behaviour.
 *
 * Default: an embedded Thulium simulator, and the API user served through a loopback Secrets
 * Manager endpoint. With THULIUM_BASE_URL it talks to that tenant instead, with the API user from
 * THULIUM_USERNAME / THULIUM_PASSWORD, or from Secrets Manager itself when only THULIUM_SECRET_ID is set.
 * The ordering guard runs on an embedded DynamoDB (dynalite, in memory) unless ORDERING_GUARD=off
 * or AWS_ENDPOINT_URL_DYNAMODB names another one (with ORDERING_TABLE_NAME).
 */
import { randomBytes } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startAwsLoopback, type AwsLoopback } from './aws-loopback.ts';
import { startDynalite, type LocalDynamoDb } from './ordering-table.ts';
import { readBody } from './read-body.ts';
import { SIMULATOR_PATH, startThuliumSimulator, type ThuliumSimulator } from './thulium-simulator.ts';

const BUNDLE = fileURLToPath(new URL('../dist/outbound-status/index.mjs', import.meta.url));
const LOCAL_SECRET_ID = 'local/thulium-api-user';
const LOCAL_KEY_SECRET_ID = 'local/ordering-key';
/** Read at most this much of a request; the function's own limit (MAX_BODY_BYTES) answers 413 below it. */
const READ_LIMIT_BYTES = 1024 * 1024;

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; headers?: Record<string, string>; body?: string }>;

export interface LocalServer {
  url: string;
  mode: string;
  simulator?: ThuliumSimulator;
  store?: LocalDynamoDb;
  close(): Promise<void>;
}

export async function startLocalServer(port: number, env = process.env): Promise<LocalServer> {
  let simulator: ThuliumSimulator | undefined;
  let aws: AwsLoopback | undefined;
  let store: LocalDynamoDb | undefined;
  let mode: string;
  if (!env.THULIUM_BASE_URL) {
    simulator = await startThuliumSimulator({ port: Number(env.THULIUM_SIMULATOR_PORT ?? 0) });
    env.THULIUM_BASE_URL = simulator.url;
    env.THULIUM_USERNAME ??= 'api_user';
    env.THULIUM_PASSWORD ??= 'api_pass';
    mode = `embedded Thulium simulator at ${simulator.url}`;
  } else {
    mode = `Thulium tenant ${env.THULIUM_BASE_URL}`;
  }
  if (env.THULIUM_USERNAME && env.THULIUM_PASSWORD) {
    aws = await startAwsLoopback();
    aws.secrets.set(LOCAL_SECRET_ID, JSON.stringify({ username: env.THULIUM_USERNAME, password: env.THULIUM_PASSWORD }));
    env.THULIUM_SECRET_ID = LOCAL_SECRET_ID;
    env.AWS_ENDPOINT_URL_SECRETS_MANAGER = aws.url;
    env.AWS_ACCESS_KEY_ID ??= 'local';
    env.AWS_SECRET_ACCESS_KEY ??= 'local';
    mode += ', API user from the environment';
  } else if (env.THULIUM_SECRET_ID) {
    mode += `, API user from Secrets Manager secret ${env.THULIUM_SECRET_ID}`;
  } else {
    throw new Error('With THULIUM_BASE_URL, set THULIUM_USERNAME and THULIUM_PASSWORD, or THULIUM_SECRET_ID');
  }
  if (env.ORDERING_GUARD === 'off') {
    mode += ', ordering guard off';
  } else {
    if (!env.AWS_ENDPOINT_URL_DYNAMODB) {
      store = await startDynalite(Number(env.DYNAMODB_PORT ?? 0));
      env.AWS_ENDPOINT_URL_DYNAMODB = store.url;
      env.ORDERING_TABLE_NAME = store.tableName;
      mode += `, ordering guard on an embedded DynamoDB at ${store.url}`;
    } else {
      mode += `, ordering guard on ${env.AWS_ENDPOINT_URL_DYNAMODB} table ${env.ORDERING_TABLE_NAME}`;
    }
    if (aws && !env.ORDERING_KEY_SECRET_ID) {
      aws.secrets.set(LOCAL_KEY_SECRET_ID, randomBytes(32).toString('hex'));
      env.ORDERING_KEY_SECRET_ID = LOCAL_KEY_SECRET_ID;
    } else if (!env.ORDERING_KEY_SECRET_ID) {
      await store?.close();
      throw new Error('With the API user from Secrets Manager, set ORDERING_KEY_SECRET_ID too, or ORDERING_GUARD=off');
    }
  }
  env.AWS_REGION ??= 'eu-central-1';
  env.POWERTOOLS_METRICS_DISABLED ??= 'true';

  const { handler } = (await import(pathToFileURL(BUNDLE).href)) as { handler: Handler };
  const timeoutMs = Number(env.LOCAL_TIMEOUT_SECONDS ?? 30) * 1000;
  const server = createServer(async (req, res) => {
    const body = await readBody(req, READ_LIMIT_BYTES);
    const event = toRestApiEvent(req, body);
    const started = Date.now();
    const context = {
      awsRequestId: event.requestContext.requestId,
      functionName: 'thulium-outbound-status-local',
      getRemainingTimeInMillis: () => timeoutMs - (Date.now() - started),
    };
    try {
      const result = await handler(event, context);
      res.writeHead(result.statusCode, result.headers).end(result.body);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'INVOCATION_FAILED', message: (error as Error).message } }));
    }
  });
  await new Promise<void>((resolve) => server.listen(port, resolve));
  const url = `http://localhost:${(server.address() as AddressInfo).port}`;
  return {
    url,
    mode,
    simulator,
    store,
    async close() {
      await closeServer(server);
      await simulator?.close();
      await aws?.close();
      await store?.close();
    },
  };
}

function toRestApiEvent(req: IncomingMessage, body: string) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const [name, value] = [req.rawHeaders[i], req.rawHeaders[i + 1]];
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query = url.searchParams.size > 0 ? Object.fromEntries(url.searchParams) : null;
  return {
    resource: '/{proxy+}',
    path: url.pathname,
    httpMethod: req.method ?? 'GET',
    headers,
    multiValueHeaders,
    queryStringParameters: query,
    multiValueQueryStringParameters: query && Object.fromEntries([...url.searchParams.keys()].map((k) => [k, url.searchParams.getAll(k)])),
    pathParameters: { proxy: url.pathname.slice(1) },
    stageVariables: null,
    requestContext: {
      accountId: '000000000000',
      resourceId: 'local',
      stage: 'local',
      requestId: randomUUID(),
      identity: { sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: req.headers['user-agent'] ?? '' },
      resourcePath: '/{proxy+}',
      httpMethod: req.method ?? 'GET',
      requestTimeEpoch: Date.now(),
      apiId: 'local',
    },
    body: body === '' ? null : body,
    isBase64Encoded: false,
  };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const local = await startLocalServer(Number(process.env.PORT ?? 3000));
  const endpoint = `${local.url}${SIMULATOR_PATH}`;
  console.log(`thulium-outbound-status listening on ${local.url} (${local.mode})`);
  console.log('Try it:');
  console.log(
    `  curl -X POST -H "Content-Type: application/json" -d '{"phone_number":"111222333","status_id":"3"}' ${endpoint}`,
  );
  const stop = () => void local.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
