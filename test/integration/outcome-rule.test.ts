/**
 * The rule docs/outcome-events.md gives a sender, on a real EventBridge rule matcher (moto's server):
 * the page's commands run as printed, the function (the built bundle) publishes its outcomes to moto,
 * and each sender's queue gets its own outcomes, and no one else's.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DescribeRuleCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOutcomeEvent } from 'thulium-outbound-status/client';
import { expose } from '../support/leaks.ts';
import { until } from '../support/until.ts';
import {
  BATCH_PHONES,
  captureOutput,
  lambdaContext,
  PHONES,
  restApiEvent,
  sqsEvent,
  useWorld,
  type World,
} from '../support/world.ts';

const PAGE = fileURLToPath(new URL('../../docs/outcome-events.md', import.meta.url));
const which = (command: string) =>
  spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).stdout.trim() || undefined;
const runs = (command: string) => spawnSync(command, ['-h'], { stdio: 'ignore' }).status === 0;
const tools = { moto_server: runs('moto_server') ? 'moto_server' : undefined, aws: which('aws'), jq: which('jq') };
const missing = Object.entries(tools).flatMap(([name, path]) => (path ? [] : [name]));
// In CI the test runs whatever is missing, and fails for it.
const skipped = missing.length > 0 && process.env.CI !== 'true';
const REASON = `skipped: ${missing.join(', ')} not installed here (moto_server: pip install "moto[server]"); CI runs it`;

const REGION = 'eu-central-1';
const CREDENTIALS = { accessKeyId: 'AKIDMOTO', secretAccessKey: 'moto-secret' };
const output = captureOutput();
const received = expose<string[]>([]);
let world: World;
let moto: ChildProcess | undefined;
let motoUrl: string;
let scratch: string;

/** The page's ```console block under "## Receiving your own outcomes": the sender's commands. */
function documentedCommands(): string {
  const page = readFileSync(PAGE, 'utf8');
  const block = /^## Receiving your own outcomes\n[\s\S]*?^```console\n([\s\S]*?)^```$/m.exec(page);
  if (!block) throw new Error('docs/outcome-events.md: no ```console block under "## Receiving your own outcomes"');
  return block[1]!;
}

/** Runs shell text in bash, as a sender would paste it, against moto instead of an account. */
function paste(commands: string) {
  const ran = spawnSync('bash', ['-eo', 'pipefail', '-c', commands], {
    cwd: scratch,
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      PATH: `${join(scratch, 'bin')}:${process.env.PATH}`,
      HOME: scratch,
      AWS_ENDPOINT_URL: motoUrl,
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    },
  });
  expect(ran.status, `${commands}\n${ran.stderr}`).toBe(0);
}

const client = <T>(Client: new (config: object) => T) =>
  new Client({ endpoint: motoUrl, region: REGION, credentials: CREDENTIALS });

/** Every message on a queue, left there; moto delivers a rule's targets within PutEvents. */
async function messagesOn(queueName: string): Promise<string[]> {
  const sqs = client(SQSClient);
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
  const bodies: string[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 600 }),
    );
    if (Messages.length === 0) break;
    bodies.push(...Messages.map((m) => m.Body!));
  }
  received.push(...bodies);
  return bodies;
}

/** Reference and outcome of each event a queue got, read by the producer helper as a sender reads them. */
const outcomesOn = async (queueName: string) =>
  (await messagesOn(queueName))
    .map((body) => parseOutcomeEvent(body).detail)
    .map((detail) => `${detail.reference ?? '(none)'} ${detail.outcome}`)
    .sort();

async function startMoto(): Promise<void> {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
  motoUrl = `http://127.0.0.1:${port}`;
  moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const answers = () =>
    fetch(`${motoUrl}/moto-api/`).then(
      (answer) => answer.ok,
      () => false,
    );
  if (!(await until(answers, Boolean, 30_000))) throw new Error(`moto_server did not answer on ${motoUrl}`);
}

// A skipped describe runs no hook of the world's: the capture stops here all the same.
afterAll(() => output.stop());

