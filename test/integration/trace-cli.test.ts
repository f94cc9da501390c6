import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import {
  CloudWatchLogsClient,
  CreateLogStreamCommand,
  DescribeQueriesCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetQueueUrlCommand, type MessageAttributeValue, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REASON_ATTRIBUTES } from '../../functions/outbound-status/adapters/dead-letter-queue.ts';
import { numberHash, numberKeyOf } from '../../functions/outbound-status/adapters/number-key.ts';
import { APPLIED, ORDERING_TABLE } from '../../functions/outbound-status/adapters/ordering-table.ts';
import { STACK_OUTPUTS } from '../../infra/stack-outputs.ts';
import { startDynalite, type LocalDynamoDb } from '../../dev/aws/dynamodb.ts';
import { startAwsLoopback, type AwsLoopback } from '../../dev/aws/function-calls.ts';
import { body } from '../support/aws-events.ts';
import { expose, guard } from '../support/leaks.ts';
import { until } from '../support/until.ts';
import { SqsEmulator, type QueuePair } from '../support/sqs-emulator.ts';

/**
 * `npm run trace` as an operator runs it: a child process on Node 24, the AWS SDK pointed by
 * environment only at dynalite (the ordering table), the loopback Secrets Manager (the key) and
 * fauxqs (the DLQ). CloudFormation and CloudWatch Logs point at a closed port: nothing here reaches AWS.
 * The stack's outputs and the log query run against moto_server, at the end.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const REGION = 'eu-central-1';
const KEY_SECRET = 'trace-ordering-key';
const KEY = 'trace-cli-ordering-key-of-at-least-32-characters';
const LOG_GROUP = '/aws/lambda/ThuliumOutboundStatus-function';
const CLOSED_PORT = 'http://127.0.0.1:9';

const PHONE = '48700000201';
const OTHER = '48700000202';
const UNSEEN = '48700000203';
guard({ phones: [PHONE, OTHER, UNSEEN], secrets: [KEY] });
const cliOutput = expose<string[]>([]);

let sqs: SqsEmulator;
let dynamo: LocalDynamoDb;
let aws: AwsLoopback;
let pair: QueuePair;

const hashOf = (phone: string) => numberHash(Buffer.from(KEY, 'utf8'), phone);

beforeAll(async () => {
  [sqs, dynamo, aws] = await Promise.all([SqsEmulator.start(), startDynalite(), startAwsLoopback()]);
  aws.secrets.set(KEY_SECRET, KEY);
  pair = await sqs.createQueues({ name: 'TraceCli-updates', maxReceiveCount: 1_000, visibilityTimeoutSeconds: 30 });
  await seed();
});

afterAll(async () => {
  await Promise.all([sqs?.close(), dynamo?.close(), aws?.close()]);
});

const APPLIED_AT = Date.parse('2026-12-01T09:00:02.456Z');
const VERSION = Date.parse('2026-12-01T09:00:00.123Z');

const text = (StringValue: string): MessageAttributeValue => ({ DataType: 'String', StringValue });

/** A dead letter with the attributes the function gives one (adapters/dead-letter-queue.ts). */
function letter(messageBody: string, code: string, kind: string, message: string, reference: string) {
  const attributes: Record<string, MessageAttributeValue> = {
    ErrorCode: text(code),
    ErrorKind: text(kind),
    ErrorMessage: text(message),
    SourceMessageId: text(`source-of-${code.toLowerCase()}`),
    SourceQueueArn: text('arn:aws:sqs:eu-central-1:123456789012:TraceCli-updates'),
    ReceiveCount: { DataType: 'Number', StringValue: '5' },
    FailedAt: text('2026-12-01T09:05:00.000Z'),
    UpdateReference: text(reference),
    UpdateVersion: text('2026-12-01T09:00:00.123Z'),
  };
  return new SendMessageCommand({
    QueueUrl: pair.deadLetter.url,
    MessageBody: messageBody,
    MessageAttributes: attributes,
  });
}

