import { exec, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { PublishCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../dev/aws/sqs.ts';
import { localCommands } from '../../dev/local-stack/commands.ts';
import { startLocalStack, type LocalStack } from '../../dev/start.ts';
import { captureOutput, logRecords } from '../support/world.ts';
import { expose, guard } from '../support/leaks.ts';
import { until } from '../support/until.ts';

/**
 * `npm start`'s stack, started in-process as the developer's shell would meet it: each command it
 * prints is run as printed (by bash, in the project folder), and what it sent is seen applied in
 * the simulator, or in the DLQ with its reason.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(exec);
const has = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
/**
 * Every AWS CLI on PATH, by version: 1.x and 2.13+ send SQS calls in JSON, older 2.x (Debian 12's
 * awscli) as queries. CI installs Debian's when it has none; elsewhere the CLI's commands run only
 * where one is installed.
 */
const awsClis = [
  ...new Set((spawnSync('sh', ['-c', 'which -a aws'], { encoding: 'utf8' }).stdout ?? '').split('\n').filter(Boolean)),
]
  .map((path) => ({
    dir: dirname(path),
    version: spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout.split(' ')[0],
  }))
  .filter(
    (cli, i, all) =>
      cli.version.startsWith('aws-cli/') && all.findIndex((other) => other.version === cli.version) === i,
  );
if (awsClis.length === 0 && process.env.CI === 'true') awsClis.push({ dir: '/usr/bin', version: 'aws-cli (CI)' });
const NO_CLI = "skipped: the AWS CLI is not installed here; CI installs Debian's awscli";
const output = captureOutput();
const printed = expose<string[]>([]);
const savedEnv = { ...process.env };
let stack: LocalStack;

/** What npm start reads or sets: none of the machine's own may change the stack under test. */
const STACK_ENV =
  /^(AWS_|THULIUM_|ORDERING_|DEAD_LETTER|QUEUE_|POWERTOOLS_|LOCAL_|HOST$|PORT$|SQS_PORT$|DYNAMODB_PORT$)/;

beforeAll(async () => {
  for (const key of Object.keys(process.env)) if (STACK_ENV.test(key)) delete process.env[key];
  Object.assign(process.env, { PORT: '0', SQS_PORT: '0' });
  stack = await startLocalStack(process.env);
  guard({ phones: ['111222333', '333444555'] });
}, 30_000);

afterAll(async () => {
  try {
    await stack?.close();
  } finally {
    output.stop();
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    Object.assign(process.env, savedEnv);
  }
});

/**
 * Runs a printed command line in bash, from the project folder, with the user's own PATH (`first`
 * ahead of it) and nothing of the stack's environment.
 */
async function paste(commandLine: string, first?: string) {
  const env = Object.fromEntries(Object.entries(savedEnv).filter(([key]) => !STACK_ENV.test(key)));
  if (first) env.PATH = `${first}:${env.PATH}`;
  const ran = run(commandLine, { cwd: root, env, shell: '/bin/bash', timeout: 60_000 });
  // A failed command's output too: the leak scan reads everything printed.
  const { stdout, stderr } = await ran.catch((error: { stdout: string; stderr: string }) => {
    printed.push(error.stdout, error.stderr);
    throw error;
  });
  printed.push(stdout, stderr);
  return stdout;
}

const statusOf = (phone: string) => stack.simulator!.currentStatusOf(phone);
const outcomes = () => logRecords(output.lines).filter((line) => line.outcome !== undefined);
/** The console lines npm start prints for the outcome events the loopback EventBridge took. */
const eventLines = () => output.lines.filter((line) => / EVENT /.test(line));

describe('npm start: the queue face, as the stack has it', () => {
  it('has the stack’s queue, DLQ and redrive policy, and a visibility timeout six times the function’s plus the window', async () => {
    const { queue, sqs } = stack.queue;
    expect(queue.url).toMatch(/\/ThuliumOutboundStatus-updates$/);
    expect(queue.deadLetter.url).toMatch(/\/ThuliumOutboundStatus-updates-dlq$/);
    const attributes = await sqs.client.send(
      new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['All'] }),
    );
    expect(JSON.parse(attributes.Attributes!.RedrivePolicy!)).toEqual({
      maxReceiveCount: 5,
      deadLetterTargetArn: queue.deadLetter.arn,
    });
    expect(attributes.Attributes!.VisibilityTimeout).toBe(String(6 * 30 + 1));
  });

  it('applies an update sent to the queue and one published to the topic, through the SDK', async () => {
    const { sqs, queue, topicArn } = stack.queue;
    await sqs.client.send(
      new SendMessageCommand({ QueueUrl: queue.url, MessageBody: '{"phone_number":"111222333","status_id":"12"}' }),
    );
    await sqs.sns.send(
      new PublishCommand({ TopicArn: topicArn, Message: '{"phone_number":"333444555","status_id":"8"}' }),
    );
    expect(
      await until(
        () => [stack.simulator!.statusOf('00002', '111222333'), statusOf('333444555')],
        ([a, b]) => a === 12 && b === 8,
      ),
    ).toEqual([12, 8]);
    const viaTopic = (await until(outcomes, (lines) => lines.some((line) => line.envelope === 'sns'))).find(
      (line) => line.envelope === 'sns',
    );
    expect(viaTopic).toMatchObject({
      outcome: 'updated',
      face: 'queue',
      phone_number: '******555',
      envelope_origin: topicArn,
    });
  });

  it('puts a refused update in the DLQ with its reason, and leaves a transient failure for retry, without losing it', async () => {
    const { sqs, queue } = stack.queue;
    stack.simulator!.injectFaultsFor('333444555', ...Array(3).fill({ type: 'status', status: 503 }));
    await sqs.client.send(
      new SendMessageCommand({ QueueUrl: queue.url, MessageBody: '{"phone_number":"111222333","status_id":"77"}' }),
    );
    await sqs.client.send(
      new SendMessageCommand({ QueueUrl: queue.url, MessageBody: '{"phone_number":"333444555","status_id":"1"}' }),
    );
    const retried = await until(outcomes, (lines) => lines.some((line) => line.outcome === 'retry-scheduled'));
    expect(retried.find((line) => line.outcome === 'retry-scheduled')).toMatchObject({
      level: 'WARN',
      phone_number: '******555',
      receive_count: 1,
    });
    // Listed as a batch item failure, so the mapping left it on the queue, in flight until its back-off ends.
    expect((await sqs.depth(queue.url)).inFlight).toBeGreaterThanOrEqual(1);
    const dead = await until(outcomes, (lines) =>
      lines.some((line) => line.outcome === 'dead-lettered' && line.status_id === '77'),
    );
    expect(dead.find((line) => line.status_id === '77')).toMatchObject({ error: { code: 'THULIUM_REFUSED' } });
    const { Messages = [] } = await sqs.client.send(
      new ReceiveMessageCommand({
        QueueUrl: queue.deadLetter.url,
        MessageAttributeNames: ['All'],
        VisibilityTimeout: 0,
        MaxNumberOfMessages: 10,
      }),
    );
    const refused = Messages.find((m) => m.Body!.includes('"77"'));
    expect(refused?.MessageAttributes?.ErrorCode?.StringValue).toBe('THULIUM_REFUSED');
    const shown = await until(eventLines, (lines) =>
      lines.some((line) => / queue +Status update dead-lettered /.test(line)),
    );
    expect(shown.find((line) => / queue +Status update dead-lettered /.test(line))).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} EVENT queue Status update dead-lettered \*{6}333 status 77: THULIUM_REFUSED Thulium refused the update/,
    );
  });
});

