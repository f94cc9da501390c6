/**
 * `npm start`: the deployment in miniature, on this machine, with no AWS account. The built
 * function (dist/outbound-status/index.mjs) serves both faces: HTTP, each request an API Gateway
 * REST (payload 1.0) event, and the queue, driven by Lambda's event source mapping from the
 * stack's queue, DLQ and a topic on a loopback SQS and SNS (fauxqs).
 *
 * Default: an embedded Thulium simulator, and the API user served through a loopback Secrets
 * Manager endpoint. With THULIUM_BASE_URL it talks to that tenant instead, with the API user from
 * THULIUM_USERNAME / THULIUM_PASSWORD, or from Secrets Manager itself when only THULIUM_SECRET_ID is set.
 * The ordering guard and the shared Thulium budget run on an embedded DynamoDB (dynalite, in memory)
 * unless both are off (ORDERING_GUARD=off, THULIUM_BUDGET=container) or AWS_ENDPOINT_URL_DYNAMODB
 * names another one (with ORDERING_TABLE_NAME). Outcome events go to a loopback EventBridge and
 * show on the console, unless OUTCOME_EVENT_BUS or AWS_ENDPOINT_URL_EVENTBRIDGE names another bus.
 * Everything listens on 127.0.0.1; HOST widens the HTTP and queue endpoints, with a warning.
 */
import { fileURLToPath } from 'node:url';
import { DEFAULT_SETTINGS, parseSettings, type Settings } from '../infra/settings.ts';
import { startAwsLoopback, type AwsLoopback } from './aws/function-calls.ts';
import { banner } from './local-stack/banner.ts';
import { showConsoleLines } from './local-stack/console-lines.ts';
import { localCommands, type LocalCommands } from './local-stack/commands.ts';
import { startLocalQueue, type LocalQueue } from './local-stack/queue.ts';
import { orderingStoreFor, outcomeEventsFor, thuliumFor } from './local-stack/services.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './aws/sqs.ts';
import { isLoopback } from './shared/loopback.ts';
import type { LocalDynamoDb } from './aws/dynamodb.ts';
import { startRestApiGateway } from './aws/api-gateway.ts';
import { importContainer } from './aws/lambda-context.ts';
import { queueEnvironment } from './aws/sqs-event-source.ts';
import type { ThuliumSimulator } from './thulium-simulator.ts';

const BUNDLE = fileURLToPath(new URL('../dist/outbound-status/index.mjs', import.meta.url));

export interface LocalStack {
  /** The HTTP face, as a caller on this machine reaches it. */
  url: string;
  mode: string;
  /** What a person must know before using it: HOST beyond this machine, a real tenant. */
  warnings: string[];
  settings: Settings;
  queue: LocalQueue;
  commands: LocalCommands;
  simulator?: ThuliumSimulator;
  store?: LocalDynamoDb;
  /** The loopback AWS endpoint: the outcome events it took, and the secrets it serves. */
  aws: AwsLoopback;
  /** Whether each outcome event shows on the console (the loopback is the function's EventBridge). */
  showsEvents: boolean;
  close(): Promise<void>;
}

/** Starts every part; `env` (the function's environment, as the stack sets it) is filled in as they start. */
export async function startLocalStack(env: NodeJS.ProcessEnv = process.env): Promise<LocalStack> {
  const host = env.HOST || '127.0.0.1';
  const settings = localSettings(env);
  const started: { close(): Promise<void> }[] = [];
  // Each part closes whatever another's close did; the last started closes first.
  const closeAll = async () => {
    const closing = started.splice(0).reverse();
    for (const part of closing)
      await part.close().catch((error: Error) => console.error(`npm start: while stopping: ${error.message}`));
  };
  try {
    const aws = await startAwsLoopback();
    started.push(aws);
    const thulium = await thuliumFor(env, aws, started);
    const store = await orderingStoreFor(env, thulium.servesSecrets ? aws : undefined, started);
    const events = outcomeEventsFor(env, aws);
    const queue = await startLocalQueue({ port: Number(env.SQS_PORT ?? 9324), host, settings });
    started.push(queue);
    Object.assign(env, queueEnvironment(queue.sqs, queue.queue), {
      QUEUE_CONCURRENCY: String(settings.recordConcurrency),
    });
    env.AWS_REGION ??= LOCAL_REGION;
    env.AWS_ACCESS_KEY_ID ??= LOCAL_CREDENTIALS.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY ??= LOCAL_CREDENTIALS.secretAccessKey;
    env.POWERTOOLS_METRICS_DISABLED ??= 'true';

    // A container is the bundle imported anew: its own caches, its own cold start, as in Lambda.
    const newContainer = () => importContainer(BUNDLE);
    const http = await startRestApiGateway(await newContainer(), {
      port: Number(env.PORT ?? 3000),
      host,
      timeoutMs: settings.timeoutSeconds * 1000,
    });
    started.push(http);
    queue.drive(newContainer);
    return {
      url: http.url,
      mode: `${thulium.mode}${store.mode}${events.mode}`,
      warnings: [
        ...(isLoopback(host)
          ? []
          : [
              `HOST=${host}: anyone on the network can set statuses through the function and the local queue, unauthenticated, and read every queued update (phone numbers in full) from the queue`,
            ]),
        ...(thulium.simulator
          ? []
          : [
              `the commands below set statuses of the sample numbers in ${env.THULIUM_BASE_URL}: change the numbers first`,
            ]),
      ],
      settings,
      queue,
      commands: localCommands({
        httpUrl: http.url,
        sqsEndpoint: queue.sqs.endpoint,
        queueUrl: queue.queue.url,
        topicArn: queue.topicArn,
        trace: env,
      }),
      simulator: thulium.simulator,
      store: store.store,
      aws,
      showsEvents: events.shown,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** The stack's defaults, with the function timeout LOCAL_TIMEOUT_SECONDS plays. */
function localSettings(env: NodeJS.ProcessEnv): Settings {
  try {
    return parseSettings({ timeoutSeconds: env.LOCAL_TIMEOUT_SECONDS });
  } catch {
    throw new Error(
      `LOCAL_TIMEOUT_SECONDS must be a whole number of seconds from 5 to 900, not ${JSON.stringify(env.LOCAL_TIMEOUT_SECONDS)}`,
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // Before the first container starts, so its cold-start lines are shown the same way.
  if (process.env.LOCAL_LOGS !== 'json') showConsoleLines(DEFAULT_SETTINGS.maxReceiveCount);
  const stack = await startLocalStack(process.env).catch((error: NodeJS.ErrnoException) => {
    const inUse = error.code === 'EADDRINUSE' ? ' (PORT and SQS_PORT choose other ports; 0 takes a free one)' : '';
    console.error(`npm start: ${error.message}${inUse}`);
    process.exit(1);
  });
  console.log(banner(stack));
  let stoppingSince = 0;
  const stop = () => {
    // npm passes Ctrl-C on, and the terminal signals the whole group: one keypress can arrive twice.
    if (stoppingSince > 0) {
      if (Date.now() - stoppingSince > 1_000) process.exit(130);
      return;
    }
    stoppingSince = Date.now();
    console.log(
      'stopping: the HTTP server, the event source mapping, the queue, the store, the simulator and the AWS loopback… (Ctrl-C again quits at once)',
    );
    // A part that never finishes closing must not keep the terminal.
    setTimeout(() => process.exit(1), 10_000).unref();
    void stack.close().finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
