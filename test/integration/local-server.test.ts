import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { fileURLToPath } from 'node:url';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expose, guard } from '../support/leaks.ts';
import { until } from '../support/until.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const BANNER_END = 'Ctrl-C stops everything.\n';
/** Everything the function wrote, for the suite's leak scan. */
const seen = expose<string[]>([]);

interface Started {
  child: ChildProcess;
  printed: string[];
  text(): string;
  /** What it printed after its banner (whose example commands hold sample numbers): the function's lines. */
  logs(): string[];
  url: string;
  curl: string;
  sqsEndpoint: string;
  queueUrl: string;
}

/** `npm start` after the build: the local stack, as a developer runs it, on free ports. */
async function start(extra: Record<string, string> = {}): Promise<Started> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', SQS_PORT: '0', ...extra };
  for (const key of [
    'THULIUM_BASE_URL',
    'THULIUM_SECRET_ID',
    'THULIUM_USERNAME',
    'THULIUM_PASSWORD',
    'LOCAL_LOGS',
    'HOST',
  ])
    if (!(key in extra)) delete env[key];
  for (const key of Object.keys(env)) if (key.startsWith('AWS_')) delete env[key];
  const child = spawn(process.execPath, ['dev/start.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const printed: string[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => printed.push(chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => printed.push(chunk));
  const text = () => printed.join('');
  const logs = () => text().split(BANNER_END)[1]?.split('\n') ?? [];
  const deadline = Date.now() + 15_000;
  while (!/Ctrl-C stops everything/.test(text()) && child.exitCode === null && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  expect(text()).toMatch(/Ctrl-C stops everything/);
  return {
    child,
    printed,
    text,
    logs,
    curl: /^\s*(curl .*)$/m.exec(text())?.[1] ?? '',
    url: /listening on (http:\/\/\S+)/.exec(text())?.[1] ?? '',
    sqsEndpoint: /--endpoint-url (\S+)/.exec(text())?.[1] ?? '',
    queueUrl: /--queue-url (\S+)/.exec(text())?.[1] ?? '',
  };
}

async function stop(started: Started, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (started.child.exitCode === null) {
    started.child.kill(signal);
    await once(started.child, 'exit');
  }
  seen.push(...started.logs());
  return started.child.exitCode;
}

/** Runs a curl command line the way a shell would split it (quotes only). */
async function runCurl(commandLine: string) {
  const args = [...commandLine.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]).slice(1);
  const child = spawn('curl', ['-s', '-w', '\n%{http_code}', ...args]);
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  await once(child, 'exit');
  const lines = out.trimEnd().split('\n');
  return { status: Number(lines.pop()), body: lines.join('\n') };
}

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2_000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

const portOf = (url: string) => Number(new URL(url).port);
/** An address of this machine that is not loopback, if it has one. */
const outsideAddress = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

let local: Started;
guard({ phones: ['111222333', '333444555'] });

beforeAll(async () => {
  local = await start();
});

afterAll(async () => {
  if (local) await stop(local);
});

describe('npm start', () => {
  it('prints a curl that gets a 200 from the embedded simulator', async () => {
    const { status, body } = await runCurl(local.curl);
    expect(status).toBe(200);
    expect(JSON.parse(body)).toEqual({ outbound_id: ['00001', '00002', '00003'] });
  });

  it("serves the vendor's own curl example too", async () => {
    const vendor = `curl -u api_user:api_pass -X POST -H "Content-type: application/json" -d '{"phone_number":"111222333","status_id":"3"}' "${local.url}/api/outbound_status_by_phone_number"`;
    const { status, body } = await runCurl(vendor);
    expect(status).toBe(200);
    expect(JSON.parse(body).outbound_id).toHaveLength(3);
  });

  it('answers like the deployed function, with JSON errors', async () => {
    const { status, body } = await runCurl(
      `curl -X POST -H "Content-Type: application/json" -d '{"phone_number":"111222333"}' ${local.url}`,
    );
    expect(status).toBe(400);
    expect(JSON.parse(body).error.fields).toEqual([{ field: 'status_id', message: 'is required' }]);
  });

  it('shows each update’s outcome in one line, phone masked, from either face', async () => {
    const sqs = new SQSClient({
      region: 'eu-central-1',
      endpoint: local.sqsEndpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: local.queueUrl,
        MessageBody: '{"phone_number":"333444555","status_id":"77"}',
      }),
    );
    sqs.destroy();
    await until(() => /queue +dead-lettered/.test(local.text()) && / EVENT queue /.test(local.text()));
    const lines = local.logs();
    expect(lines.find((line) => / http +updated /.test(line))).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} INFO +http +updated +\*{6}333 status 3 \(3 campaigns, ref crm-42, \d+ ms\)$/,
    );
    expect(lines.find((line) => / queue +dead-lettered /.test(line))).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} WARN +queue +dead-lettered +\*{6}555 status 77: THULIUM_REFUSED Thulium refused the update \(HTTP 400\): Status 77 does not exist \(delivery 1 of 5, Thulium request sim-\d+, \d+ ms\)$/,
    );
    // And each outcome event, one line each, as the loopback EventBridge took it: the vendor's curl has no reference.
    expect(lines.filter((line) => / EVENT /.test(line))).toEqual([
      expect.stringMatching(
        /^\d\d:\d\d:\d\d\.\d{3} EVENT http {2}Status update applied {7}\*{6}333 status 3 \(campaigns 00001, 00002, 00003, ref crm-42\)$/,
      ),
      expect.stringMatching(
        /^\d\d:\d\d:\d\d\.\d{3} EVENT http {2}Status update applied {7}\*{6}333 status 3 \(campaigns 00001, 00002, 00003\)$/,
      ),
      expect.stringMatching(
        /^\d\d:\d\d:\d\d\.\d{3} EVENT queue Status update dead-lettered \*{6}555 status 77: THULIUM_REFUSED Thulium refused the update \(HTTP 400\): Status 77 does not exist$/,
      ),
    ]);
    expect(lines.filter((line) => /111222333|333444555/.test(line))).toEqual([]);
  });

  it('prints a trace command for its own stack, after the DLQ’s', () => {
    expect(local.text()).toMatch(
      /npm run dlq -- list\nWhat happened to a number:\n {2}AWS_ENDPOINT_URL_DYNAMODB=http:\/\/127\.0\.0\.1:\d+ AWS_ENDPOINT_URL_SECRETS_MANAGER=http:\/\/127\.0\.0\.1:\d+ AWS_ENDPOINT_URL_SQS=http:\/\/127\.0\.0\.1:\d+ ORDERING_TABLE_NAME=\S+ ORDERING_KEY_SECRET_ID=\S+ PHONE_NORMALISATION=as-is AWS_REGION=eu-central-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local npm run -s trace -- 111222333\n/,
    );
    expect(local.text()).toMatch(
      /, outcome events on this console from a loopback EventBridge at http:\/\/127\.0\.0\.1:\d+\)/,
    );
  });

  it('says where the API user came from: the built-in default when the environment sets none', () => {
    expect(local.text()).toMatch(
      /listening on \S+ \(embedded Thulium simulator at \S+, API user api_user, the built-in local default \(THULIUM_USERNAME, THULIUM_PASSWORD not set\),/,
    );
  });

  it('listens on loopback only', async () => {
    expect(new URL(local.url).hostname).toBe('127.0.0.1');
    expect(await accepts('127.0.0.1', portOf(local.url))).toBe(true);
    expect(await accepts('127.0.0.1', portOf(local.sqsEndpoint))).toBe(true);
    if (outsideAddress === undefined) return;
    expect(await accepts(outsideAddress, portOf(local.url))).toBe(false);
    expect(await accepts(outsideAddress, portOf(local.sqsEndpoint))).toBe(false);
  });

  it.skipIf(outsideAddress === undefined)(
    `HOST widens it, with a warning${outsideAddress === undefined ? ' (skipped: this machine has no address but loopback)' : ''}`,
    async () => {
      const wide = await start({ HOST: '0.0.0.0' });
      try {
        expect(wide.text()).toMatch(
          /^WARNING: HOST=0\.0\.0\.0: anyone on the network can set statuses through the function and the local queue, unauthenticated, and read every queued update/m,
        );
        expect(await accepts(outsideAddress!, portOf(wide.url))).toBe(true);
        expect(await accepts(outsideAddress!, portOf(wide.sqsEndpoint))).toBe(true);
      } finally {
        await stop(wide);
      }
    },
  );

  it('LOCAL_LOGS=json keeps the function’s own JSON lines; an API user from the environment is named so; Ctrl-C stops everything, and nothing listens after', async () => {
    const raw = await start({ LOCAL_LOGS: 'json', THULIUM_USERNAME: 'api_user', THULIUM_PASSWORD: 'api_pass' });
    const { status } = await runCurl(raw.curl);
    expect(status).toBe(200);
    await until(() => /"outcome":"updated"/.test(raw.text()) && /"detail-type"/.test(raw.text()));
    expect(raw.text()).toMatch(/^\{.*"outcome":"updated".*"phone_number":"\*{6}333"/m);
    // The outcome event as a rule's target would receive it.
    expect(raw.text()).toMatch(
      /^\{"version":"0","id":"[0-9a-f-]{36}","detail-type":"Status update applied","source":"thulium\.outbound-status",.*"phone_number":"\*{6}333"/m,
    );
    const ports = [
      portOf(raw.url),
      portOf(raw.sqsEndpoint),
      ...[...raw.text().matchAll(/at http:\/\/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1])),
    ];
    // The HTTP face, SQS, the simulator, the store and the AWS loopback.
    expect(ports).toHaveLength(5);
    expect(await stop(raw, 'SIGINT')).toBe(0);
    expect(raw.text()).toMatch(/stopping: /);
    expect(raw.text()).toMatch(/, API user from the environment \(THULIUM_USERNAME, THULIUM_PASSWORD\),/);
    for (const port of ports) expect(await accepts('127.0.0.1', port), `port ${port}`).toBe(false);
  });
});