describe('npm start: SQS in the query protocol, as AWS CLI before 2.13 sends it', () => {
  /** Signed as the CLI signs (the emulator checks no signature, only that there is one). */
  const SIGNED = {
    authorization:
      'AWS4-HMAC-SHA256 Credential=local/20261201/eu-central-1/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=00',
  };
  const query = async (params: Record<string, string>, headers: Record<string, string> = SIGNED) => {
    const response = await fetch(stack.queue.sqs.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', ...headers },
      body: new URLSearchParams({ Version: '2012-11-05', ...params }),
    });
    return { status: response.status, xml: await response.text() };
  };

  it('sends, receives and deletes with the same queues, answering in XML; other actions say what is served', async () => {
    const QueueUrl = stack.queue.queue.deadLetter.url;
    const sent = await query({
      Action: 'SendMessage',
      QueueUrl,
      MessageBody: 'a <b> & c\r\n',
      'MessageAttribute.1.Name': 'Origin',
      'MessageAttribute.1.Value.DataType': 'String',
      'MessageAttribute.1.Value.StringValue': 'cli',
    });
    expect(sent.status).toBe(200);
    expect(sent.xml).toMatch(
      /<SendMessageResponse xmlns="http:\/\/queue\.amazonaws\.com\/doc\/2012-11-05\/"><SendMessageResult><MD5OfMessageBody>[0-9a-f]{32}<\/MD5OfMessageBody><MD5OfMessageAttributes>[0-9a-f]{32}<\/MD5OfMessageAttributes><MessageId>/,
    );
    const received = await query({
      Action: 'ReceiveMessage',
      QueueUrl,
      MaxNumberOfMessages: '10',
      VisibilityTimeout: '0',
      'MessageAttributeName.1': 'All',
      'AttributeName.1': 'All',
    });
    const message = [...received.xml.matchAll(/<Message>([\s\S]*?)<\/Message>/g)]
      .map((m) => m[1])
      .find((m) => m.includes('<Body>a &#60;b&#62; &#38; c&#13;\n</Body>'))!;
    expect(message).toMatch(
      /<MessageAttribute><Name>Origin<\/Name><Value><StringValue>cli<\/StringValue><DataType>String<\/DataType><\/Value><\/MessageAttribute>/,
    );
    expect(message).toMatch(/<Attribute><Name>ApproximateReceiveCount<\/Name><Value>1<\/Value><\/Attribute>/);
    const ReceiptHandle = /<ReceiptHandle>(.*?)<\/ReceiptHandle>/.exec(message)![1];
    expect((await query({ Action: 'DeleteMessage', QueueUrl, ReceiptHandle })).status).toBe(200);
    const missing = await query({ Action: 'GetQueueUrl', QueueName: 'no-such-queue' });
    expect(missing).toMatchObject({
      status: 400,
      xml: expect.stringContaining('<Code>AWS.SimpleQueueService.NonExistentQueue</Code>'),
    });
    const other = await query({ Action: 'SetQueueAttributes', QueueUrl });
    expect(other).toMatchObject({
      status: 400,
      xml: expect.stringContaining('SetQueueAttributes needs the JSON protocol'),
    });
    expect((await query({ Action: 'toString', QueueUrl })).status).toBe(400);
  });

  /** A POST as a page would send it, Host header and all (fetch cannot set Host). */
  const post = (url: string, headers: Record<string, string>, body: string) =>
    new Promise<number>((resolve, reject) => {
      const req = httpRequest(url, { method: 'POST', headers }, (res) => (res.resume(), resolve(res.statusCode!)));
      req.on('error', reject).end(body);
    });

  it('refuses what a web page could send: unsigned calls, a browser’s calls and calls to another host name (DNS rebinding)', async () => {
    const { queue, topicArn } = stack.queue;
    const body = '{"phone_number":"111222333","status_id":"1"}';
    const send = new URLSearchParams({
      Version: '2012-11-05',
      Action: 'SendMessage',
      QueueUrl: queue.url,
      MessageBody: body,
    }).toString();
    const publish = new URLSearchParams({
      Version: '2010-03-31',
      Action: 'Publish',
      TopicArn: topicArn,
      Message: body,
    }).toString();
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const sqs = stack.queue.sqs.endpoint;
    for (const payload of [send, publish]) {
      expect(await post(sqs, form, payload)).toBe(403);
      expect(await post(sqs, { ...form, ...SIGNED, origin: 'https://example.com' }, payload)).toBe(403);
      expect(await post(sqs, { ...form, ...SIGNED, 'sec-fetch-site': 'cross-site' }, payload)).toBe(403);
      expect(await post(sqs, { ...form, ...SIGNED, host: 'rebound.example.com' }, payload)).toBe(403);
    }
    expect(await post(stack.url, { 'content-type': 'text/plain', origin: 'https://example.com' }, body)).toBe(403);
    expect(await post(stack.url, { 'content-type': 'application/json', host: 'rebound.example.com' }, body)).toBe(403);
    // The same call, signed and from the shell, is taken: the refusals are not of the call itself.
    expect(await post(sqs, { ...form, ...SIGNED }, send)).toBe(200);
    await until(outcomes, (lines) => lines.some((line) => line.phone_number === '******333' && line.status_id === '1'));
    expect(outcomes().filter((line) => line.phone_number === '******333' && line.status_id === '1')).toHaveLength(1);
  });
});