describe.skipIf(skipped)(
  `the sender's rule of docs/outcome-events.md, on moto's EventBridge${skipped ? ` (${REASON})` : ''}`,
  () => {
    useWorld(output, (started) => {
      world = started;
    });

    beforeAll(async () => {
      expect(missing, 'what this test needs').toEqual([]);
      await startMoto();
      scratch = mkdtempSync(join(tmpdir(), 'outcome-rule-'));
      // The CLI's endpoint for every service: AWS CLI v1 keeps SQS on its regional endpoint despite
      // AWS_ENDPOINT_URL, and CLIs before 2.13 ignore it altogether.
      const shim = join(scratch, 'bin', 'aws');
      mkdirSync(join(scratch, 'bin'));
      writeFileSync(shim, `#!/bin/sh\nexec '${tools.aws}' --endpoint-url "$AWS_ENDPOINT_URL" "$@"\n`);
      chmodSync(shim, 0o755);
    }, 60_000);

    afterAll(() => {
      moto?.kill();
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    });

    it('runs the commands as printed: the rule holds the documented pattern and targets the queue', async () => {
      const commands = documentedCommands();
      paste(commands);
      // Another sender follows the same page with a prefix of its own.
      paste(commands.replaceAll('crm-', 'other-'));
      const rule = await client(EventBridgeClient).send(new DescribeRuleCommand({ Name: 'crm-outcomes' }));
      const pattern = /--event-pattern '([^']+)'/.exec(commands)![1]!;
      expect(JSON.parse(rule.EventPattern!)).toEqual(JSON.parse(pattern));
      expect(JSON.parse(pattern).detail).toEqual({ reference: [{ prefix: 'crm-' }] });

      // Every outcome event, whoever sent the update: proof that what a sender does not get was published.
      const sqs = client(SQSClient);
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'all-outcomes' }));
      const queue = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
      const events = client(EventBridgeClient);
      await events.send(
        new PutRuleCommand({ Name: 'all-outcomes', EventPattern: '{"source":["thulium.outbound-status"]}' }),
      );
      const target = { Id: 'all', Arn: queue.Attributes!.QueueArn };
      await events.send(new PutTargetsCommand({ Rule: 'all-outcomes', Targets: [target] }));
    }, 120_000);

    it("routes each sender its own applied and dead-lettered outcomes, and no one else's", async () => {
      const container = await world.load({ OUTCOME_EVENT_BUS: 'default', AWS_ENDPOINT_URL_EVENTBRIDGE: motoUrl });
      const decided = Date.now() - 10_000;
      const update = (phone: string, status: unknown, reference?: string, at = decided) =>
        JSON.stringify({ phone_number: phone, status_id: status, updated_at: new Date(at).toISOString(), reference });
      const queued = await container(
        sqsEvent([
          { body: update(PHONES.three, '3', 'crm-1') },
          { body: update(BATCH_PHONES[2]!, '77', 'crm-2') }, // Thulium refuses status 77
          { body: update(BATCH_PHONES[3]!, -3, 'crm-4') }, // the contract refuses it, its reference kept
          { body: update(BATCH_PHONES[1]!, '12', `crm-${BATCH_PHONES[1]}`) }, // a number in a reference
          { body: update(BATCH_PHONES[0]!, '8') },
        ]),
        lambdaContext(),
      );
      expect(queued).toEqual({ batchItemFailures: [] });
      // Older than crm-1, for the same number: superseded, a type the documented rule leaves out.
      await container(sqsEvent([{ body: update(PHONES.three, '8', 'crm-3', decided - 60_000) }]), lambdaContext());
      const answer = await container(restApiEvent({ body: update(PHONES.one, '8', 'other-1') }), lambdaContext());
      expect(answer.statusCode).toBe(200);

      expect(await outcomesOn('crm-outcomes')).toEqual([
        'crm-******001 applied',
        'crm-1 applied',
        'crm-2 dead-lettered',
        'crm-4 dead-lettered',
      ]);
      expect(await outcomesOn('other-outcomes')).toEqual(['other-1 applied']);
      expect(await outcomesOn('all-outcomes')).toEqual([
        '(none) applied',
        'crm-******001 applied',
        'crm-1 applied',
        'crm-2 dead-lettered',
        'crm-3 superseded',
        'crm-4 dead-lettered',
        'other-1 applied',
      ]);
    }, 60_000);
  },
);