const snsWrapped = (payload: string) =>
  JSON.stringify({
    Type: 'Notification',
    MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
    TopicArn: 'arn:aws:sns:eu-central-1:123456789012:status-updates',
    Message: payload,
    Timestamp: '2026-12-01T09:00:00.000Z',
  });

/** The number's item as the function leaves it, held by an update in progress; three letters, two of them the number's. */
async function seed(): Promise<void> {
  await dynamo.client.send(
    new PutItemCommand({
      TableName: dynamo.tableName,
      Item: {
        [ORDERING_TABLE.partitionKey]: { S: hashOf(PHONE) },
        [APPLIED.version]: { N: String(VERSION) },
        [APPLIED.statusId]: { S: '3' },
        [APPLIED.at]: { N: String(APPLIED_AT) },
        [APPLIED.face]: { S: 'queue' },
        [APPLIED.correlationId]: { S: '6f0c1a2b-aaaa-bbbb-cccc-0123456789ab' },
        [APPLIED.reference]: { S: 'crm-******-1' },
        lock_owner: { S: 'an-update-in-progress' },
        lock_until: { N: String(Date.now() + 3_600_000) },
        [ORDERING_TABLE.ttlAttribute]: { N: String(Math.floor(APPLIED_AT / 1000) + 86_400) },
      },
    }),
  );
  await sqs.client.send(
    letter(body(PHONE, '77'), 'THULIUM_REFUSED', 'refused', 'Thulium refused: status 77 does not exist', 'crm-a'),
  );
  await sqs.client.send(
    letter(snsWrapped(body(PHONE, '3')), 'THULIUM_UNAVAILABLE', 'transient', 'Thulium answered 503', 'crm-b'),
  );
  await sqs.client.send(letter(body(OTHER, '3'), 'DEADLINE_EXCEEDED', 'transient', 'out of time', 'someone-else'));
}

// ---------------------------------------------------------------- the CLI as a child process

interface Run {
  stdout: string;
  stderr: string;
  code: number | null;
}