describe('npm start: every command it prints works as printed', () => {
  it('curl, to the HTTP face: applied, and its outcome event on the console in one line, with the reference', async () => {
    expect(stack.showsEvents).toBe(true);
    const out = await paste(stack.commands.curl);
    expect(JSON.parse(out)).toEqual({ outbound_id: ['00001', '00002', '00003'] });
    const lines = await until(eventLines, (shown) => shown.some((line) => line.includes('ref crm-42')));
    expect(lines.filter((line) => line.includes('ref crm-42'))).toEqual([
      expect.stringMatching(
        /^\d\d:\d\d:\d\d\.\d{3} EVENT http {2}Status update applied {7}\*{6}333 status 3 \(campaigns 00001, 00002, 00003, ref crm-42\)$/,
      ),
    ]);
    const event = stack.aws.events.find((e) => (e.detail as { reference?: string }).reference === 'crm-42');
    expect(event).toMatchObject({
      source: 'thulium.outbound-status',
      'detail-type': 'Status update applied',
      detail: { outcome: 'applied', face: 'http', phone_number: '******333', status_id: '3' },
    });
  });

  it('the producer helper’s one-liner', async () => {
    const out = await paste(stack.commands.producer);
    expect(out.trim()).toBe('queued');
    expect(
      await until(
        () => statusOf('333444555'),
        (s) => s === 3,
      ),
    ).toBe(3);
  });

  it('npm run dlq -- list shows the DLQ, masked', async () => {
    const listing = await paste(stack.commands.dlqList);
    expect(listing).toMatch(/THULIUM_REFUSED/);
    expect(listing).toContain('******333');
    expect(listing).not.toContain('111222333');
  });
  it('npm run -s trace -- 111222333: the status applied with its reference, the DLQ letter and the log query, masked', async () => {
    const report = await paste(stack.commands.trace!);
    expect(report).toMatch(
      /^number \*{6}333, looked up as \*{6}333 \(PHONE_NORMALISATION as-is; from the environment\)\n/,
    );
    expect(report).not.toMatch(/WARNING|could not|CloudFormation/);
    expect(report).toContain('******333');
    expect(report).toContain('crm-42');
    expect(report).toMatch(/THULIUM_REFUSED/);
    expect(report).not.toContain('111222333');
  });
});

