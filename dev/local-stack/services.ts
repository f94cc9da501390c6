/**
 * What `npm start`'s function talks to besides its queue: Thulium and its API user, the ordering
 * store and the outcome events' bus, each embedded unless the environment names the user's own.
 * Each fills in the function's environment (`env`) as the stack would set it.
 */
import { randomBytes } from 'node:crypto';
import type { AwsLoopback } from '../aws/function-calls.ts';
import { startDynalite } from '../aws/dynamodb.ts';
import { startThuliumSimulator, type ThuliumSimulator } from '../thulium-simulator.ts';
import { apiUserFor } from './api-user.ts';
import { eventLine } from './console-lines.ts';

const LOCAL_SECRET_ID = 'local/thulium-api-user';
const LOCAL_KEY_SECRET_ID = 'local/ordering-key';

type Started = { close(): Promise<void> }[];

/** `aws` serves the API user (and then the ordering key) unless it comes from Secrets Manager itself. */
export async function thuliumFor(env: NodeJS.ProcessEnv, aws: AwsLoopback, started: Started) {
  const user = apiUserFor(env, !env.THULIUM_BASE_URL);
  let simulator: ThuliumSimulator | undefined;
  if (!env.THULIUM_BASE_URL) {
    simulator = await startThuliumSimulator({ port: Number(env.THULIUM_SIMULATOR_PORT ?? 0) });
    started.push(simulator);
    env.THULIUM_BASE_URL = simulator.url;
  }
  const servesSecrets = 'username' in user;
  if ('username' in user) {
    aws.secrets.set(LOCAL_SECRET_ID, JSON.stringify({ username: user.username, password: user.password }));
    env.THULIUM_SECRET_ID = LOCAL_SECRET_ID;
    env.AWS_ENDPOINT_URL_SECRETS_MANAGER = aws.url;
  }
  const tenant = simulator
    ? `embedded Thulium simulator at ${simulator.url}`
    : `Thulium tenant ${env.THULIUM_BASE_URL}`;
  return { simulator, servesSecrets, mode: `${tenant}, ${user.source}` };
}

/**
 * The deployment's table, for the ordering guard and the shared Thulium budget: an embedded one
 * unless either is elsewhere or off. `secrets`: the loopback, when it serves the API user.
 */
export async function orderingStoreFor(env: NodeJS.ProcessEnv, secrets: AwsLoopback | undefined, started: Started) {
  const guard = env.ORDERING_GUARD !== 'off';
  const shared = env.THULIUM_BUDGET !== 'container';
  const off = guard ? '' : ', ordering guard off';
  if (!guard && !shared) return { mode: `${off}, a Thulium budget per container` };
  if (guard && !secrets && !env.ORDERING_KEY_SECRET_ID) {
    throw new Error('With the API user from Secrets Manager, set ORDERING_KEY_SECRET_ID too, or ORDERING_GUARD=off');
  }
  if (guard && secrets && !env.ORDERING_KEY_SECRET_ID) {
    secrets.secrets.set(LOCAL_KEY_SECRET_ID, randomBytes(32).toString('hex'));
    env.ORDERING_KEY_SECRET_ID = LOCAL_KEY_SECRET_ID;
  }
  const uses = [guard && 'ordering guard', shared && 'shared Thulium budget'].filter(Boolean).join(' and ');
  if (env.AWS_ENDPOINT_URL_DYNAMODB)
    return { mode: `${off}, ${uses} on ${env.AWS_ENDPOINT_URL_DYNAMODB} table ${env.ORDERING_TABLE_NAME}` };
  const store = await startDynalite(Number(env.DYNAMODB_PORT ?? 0));
  started.push(store);
  env.AWS_ENDPOINT_URL_DYNAMODB = store.url;
  env.ORDERING_TABLE_NAME = store.tableName;
  return { store, mode: `${off}, ${uses} on an embedded DynamoDB at ${store.url}` };
}

/**
 * The outcome events go to the loopback's EventBridge and show on the console, one line each (or
 * as a rule's target receives them, with LOCAL_LOGS=json), unless the user named a bus or an
 * EventBridge endpoint of their own. An endpoint alone means events are wanted: on its default bus.
 */
export function outcomeEventsFor(env: NodeJS.ProcessEnv, aws: AwsLoopback) {
  if (env.OUTCOME_EVENT_BUS === 'none') return { shown: false, mode: ', no outcome events (OUTCOME_EVENT_BUS=none)' };
  if (env.OUTCOME_EVENT_BUS && !env.AWS_ENDPOINT_URL_EVENTBRIDGE)
    return { shown: false, mode: `, outcome events to ${env.OUTCOME_EVENT_BUS} (OUTCOME_EVENT_BUS)` };
  env.OUTCOME_EVENT_BUS ||= 'default';
  if (env.AWS_ENDPOINT_URL_EVENTBRIDGE)
    return {
      shown: false,
      mode: `, outcome events to ${env.OUTCOME_EVENT_BUS} on ${env.AWS_ENDPOINT_URL_EVENTBRIDGE}`,
    };
  env.AWS_ENDPOINT_URL_EVENTBRIDGE = aws.url;
  const json = env.LOCAL_LOGS === 'json';
  // Written as the function writes its log lines, so whatever reads those reads these too.
  aws.onEvent((event) => process.stdout.write(`${json ? JSON.stringify(event) : eventLine(event)}\n`));
  return { shown: true, mode: `, outcome events on this console from a loopback EventBridge at ${aws.url}` };
}
