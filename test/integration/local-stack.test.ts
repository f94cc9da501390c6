import { exec, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { PublishCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localCommands } from '../../dev/local-commands.ts';
import { startLocalStack, type LocalStack } from '../../dev/start.ts';
import { captureOutput, logRecords } from '../support/world.ts';
import { expose, guard } from '../support/leaks.ts';

/**
 * `npm start`'s stack, started in-process as the developer's shell would meet it: each command it
 * prints is run as printed (by bash, in the project folder), and what it sent is seen applied in
 * the simulator, or in the DLQ with its reason.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(exec);
const has = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
/** CI installs the AWS CLI (Debian's awscli); elsewhere its commands run only where it is installed. */
const awsCli = has('aws') || process.env.CI === 'true';
const withCli = (title: string) => (awsCli ? title : `${title} (skipped: the AWS CLI is not installed here; CI installs Debian's awscli)`);
const output = captureOutput();
const printed = expose<string[]>([]);
const savedEnv = { ...process.env };
let stack: LocalStack;

beforeAll(async () => {
  for (const key of Object.keys(process.env)) {
    if (/^(AWS_|THULIUM_|ORDERING_|DEAD_LETTER|QUEUE_)/.test(key)) delete process.env[key];
  }
  Object.assign(process.env, { PORT: '0', SQS_PORT: '0' });
  stack = await startLocalStack(process.env);
  guard({ phones: ['111222333', '333444555'] });
}, 30_000);

afterAll(async () => {
  await stack?.close();
  output.stop();
  process.env = savedEnv;
});

/** Runs a printed command line in bash, from the project folder, with the user's own PATH and nothing of the stack's environment. */
async function paste(commandLine: string) {
  const env = Object.fromEntries(Object.entries(savedEnv).filter(([key]) => !/^(AWS_|THULIUM_|ORDERING_)/.test(key)));
  const { stdout, stderr } = await run(commandLine, { cwd: root, env, shell: '/bin/bash', timeout: 60_000 });
  printed.push(stdout, stderr);
  return stdout;
}

async function until<T>(read: () => T | Promise<T>, ok: (value: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const statusOf = (phone: string) => stack.simulator!.currentStatusOf(phone);
const outcomes = () => logRecords(output.lines).filter((line) => line.outcome !== undefined);

describe('npm start: the queue face, as the stack has it', () => {
  it('has the stack’s queue, DLQ and redrive policy, and a visibility timeout six times the function’s plus the window', async () => {
    const { queue, sqs } = stack.queue;
    expect(queue.url).toMatch(/\/ThuliumOutboundStatus-updates$/);
    expect(queue.deadLetter.url).toMatch(/\/ThuliumOutboundStatus-updates-dlq$/);
    const attributes = await sqs.client.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['All'] }));
    expect(JSON.parse(attributes.Attributes!.RedrivePolicy!)).toEqual({ maxReceiveCount: 5, deadLetterTargetArn: queue.deadLetter.arn });
    expect(attributes.Attributes!.VisibilityTimeout).toBe(String(6 * 30 + 1));
  });

  it('applies an update sent to the queue and one published to the topic, through the SDK', async () => {
    const { sqs, queue, topicArn } = stack.queue;
    await sqs.client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: '{"phone_number":"111222333","status_id":"12"}' }));
    await sqs.sns.send(new PublishCommand({ TopicArn: topicArn, Message: '{"phone_number":"333444555","status_id":"8"}' }));
    expect(await until(() => [stack.simulator!.statusOf('00002', '111222333'), statusOf('333444555')], ([a, b]) => a === 12 && b === 8)).toEqual([12, 8]);
    const viaTopic = (await until(outcomes, (lines) => lines.some((line) => line.envelope === 'sns'))).find((line) => line.envelope === 'sns');
    expect(viaTopic).toMatchObject({ outcome: 'updated', face: 'queue', phone_number: '******555', envelope_origin: topicArn });
  });

  it('puts a refused update in the DLQ with its reason, and leaves a transient failure for retry, without losing it', async () => {
    const { sqs, queue } = stack.queue;
    stack.simulator!.injectFaultsFor('333444555', ...Array(3).fill({ type: 'status', status: 503 }));
    await sqs.client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: '{"phone_number":"111222333","status_id":"77"}' }));
    await sqs.client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: '{"phone_number":"333444555","status_id":"1"}' }));
    const retried = await until(outcomes, (lines) => lines.some((line) => line.outcome === 'retry-scheduled'));
    expect(retried.find((line) => line.outcome === 'retry-scheduled')).toMatchObject({ level: 'WARN', phone_number: '******555', receive_count: 1 });
    const dead = await until(outcomes, (lines) => lines.some((line) => line.outcome === 'dead-lettered' && line.status_id === '77'));
    expect(dead.find((line) => line.status_id === '77')).toMatchObject({ error: { code: 'THULIUM_REFUSED' } });
    const { Messages = [] } = await sqs.client.send(
      new ReceiveMessageCommand({ QueueUrl: queue.deadLetter.url, MessageAttributeNames: ['All'], VisibilityTimeout: 0, MaxNumberOfMessages: 10 }),
    );
    const refused = Messages.find((m) => m.Body!.includes('"77"'));
    expect(refused?.MessageAttributes?.ErrorCode?.StringValue).toBe('THULIUM_REFUSED');
  });
});