describe('npm start: the trace command it prints', () => {
  const endpoints = {
    httpUrl: 'http://127.0.0.1:3000',
    sqsEndpoint: 'http://127.0.0.1:9324',
    queueUrl: 'q',
    topicArn: 't',
  };
  const keys = `AWS_ACCESS_KEY_ID=${LOCAL_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${LOCAL_CREDENTIALS.secretAccessKey}`;

  it('names the table, the key’s secret, the normalisation and the endpoints the function uses, and the local SQS', () => {
    expect(stack.commands.trace).toBe(
      `AWS_ENDPOINT_URL_DYNAMODB=${stack.store!.url} AWS_ENDPOINT_URL_SECRETS_MANAGER=${stack.aws.url} AWS_ENDPOINT_URL_SQS=${stack.queue.sqs.endpoint} ORDERING_TABLE_NAME=${stack.store!.tableName} ORDERING_KEY_SECRET_ID=${process.env.ORDERING_KEY_SECRET_ID} PHONE_NORMALISATION=as-is AWS_REGION=${LOCAL_REGION} ${keys} npm run -s trace -- 111222333`,
    );
  });

  it('is printed with the guard off too (the DLQ letters are still read), and never with keys of the user’s own', () => {
    const guardOff = localCommands({
      ...endpoints,
      trace: { AWS_REGION: LOCAL_REGION, AWS_ACCESS_KEY_ID: 'local', ORDERING_GUARD: 'off' },
    });
    expect(guardOff.trace).toBe(
      `AWS_ENDPOINT_URL_SQS=http://127.0.0.1:9324 ORDERING_GUARD=off PHONE_NORMALISATION=as-is AWS_REGION=${LOCAL_REGION} ${keys} npm run -s trace -- 111222333`,
    );
    const own = localCommands({
      ...endpoints,
      trace: { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIDOWN', ORDERING_KEY_SECRET_ID: 'thulium/ordering-key' },
    });
    expect(own.trace).toBe(
      'AWS_ENDPOINT_URL_SQS=http://127.0.0.1:9324 ORDERING_KEY_SECRET_ID=thulium/ordering-key PHONE_NORMALISATION=as-is AWS_REGION=eu-west-1 npm run -s trace -- 111222333',
    );
  });

  it('gives the trace the normalisation the function runs with, so it never asks CloudFormation', () => {
    const national = localCommands({
      ...endpoints,
      trace: { AWS_REGION: LOCAL_REGION, PHONE_NORMALISATION: 'national' },
    });
    expect(national.trace).toContain(' PHONE_NORMALISATION=national PHONE_COUNTRY_CODE=48 ');
    const otherCode = localCommands({
      ...endpoints,
      trace: { AWS_REGION: LOCAL_REGION, PHONE_NORMALISATION: 'national', PHONE_COUNTRY_CODE: '49' },
    });
    expect(otherCode.trace).toContain(' PHONE_NORMALISATION=national PHONE_COUNTRY_CODE=49 ');
    const stripped = localCommands({
      ...endpoints,
      trace: { AWS_REGION: LOCAL_REGION, PHONE_NORMALISATION: 'strip-separators', PHONE_COUNTRY_CODE: '49' },
    });
    expect(stripped.trace).toContain(' PHONE_NORMALISATION=strip-separators AWS_REGION=');
  });
});

/** The pages whose shell blocks a reader pastes: the README, every page of docs/, the producer helper's. */
const DOC_PAGES = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
  'functions/outbound-status/client/README.md',
];