function runCli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const inherited = Object.entries(process.env).filter(
    ([name]) =>
      !name.startsWith('AWS_') &&
      !['DLQ_URL', 'ORDERING_TABLE_NAME', 'ORDERING_KEY_SECRET_ID', 'LOG_GROUP_NAME'].includes(name) &&
      !name.startsWith('PHONE_'),
  );
  const child = spawn(process.execPath, ['ops/trace.ts', ...args], {
    cwd: ROOT,
    env: {
      ...Object.fromEntries(inherited),
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'AKIDTRACECLI',
      AWS_SECRET_ACCESS_KEY: 'trace-cli-secret',
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.url,
      AWS_ENDPOINT_URL_CLOUDFORMATION: CLOSED_PORT,
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: CLOSED_PORT,
      // Never the machine's own AWS setup: no profile files, no instance metadata.
      AWS_CONFIG_FILE: '/nonexistent',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
      AWS_EC2_METADATA_DISABLED: 'true',
      // As the deployment's, so that only the tests of the stack's outputs read them.
      PHONE_NORMALISATION: 'as-is',
      PHONE_COUNTRY_CODE: '48',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: Run = { stdout: '', stderr: '', code: null };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (run.stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (run.stderr += chunk));
  return new Promise((resolve) =>
    child.on('close', (code) => {
      run.code = code;
      cliOutput.push(run.stdout, run.stderr);
      resolve(run);
    }),
  );
}

/** Every name given, so no stack is read. */
const named = () => ['--dlq', pair.deadLetter.url, '--table', dynamo.tableName, '--key-secret', KEY_SECRET];

/** Any full phone number of this file's in a text: the leak guard checks again after the file. */
const fullPhones = (output: string) => [...output.matchAll(/487\d{8}/g)].map((m) => m[0]);

const section = (stdout: string, heading: string) => stdout.slice(stdout.indexOf(heading)).split('\n\n')[0];

// ---------------------------------------------------------------- the tests

describe('npm run trace', () => {
  it("prints the number's item, its letters and its log query, the number masked everywhere", async () => {
    const run = await runCli([PHONE, ...named()], { LOG_GROUP_NAME: LOG_GROUP });
    expect(run.code, run.stderr).toBe(0);
    expect(fullPhones(run.stdout + run.stderr)).toEqual([]);
    expect(run.stdout + run.stderr).not.toContain(KEY);
    expect(run.stdout + run.stderr).not.toContain(hashOf(PHONE));
    expect(run.stdout).toMatch(
      /^number \*{8}201, looked up as \*{8}201 \(PHONE_NORMALISATION as-is; from the environment\)$/m,
    );
    expect(run.stdout).not.toMatch(/WARNING|GUESSED/);

    expect(section(run.stdout, 'ordering store')).toMatch(
      new RegExp(
        [
          `ordering store \\(table ${dynamo.tableName}\\)`,
          '  status applied  3',
          '  its version     2026-12-01T09:00:00.123Z',
          '  applied at      2026-12-01T09:00:02.456Z',
          '  through         the queue face',
          '  correlation id  6f0c1a2b-aaaa-bbbb-cccc-0123456789ab',
          '  reference       crm-\\*{6}-1',
          '  held now        yes, by an update in progress, until \\d{4}-[\\d-]+T[\\d:.]+Z',
          '  item expires    2026-12-02T09:00:02.000Z',
        ].join('\n'),
      ),
    );

    const letters = section(run.stdout, 'dead-letter queue');
    expect(letters).toMatch(/^dead-letter queue \(TraceCli-updates-dlq\): 2 letters of this number$/m);
    expect(letters).toContain(
      '  THULIUM_REFUSED  failed at 2026-12-01T09:05:00.000Z  receives 5  status 77  version 2026-12-01T09:00:00.123Z\n    refused: Thulium refused: status 77 does not exist\n    reference crm-a  source message id source-of-thulium_refused  id ',
    );
    expect(letters).toMatch(
      /THULIUM_UNAVAILABLE .* status 3 .* via sns\n {4}transient: Thulium answered 503\n {4}reference crm-b/,
    );
    expect(letters).not.toMatch(/DEADLINE_EXCEEDED|someone-else|\*{8}202/);
    expect(letters).toMatch(/TraceCli-updates-dlq: ~3 visible, 0 in flight, 0 delayed when read; 3 read$/m);

    const key = numberKeyOf(hashOf(PHONE));
    const logs = section(run.stdout, 'logs:');
    expect(logs).toContain(`logs: number_key ${key}, log group ${LOG_GROUP}`);
    expect(logs).toContain(`    | filter number_key = "${key}"`);
    expect(logs).toMatch(
      new RegExp(
        `^ {2}aws logs start-query --log-group-name '${LOG_GROUP}' --start-time \\d+ --end-time \\d+ --query-string 'fields @timestamp, .*\\| filter number_key = "${key}" \\|`,
        'm',
      ),
    );

    // Read, not taken: every letter is visible again.
    expect(await sqs.depth(pair.deadLetter.url)).toEqual({ visible: 3, inFlight: 0, delayed: 0 });
  });

  it('--json: one object with every part, and the same normalisation as the function', async () => {
    const spaced = '+48 700 000 201';
    const run = await runCli([spaced, '--json', '--normalisation', 'national', ...named()], {
      LOG_GROUP_NAME: LOG_GROUP,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(fullPhones(run.stdout)).toEqual([]);
    const report = JSON.parse(run.stdout);
    // National keys "700000201": not the item of "48700000201", nor its letters.
    expect(report).toMatchObject({
      number: '+** *** *** 201',
      lookedUpAs: '******201',
      normalisation: 'national',
      normalisationFrom: 'flag',
      countryCode: '48',
      countryCodeFrom: 'environment',
      store: { table: dynamo.tableName, item: null },
      deadLetters: { queue: 'TraceCli-updates-dlq', letters: [] },
      logs: { numberKey: numberKeyOf(hashOf('700000201')), logGroup: LOG_GROUP, since: '24h' },
    });
    const asIs = JSON.parse((await runCli([PHONE, '--json', ...named()])).stdout);
    expect(asIs.store.item).toMatchObject({ statusId: '3', face: 'queue', reference: 'crm-******-1' });
    expect(asIs.deadLetters.letters.map((l: { reference: string }) => l.reference).sort()).toEqual(['crm-a', 'crm-b']);
    expect(asIs.deadLetters.letters[0]).toMatchObject({ phone: '********201', receiveCount: '5' });
    // Table and key given: the stack is not read for the log group alone, as the query prints without it.
    expect(asIs.logs.note).toMatch(/^the log group is not given \(--log-group or LOG_GROUP_NAME\)/);
    expect(asIs.logs.note).not.toMatch(/CloudFormation/);
  });

  it('a number nothing recorded: says what that can mean', async () => {
    const run = await runCli([UNSEEN, ...named(), '--log-group', LOG_GROUP]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(
      'nothing recorded for this number: no update of it was applied through the ordering guard, or its item expired after the TTL (ORDERING_TTL_SECONDS)\n\n',
    );
    expect(run.stdout).toContain('dead-letter queue (TraceCli-updates-dlq): no letters of this number');
    expect(run.stdout).toContain(`logs: number_key ${numberKeyOf(hashOf(UNSEEN))}`);
  });

  it('a part that cannot be read says so in its section; the others still print, and the exit code is 1', async () => {
    // One after the other: two readers of one DLQ would hide its letters from each other.
    const noTable = await runCli([PHONE, ...named(), '--table', 'no-such-table', '--log-group', LOG_GROUP]);
    const noKey = await runCli([PHONE, ...named(), '--key-secret', 'no-such-secret']);
    const noQueue = await runCli([PHONE, ...named(), '--dlq', pair.deadLetter.url.replace(/[^/]+$/, 'no-such-queue')]);
    expect(noTable.code).toBe(1);
    expect(noTable.stdout).toContain(
      'ordering store (table no-such-table)\n  could not be read: table no-such-table not found',
    );
    expect(noTable.stdout).toContain('2 letters of this number');
    expect(noTable.stdout).toContain(`logs: number_key ${numberKeyOf(hashOf(PHONE))}, log group ${LOG_GROUP}`);
    expect(noTable.stderr).toMatch(/^trace: could not read: ordering store \(see above\)$/m);

    expect(noKey.code).toBe(1);
    expect(noKey.stdout).toContain(
      "could not be read: the number's item cannot be found without its key: secret no-such-secret not found",
    );
    expect(noKey.stdout).toContain(
      'logs\n  could not be searched: no number_key without the key: secret no-such-secret not found',
    );
    expect(noKey.stdout).toContain('2 letters of this number');
    expect(noKey.stderr).toMatch(/could not read: ordering store, logs/);

    expect(noQueue.code).toBe(1);
    expect(noQueue.stdout).toMatch(/^dead-letter queue\n {2}could not be read: DLQ not found: .*no-such-queue$/m);
    expect(noQueue.stdout).toContain('  status applied  3');
    for (const run of [noTable, noKey, noQueue]) expect(fullPhones(run.stdout + run.stderr)).toEqual([]);
  });

  it('the normalisation given nowhere and the stack unreadable: as-is, said loudly to be a guess', async () => {
    const unset = { PHONE_NORMALISATION: '', PHONE_COUNTRY_CODE: '' };
    const json = await runCli([PHONE, '--json', ...named()], unset);
    const text = await runCli([UNSEEN, ...named()], unset);
    for (const run of [json, text]) {
      expect(run.code, run.stderr).toBe(0);
      expect(fullPhones(run.stdout + run.stderr)).toEqual([]);
    }
    const warning =
      /^PHONE_NORMALISATION as-is is a guess \(the function's default\): not given \(--normalisation or PHONE_NORMALISATION\), and the outputs of stack "ThuliumOutboundStatus" could not be read: cannot reach CloudFormation .*: give --normalisation \(and --country-code\) as the deployment sets them\.$/;
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({
      normalisation: 'as-is',
      normalisationFrom: 'guess',
      warning: expect.stringMatching(warning),
    });
    expect(report.store.item).toMatchObject({ statusId: '3' });
    expect(json.stderr).toContain(`trace: WARNING: ${report.warning}\n`);

    const lines = text.stdout.split('\n');
    expect(lines[0]).toBe('number ********203, looked up as ********203 (PHONE_NORMALISATION as-is; GUESSED)');
    expect(lines[1]).toBe(`WARNING: ${report.warning}`);
    expect(section(text.stdout, 'ordering store')).toMatch(
      /nothing recorded for this number: .*\n {2}or it was looked up in another form than the function's: see the WARNING above$/,
    );
  });

  it('ORDERING_GUARD=off, as the function has it: the store and logs say why there is nothing, exit 0', async () => {
    const run = await runCli([PHONE, '--dlq', pair.deadLetter.url], { ORDERING_GUARD: 'off' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/could not read|WARNING/);
    expect(run.stdout).toContain(
      'ordering store\n  the ordering guard is off (ORDERING_GUARD=off): nothing is recorded per number\n\n',
    );
    expect(run.stdout).toContain('2 letters of this number');
    expect(run.stdout).toMatch(
      /\n\nlogs\n {2}no number_key without the key: the ordering guard is off \(ORDERING_GUARD=off\), so the function logs none\n$/,
    );
    // With the key the function logs a number_key, the guard on or off.
    const keyed = await runCli([PHONE, '--dlq', pair.deadLetter.url, '--key-secret', KEY_SECRET], {
      ORDERING_GUARD: 'off',
    });
    expect(keyed.code, keyed.stderr).toBe(0);
    expect(keyed.stdout).toContain(`logs: number_key ${numberKeyOf(hashOf(PHONE))}`);
  });

  it('prints usage, and turns misuse into one line and exit 2, the number masked', async () => {
    const [help, none, bad, twice] = await Promise.all([
      runCli(['--help']),
      runCli([]),
      runCli([PHONE, '--since', '1y']),
      runCli([PHONE, OTHER]),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run -s trace -- <phone_number> \[options\]$/m);
    expect(help.stdout).not.toMatch(/npm run trace/);
    for (const flag of ['--logs', '--since', '--json', '--stack', '--dlq', '--table', '--key-secret', '--log-group'])
      expect(help.stdout).toContain(`  ${flag} `);
    for (const [run, message] of [
      [none, 'trace: a phone number is needed: npm run -s trace -- <phone_number> (see --help)'],
      [bad, 'trace: --since must be a duration such as 15m, 24h or 7d (at most 366d), not "1y"'],
      [twice, 'trace: unexpected argument "********202" (see --help)'],
    ] as const) {
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(`${message}\n`);
    }
  });

  it('checks its letters against the names the function gives them', () => {
    for (const name of [
      'ErrorCode',
      'ErrorKind',
      'ErrorMessage',
      'SourceMessageId',
      'ReceiveCount',
      'FailedAt',
      'UpdateReference',
    ])
      expect(REASON_ATTRIBUTES).toContain(name);
  });
});

// ---------------------------------------------------------------- against moto_server

/** moto_server, in this machine image's Python; CI must have it. */
const MOTO = spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status === 0 || process.env.CI === 'true';
const MOTO_STACK = 'TraceMoto';
const MOTO_TABLE = `${MOTO_STACK}-ordering`;
const MOTO_LOG_GROUP = `/aws/lambda/${MOTO_STACK}-function`;
/** The moto stack's function normalises `national`, code 48: it keys PHONE by this. */
const NATIONAL_FORM = PHONE.slice(2);
const TYPED = '+48 700 000 201';
/** A stack with the guard off: no table, no key. */
const OFF_STACK = 'TraceMotoOff';

/**
 * A stack with the outputs the real one has (infra/stack-outputs.ts), its function normalising
 * `national`; moto knows no Secrets Manager resource, so the key's ARN comes in as a parameter.
 */
const template = {
  Parameters: { KeySecretArn: { Type: 'String' } },
  Resources: {
    Table: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        TableName: MOTO_TABLE,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: ORDERING_TABLE.partitionKey, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: ORDERING_TABLE.partitionKey, KeyType: 'HASH' }],
      },
    },
    Logs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: MOTO_LOG_GROUP } },
    DeadLetters: { Type: 'AWS::SQS::Queue', Properties: { QueueName: `${MOTO_STACK}-updates-dlq` } },
  },
  Outputs: {
    [STACK_OUTPUTS.orderingTable]: { Value: { Ref: 'Table' } },
    [STACK_OUTPUTS.orderingKey]: { Value: { Ref: 'KeySecretArn' } },
    [STACK_OUTPUTS.logGroup]: { Value: { Ref: 'Logs' } },
    [STACK_OUTPUTS.phoneNormalisation]: { Value: 'national' },
    [STACK_OUTPUTS.phoneCountryCode]: { Value: '48' },
  },
};

/** As the real stack with orderingGuard off and a budget per container: the log group and the rule only. */
const guardOffTemplate = {
  Resources: {
    Logs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: `/aws/lambda/${OFF_STACK}-function` } },
    DeadLetters: { Type: 'AWS::SQS::Queue', Properties: { QueueName: `${OFF_STACK}-updates-dlq` } },
  },
  Outputs: {
    [STACK_OUTPUTS.logGroup]: { Value: { Ref: 'Logs' } },
    [STACK_OUTPUTS.phoneNormalisation]: { Value: 'as-is' },
    [STACK_OUTPUTS.phoneCountryCode]: { Value: '48' },
  },
};