describe('npm start: every command it prints works as printed', () => {
  it('curl, to the HTTP face', async () => {
    const out = await paste(stack.commands.curl);
    expect(JSON.parse(out)).toEqual({ outbound_id: ['00001', '00002', '00003'] });
  });

  it.skipIf(!awsCli)(withCli('aws sqs send-message and aws sns publish'), async () => {
    stack.simulator!.clearFaults();
    await paste(stack.commands.sendMessage);
    expect(await until(() => stack.simulator!.statusOf('00002', '111222333'), (s) => s === 8)).toBe(8);
    await paste(stack.commands.publish);
    expect(await until(() => statusOf('333444555'), (s) => s === 8)).toBe(8);
  });

  it('the producer helper’s one-liner', async () => {
    const out = await paste(stack.commands.producer);
    expect(out.trim()).toBe('queued');
    expect(await until(() => statusOf('333444555'), (s) => s === 3)).toBe(3);
  });

  it.skipIf(!awsCli)(withCli('a refused status sent with the AWS CLI, then npm run dlq -- list shows it'), async () => {
    await paste(stack.commands.sendRefused);
    await until(outcomes, (lines) => lines.filter((line) => line.outcome === 'dead-lettered' && line.status_id === '77').length >= 2);
    const listing = await paste(stack.commands.dlqList);
    expect(listing).toMatch(/THULIUM_REFUSED {2}\d+ messages?/);
    expect(listing).toContain('phone ******333  status 77');
  });

  it('npm run dlq -- list shows the DLQ, masked', async () => {
    const listing = await paste(stack.commands.dlqList);
    expect(listing).toMatch(/THULIUM_REFUSED/);
    expect(listing).toContain('******333');
    expect(listing).not.toContain('111222333');
  });
});

/** Every shell line of the README's ```sh blocks, continuations joined. */
function readmeShellLines(): string[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  return [...readme.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].flatMap(([, block]) =>
    block
      .replace(/\\\n\s*/g, '')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#')),
  );
}

describe('the README, as written', () => {
  const lines = readmeShellLines();

  it('shows the commands npm start prints, for the default ports', () => {
    const defaults = localCommands({
      httpUrl: 'http://127.0.0.1:3000',
      sqs: {
        sqs: { endpoint: 'http://127.0.0.1:9324' },
        queue: { url: stack.queue.queue.url.replace(/:\d+\//, ':9324/') },
        topicArn: stack.queue.topicArn,
      },
    });
    expect(Object.values(defaults).filter((command) => !lines.includes(command))).toEqual([]);
  });

  it('the vendor’s curl, against the local HTTP face', async () => {
    const vendor = lines.find((line) => line.startsWith('curl -u api_user:api_pass'))!;
    const out = await paste(vendor.replace('http://localhost:3000', stack.url));
    expect(JSON.parse(out)).toEqual({ outbound_id: ['00001', '00002', '00003'] });
  });

  it('every npm run dlq command, pipes included, against the local queues', async () => {
    const { sqs, queue } = stack.queue;
    await sqs.client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: '{"phone_number":"333444555","status_id":' }));
    await until(outcomes, (records) => records.some((line) => line.error?.code === 'MALFORMED_JSON'));
    const commands = lines.filter((line) => /(^|\s)npm run (-s )?dlq /.test(line));
    expect(commands.length).toBeGreaterThanOrEqual(12);
    const local = `export AWS_ENDPOINT_URL_SQS=${sqs.endpoint} AWS_REGION=eu-central-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local; `;
    for (const command of commands.filter((line) => !line.startsWith('AWS_ENDPOINT_URL_SQS='))) {
      const outcome = await paste(`${local}${command}`).then(
        (stdout) => ({ code: 0, stdout, stderr: '' }),
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      printed.push(outcome.stdout, outcome.stderr);
      if (command.includes('--stack ThuliumOutboundStatusTest')) {
        expect(outcome, command).toMatchObject({ code: 1, stderr: expect.stringContaining('no DLQ for stack "ThuliumOutboundStatusTest"') });
      } else if (/redrive --apply$/.test(command.split('#')[0].trim())) {
        expect(outcome, command).toMatchObject({ code: 1, stderr: expect.stringContaining('this SQS has no message move tasks') });
      } else {
        expect(outcome, command).toMatchObject({ code: 0 });
      }
      if (command.includes('| jq')) {
        const rows = outcome.stdout.trimEnd().split('\n').map((row) => row.split('\t'));
        expect(rows.length, outcome.stdout).toBeGreaterThan(0);
        // A body that never parsed has no phone number to show.
        for (const row of rows) expect(row[2], command).toMatch(/^(\*+\d{3})?$/);
        expect(rows.some((row) => row[0] === 'THULIUM_REFUSED' && row[2] === '******333'), outcome.stdout).toBe(true);
      }
    }
  });
});