/**
 * Every line of the docs' shell blocks (```sh, ```bash, ```shell; indented ones too), continuations
 * joined, comments dropped, with the page it is on. Commands the tests cannot run (an AWS account, a
 * real tenant, the test run itself) belong in ```console blocks, which this does not read.
 */
function docsShellLines(): Array<{ page: string; line: string }> {
  return DOC_PAGES.flatMap((page) => {
    const text = readFileSync(join(root, page), 'utf8');
    return [...text.matchAll(/^([ \t]*)```(?:sh|bash|shell)\n([\s\S]*?)^\1```$/gm)].flatMap(([, indent, block]) =>
      block
        .split('\n')
        .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
        .join('\n')
        .replace(/\\\n\s*/g, '')
        .split('\n')
        .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'))
        .map((line) => ({ page, line })),
    );
  });
}

const isDlqCommand = (line: string) => /(^|\s)npm run (-s )?dlq /.test(line);
const isTraceCommand = (line: string) => /(^|\s)npm run (-s )?trace /.test(line);
const isVendorCurl = (line: string) => line.startsWith('curl -u api_user:api_pass');

describe.each(awsClis.length > 0 ? awsClis : [{ dir: '', version: `(${NO_CLI})` }])(
  'npm start: the printed AWS CLI commands, with $version',
  ({ dir }) => {
    it.skipIf(dir === '')('aws sqs send-message and aws sns publish: both applied', async () => {
      stack.simulator!.clearFaults();
      await paste(stack.commands.sendMessage.replace('"status_id":"8"', '"status_id":"12"'), dir);
      expect(
        await until(
          () => stack.simulator!.statusOf('00002', '111222333'),
          (s) => s === 12,
        ),
      ).toBe(12);
      await paste(stack.commands.sendMessage, dir);
      expect(
        await until(
          () => stack.simulator!.statusOf('00002', '111222333'),
          (s) => s === 8,
        ),
      ).toBe(8);
      await paste(stack.commands.publish.replace('"status_id":"8"', '"status_id":"1"'), dir);
      expect(
        await until(
          () => statusOf('333444555'),
          (s) => s === 1,
        ),
      ).toBe(1);
      await paste(stack.commands.publish, dir);
      expect(
        await until(
          () => statusOf('333444555'),
          (s) => s === 8,
        ),
      ).toBe(8);
    });

    it.skipIf(dir === '')(
      'a refused status: in the DLQ with its reason, and npm run dlq -- list shows it',
      async () => {
        const before = outcomes().filter((line) => line.outcome === 'dead-lettered' && line.status_id === '77').length;
        await paste(stack.commands.sendRefused, dir);
        await until(
          outcomes,
          (lines) =>
            lines.filter((line) => line.outcome === 'dead-lettered' && line.status_id === '77').length > before,
        );
        const listing = await paste(stack.commands.dlqList);
        expect(listing).toMatch(/THULIUM_REFUSED {2}\d+ messages?/);
        expect(listing).toContain('phone ******333  status 77');
      },
    );
  },
);