/** The function's log lines of an outcome, as Powertools writes them, each with its number_key. */
const logLine = (phone: string, at: number, outcome: string) =>
  JSON.stringify({
    level: 'INFO',
    message: 'status updated',
    timestamp: new Date(at).toISOString(),
    service: 'thulium-outbound-status',
    outcome,
    face: 'queue',
    correlation_id: `correlation-${at}`,
    phone_number: `********${phone.slice(-3)}`,
    status_id: '3',
    number_key: numberKeyOf(hashOf(phone)),
  });

describe.skipIf(!MOTO)(
  `against moto_server${MOTO ? '' : ' (skipped: no moto_server here; pip install "moto[server]" in Python 3.11; CI runs it)'}`,
  () => {
    let moto: ChildProcess;
    let endpoint: string;

    beforeAll(async () => {
      const port = await freePort();
      endpoint = `http://127.0.0.1:${port}`;
      moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
      await until(() =>
        fetch(`${endpoint}/moto-api/`).then(
          (response) => response.ok,
          () => false,
        ),
      );
      const config = { endpoint, region: REGION, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } };
      const secrets = new SecretsManagerClient(config);
      const { ARN } = await secrets.send(new CreateSecretCommand({ Name: 'trace-moto-key', SecretString: KEY }));
      const cloudformation = new CloudFormationClient(config);
      await cloudformation.send(
        new CreateStackCommand({
          StackName: MOTO_STACK,
          TemplateBody: JSON.stringify(template),
          Parameters: [{ ParameterKey: 'KeySecretArn', ParameterValue: ARN }],
        }),
      );
      await cloudformation.send(
        new CreateStackCommand({ StackName: OFF_STACK, TemplateBody: JSON.stringify(guardOffTemplate) }),
      );
      const dynamodb = new DynamoDBClient(config);
      await dynamodb.send(
        new PutItemCommand({
          TableName: MOTO_TABLE,
          Item: {
            [ORDERING_TABLE.partitionKey]: { S: hashOf(NATIONAL_FORM) },
            [APPLIED.version]: { N: String(VERSION) },
            [APPLIED.statusId]: { S: '8' },
            [APPLIED.face]: { S: 'http' },
          },
        }),
      );
      const queue = new SQSClient({ ...config, useQueueUrlAsEndpoint: false });
      const { QueueUrl } = await queue.send(new GetQueueUrlCommand({ QueueName: `${MOTO_STACK}-updates-dlq` }));
      await queue.send(
        new SendMessageCommand({
          QueueUrl,
          MessageBody: body(`+${PHONE}`, '77'),
          MessageAttributes: { ErrorCode: text('THULIUM_REFUSED'), UpdateReference: text('crm-moto') },
        }),
      );
      const logs = new CloudWatchLogsClient(config);
      await logs.send(new CreateLogStreamCommand({ logGroupName: MOTO_LOG_GROUP, logStreamName: 'stream' }));
      const now = Date.now();
      await logs.send(
        new PutLogEventsCommand({
          logGroupName: MOTO_LOG_GROUP,
          logStreamName: 'stream',
          logEvents: [
            { timestamp: now - 120_000, message: logLine(NATIONAL_FORM, now - 120_000, 'superseded') },
            { timestamp: now - 60_000, message: logLine(NATIONAL_FORM, now - 60_000, 'updated') },
          ],
        }),
      );
      for (const client of [secrets, cloudformation, dynamodb, queue, logs]) client.destroy();
    }, 60_000);

    afterAll(() => {
      moto?.kill();
    });

    /** Every service at moto, by the one variable that points them all; the rule as the stack says. */
    const onMoto = (env: Record<string, string> = {}) => ({
      AWS_ENDPOINT_URL: endpoint,
      AWS_ENDPOINT_URL_SQS: '',
      AWS_ENDPOINT_URL_DYNAMODB: '',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: '',
      AWS_ENDPOINT_URL_CLOUDFORMATION: '',
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: '',
      PHONE_NORMALISATION: '',
      PHONE_COUNTRY_CODE: '',
      ...env,
    });

    it("finds the table, the key, the log group and the normalisation from the stack's outputs, the DLQ by the stack's names", async () => {
      const run = await runCli([TYPED, '--stack', MOTO_STACK], onMoto());
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(fullPhones(run.stdout + run.stderr)).toEqual([]);
      expect(run.stdout).toMatch(
        /^number \+\*\* \*{3} \*{3} 201, looked up as \*{6}201 \(PHONE_NORMALISATION national, country code 48; from the stack's outputs\)\n\n/,
      );
      expect(run.stdout).toContain(`ordering store (table ${MOTO_TABLE})\n  status applied  8`);
      expect(run.stdout).toContain('  through         the http face');
      expect(run.stdout).toContain(`dead-letter queue (${MOTO_STACK}-updates-dlq): 1 letter of this number`);
      expect(run.stdout).toContain('    reference crm-moto');
      expect(run.stdout).toContain(
        `logs: number_key ${numberKeyOf(hashOf(NATIONAL_FORM))}, log group ${MOTO_LOG_GROUP}`,
      );
      expect(run.stdout).toContain(`aws logs start-query --log-group-name '${MOTO_LOG_GROUP}'`);
    });

    it('the normalisation given wins over the stack’s: the variable, and the flag over it', async () => {
      const byVariable = await runCli(
        [TYPED, '--stack', MOTO_STACK, '--json'],
        onMoto({ PHONE_NORMALISATION: 'as-is' }),
      );
      expect(byVariable.code, byVariable.stderr).toBe(0);
      expect(JSON.parse(byVariable.stdout)).toMatchObject({
        lookedUpAs: '+** *** *** 201',
        normalisation: 'as-is',
        normalisationFrom: 'environment',
        store: { table: MOTO_TABLE, item: null },
        deadLetters: { letters: [] },
      });
      const byFlag = await runCli(
        [TYPED, '--stack', MOTO_STACK, '--json', '--normalisation', 'national'],
        onMoto({ PHONE_NORMALISATION: 'as-is', PHONE_COUNTRY_CODE: '49' }),
      );
      // National with the variable's code 49 keeps "+48…": not the number the stack's function keys.
      expect(JSON.parse(byFlag.stdout)).toMatchObject({
        lookedUpAs: '+********201',
        normalisationFrom: 'flag',
        countryCode: '49',
        countryCodeFrom: 'environment',
        store: { item: null },
      });
      const codeFromStack = await runCli(
        [TYPED, '--stack', MOTO_STACK, '--json', '--normalisation', 'national'],
        onMoto({ PHONE_NORMALISATION: 'as-is' }),
      );
      expect(JSON.parse(codeFromStack.stdout)).toMatchObject({
        lookedUpAs: '******201',
        countryCodeFrom: 'stack',
        store: { item: { statusId: '8' } },
      });
      for (const run of [byVariable, byFlag, codeFromStack]) expect(run.stdout).not.toContain('"warning"');
    });

    it('a stack with its guard off (no key output): notes, not failures, and exit 0', async () => {
      const run = await runCli([PHONE, '--stack', OFF_STACK, '--logs'], onMoto());
      expect(run.code, run.stdout + run.stderr).toBe(0);
      const off = `the ordering guard is off (stack "${OFF_STACK}" has no output ${STACK_OUTPUTS.orderingKey})`;
      expect(run.stdout).toMatch(/\(PHONE_NORMALISATION as-is; from the stack's outputs\)\n\n/);
      expect(run.stdout).toContain(`ordering store\n  ${off}: nothing is recorded per number\n\n`);
      expect(run.stdout).toContain(`dead-letter queue (${OFF_STACK}-updates-dlq): no letters of this number`);
      expect(run.stdout).toContain(`\n\nlogs\n  no number_key without the key: ${off}, so the function logs none\n`);
      expect(run.stderr).not.toMatch(/could not read/);
    });

    it('--logs runs the query in Logs Insights and prints what it found', async () => {
      const run = await runCli([TYPED, '--stack', MOTO_STACK, '--logs', '--since', '15m', '--json'], onMoto());
      expect(run.code, run.stdout + run.stderr).toBe(0);
      const { logs } = JSON.parse(run.stdout);
      expect(logs.since).toBe('15m');
      // moto runs a query's fields, sort and limit, not its filter: what is checked here is that the
      // query Insights got is the number's, and that its results come back as rows with their times.
      const client = new CloudWatchLogsClient({
        endpoint,
        region: REGION,
        credentials: { accessKeyId: 'm', secretAccessKey: 'm' },
      });
      const { queries = [] } = await client.send(new DescribeQueriesCommand({ logGroupName: MOTO_LOG_GROUP }));
      client.destroy();
      expect(queries.map((query) => query.queryString)).toContain(logs.query);
      expect(logs.query).toContain(`| filter number_key = "${numberKeyOf(hashOf(NATIONAL_FORM))}"`);
      expect(logs.results.length).toBeGreaterThanOrEqual(2);
      const times = logs.results.map((row: Record<string, string>) => row['@timestamp']);
      for (const time of times) expect(time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(times).toEqual([...times].sort().reverse());

      const printed = await runCli([TYPED, '--stack', MOTO_STACK, '--logs'], onMoto());
      expect(printed.code).toBe(0);
      expect(printed.stdout).toMatch(/^ {2}\d+ log lines, newest first:\n {2}\d{4}-\d\d-\d\dT[\d:.]+Z {2}/m);
    });
  },
);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