describe('the docs, as written', () => {
  const shellLines = docsShellLines();
  const lines = shellLines.map(({ line }) => line);
  /** What npm start prints for the default ports, as the docs show it. */
  const defaultCommands = () =>
    localCommands({
      httpUrl: 'http://127.0.0.1:3000',
      sqsEndpoint: 'http://127.0.0.1:9324',
      queueUrl: stack.queue.queue.url.replace(/:\d+\//, ':9324/'),
      topicArn: stack.queue.topicArn,
    });

  it('shows the commands npm start prints, for the default ports', () => {
    expect(Object.values(defaultCommands()).filter((command) => !lines.includes(command))).toEqual([]);
  });

  it('has no shell line that a test here does not run (the rest belong in ```console blocks)', () => {
    const printed = new Set(Object.values(defaultCommands()));
    const notRun = shellLines.filter(
      ({ line }) => !printed.has(line) && !isVendorCurl(line) && !isDlqCommand(line) && !isTraceCommand(line),
    );
    expect(notRun.map(({ page, line }) => `${page}: ${line}`)).toEqual([]);
  });

  it('shows the trace command npm start prints, its free ports aside', () => {
    const ports = (text: string) => text.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT');
    const page = readFileSync(join(root, 'docs/local.md'), 'utf8');
    expect(ports(page)).toContain(ports(stack.commands.trace!));
  });

  it('every npm run trace command, against the local stack', async () => {
    const local = `export ${stack.commands.trace!.replace(/ npm run -s trace -- \S+$/, '')}; `;
    for (const command of new Set(lines.filter(isTraceCommand))) {
      const report = await paste(`${local}${command}`);
      expect(report, command).not.toMatch(/111222333|333444555/);
    }
  });

  it('the vendor’s curl, against the local HTTP face', async () => {
    const vendor = lines.find(isVendorCurl)!;
    const out = await paste(vendor.replace('http://localhost:3000', stack.url));
    expect(JSON.parse(out)).toEqual({ outbound_id: ['00001', '00002', '00003'] });
  });

  const jq = has('jq') || process.env.CI === 'true';
  it(`every npm run dlq command, pipes included, against the local queues${jq ? '' : ' (its jq pipe skipped: jq is not installed here; CI installs it)'}`, async () => {
    const { sqs, queue } = stack.queue;
    await sqs.client.send(
      new SendMessageCommand({ QueueUrl: queue.url, MessageBody: '{"phone_number":"333444555","status_id":' }),
    );
    await until(outcomes, (records) => records.some((line) => line.error?.code === 'MALFORMED_JSON'));
    const commands = [...new Set(lines.filter(isDlqCommand))];
    expect(commands.length).toBeGreaterThanOrEqual(12);
    const local = `export AWS_ENDPOINT_URL_SQS=${sqs.endpoint} AWS_REGION=${LOCAL_REGION} AWS_ACCESS_KEY_ID=${LOCAL_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${LOCAL_CREDENTIALS.secretAccessKey}; `;
    for (const command of commands.filter(
      (line) => !line.startsWith('AWS_ENDPOINT_URL_SQS=') && (jq || !line.includes('| jq')),
    )) {
      const outcome = await paste(`${local}${command}`).then(
        (stdout) => ({ code: 0, stdout, stderr: '' }),
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      if (command.includes('--stack ThuliumOutboundStatusTest')) {
        expect(outcome, command).toMatchObject({
          code: 1,
          stderr: expect.stringContaining('no DLQ for stack "ThuliumOutboundStatusTest"'),
        });
      } else if (/redrive --apply$/.test(command.split('#')[0].trim())) {
        expect(outcome, command).toMatchObject({
          code: 1,
          stderr: expect.stringContaining('this SQS has no message move tasks'),
        });
      } else {
        expect(outcome, command).toMatchObject({ code: 0 });
      }
      if (command.includes('| jq')) {
        const rows = outcome.stdout
          .trimEnd()
          .split('\n')
          .map((row) => row.split('\t'));
        // A body that never parsed has no phone number to show.
        for (const row of rows) expect(row[2], command).toMatch(/^(\*+\d{3})?$/);
        expect(
          rows.some((row) => row[0] === 'THULIUM_REFUSED' && row[2] === '******333'),
          outcome.stdout,
        ).toBe(true);
      }
    }
  });
});
