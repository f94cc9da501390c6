import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  StartMessageMoveTaskCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  sqsDeadLetterQueue,
  UPDATE_VERSION_ATTRIBUTE,
} from '../../functions/outbound-status/adapters/dead-letter-queue.ts';
import { parseQueueBody } from '../../functions/outbound-status/faces/envelopes.ts';
import {
  InvalidRequestError,
  ThuliumRefusedError,
  ThuliumUnavailableError,
  type OutboundStatusError,
} from '../../functions/outbound-status/core/errors.ts';
import type { SqsCalls } from '../../functions/outbound-status/adapters/sqs-calls.ts';
import { DEFAULT_STACK } from '../../ops/dlq/queue-names.ts';
import { body, sqsEvent } from '../support/aws-events.ts';
import { expose, guard } from '../support/leaks.ts';
import { SqsEmulator, type QueuePair } from '../support/sqs-emulator.ts';
import { startMoveTaskFront, type MoveTaskFront } from '../support/sqs-move-tasks.ts';

/**
 * `npm run dlq` as an operator runs it: a child process on Node 24, the AWS SDK pointed at fauxqs
 * (behind the move-task front) by environment only. The DLQ is filled by the function's own
 * dead-letter code, so every message has exactly the attributes a deployed function gives it.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const REGION = 'eu-central-1';
const REASON_ATTRIBUTES = [
  'ErrorCode',
  'ErrorKind',
  'ErrorMessage',
  'ThuliumRequestId',
  'SourceMessageId',
  'SourceQueueArn',
  'ReceiveCount',
  'FailedAt',
];
/** What the fixture's record carries from its sender, and the function keeps beside the reason. */
const SENDER_ATTRIBUTES = ['Attribute1', 'Attribute2', 'Attribute3'];

const phone = (n: number) => String(48_700_000_000 + n);
guard({ phones: Array.from({ length: 1_000 }, (_, n) => phone(n)) });
const cliOutput = expose<string[]>([]);

let emulator: SqsEmulator;
let front: MoveTaskFront;
let queueCount = 0;

beforeAll(async () => {
  emulator = await SqsEmulator.start();
  front = await startMoveTaskFront(emulator.endpoint);
});

afterAll(async () => {
  await front?.close();
  await emulator?.close();
});

// ---------------------------------------------------------------- seeding, as the function does it

interface Seed {
  body: string;
  /** Omitted: a message SQS's redrive policy moved, without a reason. */
  reason?: OutboundStatusError;
  group?: string;
  /** The update's version (epoch ms) the function passes with the reason; omitted: none, as before versions. */
  version?: number;
}

const calls = (): SqsCalls => ({
  sendMessage: async (input) => void (await emulator.client.send(new SendMessageCommand(input))),
  changeMessageVisibility: async () => {},
});

/** The function's own classification of a bad body. */
function rejection(text: string): InvalidRequestError {
  try {
    parseQueueBody(text, 4_096);
  } catch (error) {
    if (error instanceof InvalidRequestError) return error;
  }
  throw new Error(`the function accepts ${text}`);
}

const refused = () =>
  new ThuliumRefusedError(422, [{ message: 'No outbound records for this number', code: 404 }], 'thulium-request-7');
const unavailable = () =>
  new ThuliumUnavailableError('Thulium answered HTTP 503 after 3 attempts', {
    retryAfterSeconds: 0,
    rateLimited: false,
  });

async function queues(fifo = false, name = `dlq-cli-${++queueCount}`): Promise<QueuePair> {
  return emulator.createQueues({ name, fifo, maxReceiveCount: 1_000, visibilityTimeoutSeconds: 30 });
}

async function seed(pair: QueuePair, seeds: Seed[]): Promise<void> {
  const deadLetters = sqsDeadLetterQueue(calls(), pair.deadLetter.url);
  const fifo = pair.url.endsWith('.fifo');
  for (const [i, s] of seeds.entries()) {
    const [record] = sqsEvent([{ body: s.body, receiveCount: 1, messageGroupId: s.group }], 'updates').Records;
    if (s.reason !== undefined) {
      await deadLetters.send(record, s.reason, { versionAt: s.version });
    } else {
      await emulator.client.send(
        new SendMessageCommand({
          QueueUrl: pair.deadLetter.url,
          MessageBody: s.body,
          MessageAttributes: { Attribute1: { DataType: 'String', StringValue: 'AttributeValue1' } },
          ...(fifo && { MessageGroupId: s.group ?? 'g', MessageDeduplicationId: `unrecorded-${i}` }),
        }),
      );
    }
  }
}

/** Many dead letters of one reason at once, shaped as the function sends them. */
async function seedMany(pair: QueuePair, count: number, reason: OutboundStatusError, from: number): Promise<string[]> {
  const bodies = Array.from({ length: count }, (_, n) => body(phone(from + n), '3'));
  const sent: SendMessageCommand['input'][] = [];
  const capture: SqsCalls = {
    sendMessage: async (input) => void sent.push(input),
    changeMessageVisibility: async () => {},
  };
  const deadLetters = sqsDeadLetterQueue(capture, pair.deadLetter.url);
  for (const text of bodies) await deadLetters.send(sqsEvent([{ body: text }], 'updates').Records[0], reason);
  for (let i = 0; i < sent.length; i += 10) {
    await emulator.client.send(
      new SendMessageBatchCommand({
        QueueUrl: pair.deadLetter.url,
        Entries: sent
          .slice(i, i + 10)
          .map(({ QueueUrl: _, ...entry }, n) => ({ Id: String(n), ...entry, MessageBody: entry.MessageBody! })),
      }),
    );
  }
  return bodies;
}

const snsWrapped = (payload: string) =>
  JSON.stringify({
    Type: 'Notification',
    MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
    TopicArn: 'arn:aws:sns:eu-central-1:123456789012:status-updates',
    Message: payload,
    Timestamp: '2026-11-27T10:00:00.000Z',
    SignatureVersion: '1',
    Signature: 'EXAMPLE',
    SigningCertURL: 'https://sns.eu-central-1.amazonaws.com/SimpleNotificationService-0000.pem',
    UnsubscribeURL: 'https://sns.eu-central-1.amazonaws.com/?Action=Unsubscribe',
  });

/** A version as the function gives it, and as the UpdateVersion attribute carries it. */
const VERSION_TEXT = '2026-12-01T09:00:00.123Z';
const VERSION = Date.parse(VERSION_TEXT);

const eventBridgeWrapped = (detail: object) =>
  JSON.stringify({
    version: '0',
    id: '6a7e8feb',
    'detail-type': 'StatusUpdate',
    source: 'crm.updates',
    account: '123456789012',
    time: '2026-11-27T10:00:00Z',
    region: REGION,
    resources: [],
    detail,
  });

/** One of each shape and reason: plain, SNS- and EventBridge-wrapped, unparseable, and one SQS moved without a reason. */
const MIXED: Seed[] = [
  { body: body(phone(1), 'three'), reason: rejection(body(phone(1), 'three')) },
  { body: JSON.stringify({ phone_number: phone(2) }), reason: rejection(JSON.stringify({ phone_number: phone(2) })) },
  { body: `phone ${phone(3)} status 3`, reason: rejection(`phone ${phone(3)} status 3`) },
  { body: snsWrapped(body(phone(4), '3')), reason: refused() },
  { body: body(phone(5), '3'), reason: unavailable() },
  { body: eventBridgeWrapped({ phone_number: phone(6), status_id: '8' }), reason: unavailable() },
  { body: body(phone(7), '12') },
];

// ---------------------------------------------------------------- the CLI as a child process

interface Run {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !name.startsWith('AWS_') && name !== 'DLQ_URL' && name !== 'QUEUE_URL',
    ),
  );
  return {
    ...env,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'AKIDDLQCLI',
    AWS_SECRET_ACCESS_KEY: 'dlq-cli-secret',
    AWS_ENDPOINT_URL_SQS: front.endpoint,
    // Never the machine's own AWS setup: no profile files, no instance metadata.
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

/** The CLI started; `until` resolves with the first stderr match, `done` with the whole run. */
function startCli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['ops/dlq.ts', ...args], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: Run = { stdout: '', stderr: '', code: null, signal: null };
  const watchers: { pattern: RegExp; resolve: (match: RegExpMatchArray) => void }[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (run.stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    run.stderr += chunk;
    for (const watcher of [...watchers]) {
      const match = run.stderr.match(watcher.pattern);
      if (match) {
        watchers.splice(watchers.indexOf(watcher), 1);
        watcher.resolve(match);
      }
    }
  });
  const done = new Promise<Run>((resolve) =>
    child.on('close', (code, signal) => {
      Object.assign(run, { code, signal });
      cliOutput.push(run.stdout, run.stderr);
      resolve(run);
    }),
  );
  const until = (pattern: RegExp) => new Promise<RegExpMatchArray>((resolve) => watchers.push({ pattern, resolve }));
  return { child, done, until };
}

const runCli = (args: string[], env: Record<string, string> = {}) => startCli(args, env).done;
const onQueues = (pair: QueuePair) => ['--dlq', pair.deadLetter.url, '--queue', pair.url];

const bodiesOf = (messages: Message[]) => messages.map((m) => m.Body!).sort();
const visibleBodies = async (url: string) => bodiesOf(await emulator.peek(url));
const attributeNames = (message: Message) => Object.keys(message.MessageAttributes ?? {}).sort();
const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));

/** Any full phone number of this file's in a text: the leak guard checks again after the file. */
const fullPhones = (text: string) => [...text.matchAll(/487\d{8}/g)].map((m) => m[0]);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- the tests

describe.concurrent('npm run dlq', () => {
  it('prints usage, and turns bad flags, unknown reasons and missing queues into one line and a non-zero exit', async () => {
    const pair = await queues();
    const [help, badFlag, unknownCommand, unknownReason, misplaced, noQueue, noStack, noCredentials] =
      await Promise.all([
        runCli(['--help']),
        runCli(['list', '--aply']),
        runCli(['move']),
        runCli(['redrive', '--reason', 'THULIUM_UNAVAILABLE,NOT_A_CODE', ...onQueues(pair)]),
        runCli(['list', '--apply', ...onQueues(pair)]),
        runCli(['list', '--dlq', pair.deadLetter.url.replace(/[^/]+$/, 'no-such-queue')]),
        runCli(['list', '--stack', 'NoSuchStack']),
        runCli(['list', ...onQueues(pair)], { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' }),
      ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run dlq -- <command>/m);
    for (const command of ['list', 'redrive', 'discard', 'status', 'cancel'])
      expect(help.stdout).toContain(`  ${command} `);

    const oneLine = (run: Run, code: number, pattern: RegExp) => {
      expect(run.code, run.stderr).toBe(code);
      expect(run.stdout).toBe('');
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(pattern);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    };
    oneLine(badFlag, 2, /^dlq: Unknown option '--aply'/);
    oneLine(unknownCommand, 2, /unknown command "move"/);
    oneLine(unknownReason, 2, /unknown reason NOT_A_CODE; known reasons: .*VALIDATION_FAILED.*UNRECORDED/);
    oneLine(misplaced, 2, /list does not take --apply/);
    oneLine(noQueue, 1, /DLQ not found: .*no-such-queue/);
    oneLine(
      noStack,
      1,
      /no DLQ for stack "NoSuchStack": neither NoSuchStack-updates-dlq nor NoSuchStack-updates-dlq\.fifo exists/,
    );
    oneLine(noCredentials, 1, /no AWS credentials found/);
  });

  it('defaults to the stack name infra deploys, and finds a stack’s queues by name, FIFO too', async () => {
    const source = readFileSync(new URL('../../infra/create-app.ts', import.meta.url), 'utf8');
    expect(source).toContain(`DEFAULT_STACK_NAME = '${DEFAULT_STACK}'`);

    const standard = await queues(false, `Stack${++queueCount}-updates`);
    const fifo = await queues(true, `Stack${++queueCount}-updates`);
    await seed(standard, [MIXED[4]]);
    await seed(fifo, [{ ...MIXED[4], group: phone(5) }]);
    const stackOf = (pair: QueuePair) =>
      pair.deadLetter.url
        .split('/')
        .pop()!
        .replace(/-updates-dlq(\.fifo)?$/, '');
    const [onStandard, onFifo, dlqOnly] = await Promise.all([
      runCli(['status', '--stack', stackOf(standard)]),
      runCli(['status', '--stack', stackOf(fifo)]),
      runCli(['status'], { DLQ_URL: fifo.deadLetter.url }),
    ]);
    expect(onStandard.stdout).toMatch(new RegExp(`^${stackOf(standard)}-updates-dlq: ~1 visible`, 'm'));
    expect(onStandard.stdout).toMatch(new RegExp(`^${stackOf(standard)}-updates: ~0 visible`, 'm'));
    expect(onFifo.stdout).toMatch(new RegExp(`^${stackOf(fifo)}-updates-dlq\\.fifo: ~1 visible`, 'm'));
    // Given only the DLQ, the main queue comes from the stack's naming.
    expect(dlqOnly.stdout).toMatch(new RegExp(`^${stackOf(fifo)}-updates\\.fifo: ~0 visible`, 'm'));
    expect(dlqOnly.stdout).toContain('no move tasks on the DLQ');
  });

  it('lists every message by reason, with counts, masked phone numbers and the reason attributes, and consumes nothing', async () => {
    const pair = await queues();
    await seed(pair, MIXED);
    const run = await runCli(['list', ...onQueues(pair)]);
    expect(run.code, run.stderr).toBe(0);
    const out = run.stdout;
    expect(fullPhones(out + run.stderr)).toEqual([]);

    const group = (reason: string) => out.slice(out.indexOf(`${reason}  `)).split('\n\n')[0];
    expect(group('VALIDATION_FAILED')).toMatch(
      /^VALIDATION_FAILED {2}2 messages {2}invalid-request: fails again as sent/,
    );
    expect(group('THULIUM_UNAVAILABLE')).toMatch(/^THULIUM_UNAVAILABLE {2}2 messages {2}transient/);
    expect(group('THULIUM_REFUSED')).toMatch(/^THULIUM_REFUSED {2}1 message {2}refused: Thulium refuses it as sent/);
    expect(group('MALFORMED_JSON')).toMatch(/^MALFORMED_JSON {2}1 message/);
    expect(group('UNRECORDED')).toMatch(
      /^UNRECORDED {2}1 message {2}moved by SQS's redrive policy, no reason recorded/,
    );

    // Per message: failed at, receive count, masked phone, status, kind, message, id.
    expect(group('THULIUM_UNAVAILABLE')).toMatch(
      /^ {2}\d{4}-\d\d-\d\dT[\d:.]+Z {2}receives 1 {2}phone \*{8}005 {2}status 3 {2}version - {2}id [0-9a-f-]{36}$/m,
    );
    expect(group('THULIUM_UNAVAILABLE')).toMatch(/phone \*{8}006 {2}status 8 {2}version - {2}via eventbridge/);
    expect(group('THULIUM_UNAVAILABLE')).toContain('    transient: Thulium answered HTTP 503 after 3 attempts');
    expect(group('THULIUM_REFUSED')).toMatch(/phone \*{8}004 {2}status 3 {2}version - {2}via sns/);
    expect(group('THULIUM_REFUSED')).toContain('Thulium request id thulium-request-7');
    expect(group('VALIDATION_FAILED')).toMatch(/phone \*{8}001 {2}status three/);
    expect(group('VALIDATION_FAILED')).toMatch(/phone \*{8}002 {2}status -/);
    expect(group('MALFORMED_JSON')).toContain('body (not an update): "phone ********003 status 3"');
    expect(group('UNRECORDED')).toMatch(/failed at - {2}receives - {2}phone \*{8}007 {2}status 12/);
    expect(out).toMatch(/: ~7 visible, 0 in flight, 0 delayed when read; 7 read$/m);

    const depth = await emulator.depth(pair.deadLetter.url);
    expect(depth).toEqual({ visible: 7, inFlight: 0, delayed: 0 });
    expect(
      (await emulator.peek(pair.deadLetter.url)).map((m) => Number(m.Attributes?.ApproximateReceiveCount)),
    ).toEqual(Array(7).fill(2));
  });

  it('--json: one masked object per message; --reason and --limit narrow it', async () => {
    // A queue each: two readers of one queue would hide messages from each other.
    const pairs = await Promise.all([queues(), queues(), queues()]);
    for (const pair of pairs) await seed(pair, MIXED);
    const [all, unavailableOnly, limited] = await Promise.all([
      runCli(['list', '--json', ...onQueues(pairs[0])]),
      runCli(['list', '--json', '--reason', 'thulium_unavailable', ...onQueues(pairs[1])]),
      runCli(['list', '--json', '--limit', '3', ...onQueues(pairs[2])]),
    ]);
    expect(fullPhones(all.stdout + unavailableOnly.stdout + limited.stdout)).toEqual([]);
    const objects = jsonLines(all.stdout);
    expect(objects).toHaveLength(7);
    expect(objects.map((o) => o.reason).sort()).toEqual([
      'MALFORMED_JSON',
      'THULIUM_REFUSED',
      'THULIUM_UNAVAILABLE',
      'THULIUM_UNAVAILABLE',
      'UNRECORDED',
      'VALIDATION_FAILED',
      'VALIDATION_FAILED',
    ]);
    const sns = objects.find((o) => o.envelope === 'sns');
    expect(sns).toMatchObject({
      reason: 'THULIUM_REFUSED',
      kind: 'refused',
      phone: '********004',
      statusId: '3',
      receiveCount: '1',
      thuliumRequestId: 'thulium-request-7',
    });
    expect(sns.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sns.failedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(objects.find((o) => o.reason === 'MALFORMED_JSON')).toMatchObject({
      envelope: 'unreadable',
      bodyPreview: 'phone ********003 status 3',
    });
    expect(objects.find((o) => o.reason === 'UNRECORDED')).not.toHaveProperty('kind');
    for (const object of objects) expect(object).not.toHaveProperty('updateVersion');
    expect(all.stderr).toMatch(/~7 visible, 0 in flight/);

    expect(
      jsonLines(unavailableOnly.stdout)
        .map((o) => o.phone)
        .sort(),
    ).toEqual(['********005', '********006']);
    expect(jsonLines(limited.stdout)).toHaveLength(3);
    expect(limited.stderr).toContain('stopped at --limit 3');
    for (const pair of pairs)
      expect(await emulator.depth(pair.deadLetter.url)).toEqual({ visible: 7, inFlight: 0, delayed: 0 });
  });

  it('FIFO: says how many messages the listing could not reach behind the first of their group', async () => {
    const pair = await queues(true);
    await seed(pair, [
      { ...MIXED[4], group: phone(5) },
      { body: body(phone(5), '8'), reason: unavailable(), group: phone(5) },
      { body: body(phone(5), '12'), reason: refused(), group: phone(5) },
      { ...MIXED[0], group: phone(1) },
    ]);
    const run = await runCli(['list', ...onQueues(pair)]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/~4 visible, 0 in flight, 0 delayed when read; 2 read/);
    expect(run.stdout).toContain(
      "~2 not read: a FIFO message group's later messages cannot be received while its first one is held",
    );
    expect(run.stdout).toMatch(/group \*{8}005/);
    expect(fullPhones(run.stdout)).toEqual([]);
    expect(await emulator.depth(pair.deadLetter.url)).toEqual({ visible: 4, inFlight: 0, delayed: 0 });
  });

  it('dry runs move and delete nothing, count what would go, and warn of reasons that fail again', async () => {
    const pairs = await Promise.all([queues(), queues(), queues()]);
    for (const pair of pairs) await seed(pair, MIXED);
    const [everything, chosen, discard] = await Promise.all([
      runCli(['redrive', ...onQueues(pairs[0])]),
      runCli(['redrive', '--reason', 'THULIUM_UNAVAILABLE,UNRECORDED', ...onQueues(pairs[1])]),
      runCli(['discard', '--reason', 'VALIDATION_FAILED', ...onQueues(pairs[2])]),
    ]);
    expect(everything.code, everything.stderr).toBe(0);
    expect(everything.stdout).toMatch(
      /^dry run: nothing was moved\.\n7 messages would be moved from dlq-cli-\d+-dlq to dlq-cli-\d+:/,
    );
    expect(everything.stdout).toMatch(/^ {2}VALIDATION_FAILED +2 {2}⚠ invalid-request: fails again as sent/m);
    expect(everything.stdout).toMatch(/^ {2}THULIUM_REFUSED +1 {2}⚠ refused: Thulium refuses it as sent/m);
    expect(everything.stdout).toMatch(/^ {2}THULIUM_UNAVAILABLE +2$/m);
    expect(everything.stdout).toContain(
      'with --apply: an SQS message move task moves every message in the DLQ (~7 now',
    );
    expect(chosen.stdout).toMatch(/3 messages with reason THULIUM_UNAVAILABLE or UNRECORDED would be moved/);
    expect(chosen.stdout).not.toContain('VALIDATION_FAILED');
    expect(discard.stdout).toMatch(
      /^dry run: nothing was deleted\.\n2 messages with reason VALIDATION_FAILED would be deleted from/,
    );

    for (const pair of pairs) {
      expect(await emulator.depth(pair.deadLetter.url)).toEqual({ visible: 7, inFlight: 0, delayed: 0 });
      expect(await emulator.depth(pair.url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
      expect(front.tasks.filter((task) => task.sourceArn === pair.deadLetter.arn)).toEqual([]);
    }
  });

  it('redrive --reason moves exactly those messages: body unchanged, sender attributes kept, reason attributes gone', async () => {
    const pair = await queues();
    await seed(pair, MIXED);
    const run = await runCli(['redrive', '--reason', 'THULIUM_UNAVAILABLE,UNRECORDED', '--apply', ...onQueues(pair)]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /^moved 3 messages from dlq-cli-\d+-dlq to dlq-cli-\d+:\n {2}THULIUM_UNAVAILABLE +2\n {2}UNRECORDED +1 .*\n4 messages of other reasons left in the DLQ\n$/,
    );
    expect(fullPhones(run.stdout + run.stderr)).toEqual([]);

    const moved = await emulator.peek(pair.url);
    expect(bodiesOf(moved)).toEqual([MIXED[4].body, MIXED[5].body, MIXED[6].body].sort());
    const original = sqsEvent([{ body: '' }]).Records[0].messageAttributes;
    for (const message of moved) {
      for (const name of REASON_ATTRIBUTES) expect(message.MessageAttributes).not.toHaveProperty(name);
    }
    for (const message of moved.filter((m) => m.Body !== MIXED[6].body)) {
      // Seeded without a version: each gets the time it reached the DLQ.
      expect(attributeNames(message)).toEqual([...SENDER_ATTRIBUTES, UPDATE_VERSION_ATTRIBUTE].sort());
      expect(message.MessageAttributes!.Attribute1).toMatchObject({
        DataType: 'String',
        StringValue: original.Attribute1.stringValue,
      });
      expect(message.MessageAttributes!.Attribute2).toMatchObject({
        DataType: 'Number',
        StringValue: original.Attribute2.stringValue,
      });
      expect(Buffer.from(message.MessageAttributes!.Attribute3.BinaryValue!).toString('base64')).toBe(
        original.Attribute3.binaryValue,
      );
    }
    expect(attributeNames(moved.find((m) => m.Body === MIXED[6].body)!)).toEqual([
      'Attribute1',
      UPDATE_VERSION_ATTRIBUTE,
    ]);

    const left = await emulator.peek(pair.deadLetter.url);
    expect(bodiesOf(left)).toEqual([MIXED[0].body, MIXED[1].body, MIXED[2].body, MIXED[3].body].sort());
    for (const message of left)
      expect(attributeNames(message)).toEqual(expect.arrayContaining(['ErrorCode', 'ErrorKind', 'FailedAt']));
  });

  it('the update’s version: list shows it, redrive --reason keeps it, and a message that had none gets its SentTimestamp', async () => {
    const pair = await queues();
    const seeded = Date.now() - 1;
    const versioned = body(phone(60), '3');
    const plain = body(phone(61), '8');
    await seed(pair, [
      { body: versioned, reason: unavailable(), version: VERSION },
      { body: plain, reason: unavailable() },
      { body: body(phone(62), '12') },
    ]);
    const list = await runCli(['list', ...onQueues(pair)]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(
      /^ {2}\S+Z {2}receives 1 {2}phone \*{8}060 {2}status 3 {2}version 2026-12-01T09:00:00\.123Z {2}id [0-9a-f-]{36}$/m,
    );
    expect(list.stdout).toMatch(/phone \*{8}061 {2}status 8 {2}version - {2}id /);
    expect(list.stdout).toMatch(/failed at - {2}receives - {2}phone \*{8}062 {2}status 12 {2}version - {2}id /);

    const json = await runCli(['list', '--json', ...onQueues(pair)]);
    expect(json.code, json.stderr).toBe(0);
    const objects = jsonLines(json.stdout);
    expect(objects.find((o) => o.phone === '********060')).toMatchObject({
      reason: 'THULIUM_UNAVAILABLE',
      updateVersion: VERSION_TEXT,
      receiveCount: '1',
    });
    expect(objects.filter((o) => o.phone !== '********060').map((o) => Object.hasOwn(o, 'updateVersion'))).toEqual([
      false,
      false,
    ]);
    expect(fullPhones(list.stdout + list.stderr + json.stdout + json.stderr)).toEqual([]);

    const run = await runCli(['redrive', '--reason', 'THULIUM_UNAVAILABLE,UNRECORDED', '--apply', ...onQueues(pair)]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^moved 3 messages from /);
    const moved = await emulator.peek(pair.url);
    expect(bodiesOf(moved)).toEqual([versioned, plain, body(phone(62), '12')].sort());
    for (const message of moved) {
      for (const name of REASON_ATTRIBUTES) expect(message.MessageAttributes).not.toHaveProperty(name);
    }
    const withVersion = moved.find((m) => m.Body === versioned)!;
    expect(withVersion.MessageAttributes![UPDATE_VERSION_ATTRIBUTE]).toMatchObject({
      DataType: 'String',
      StringValue: VERSION_TEXT,
    });
    // A dead letter holds at most ten attributes, the reason and the version first: one of the sender's three found no room.
    expect(attributeNames(withVersion).filter((name) => name !== UPDATE_VERSION_ATTRIBUTE)).toEqual([
      expect.any(String),
      expect.any(String),
    ]);
    expect(SENDER_ATTRIBUTES).toEqual(
      expect.arrayContaining(attributeNames(withVersion).filter((name) => name !== UPDATE_VERSION_ATTRIBUTE)),
    );
    // No version of its own (as SQS's redrive policy leaves a message): when it reached the DLQ, which such a move keeps.
    for (const unversioned of [plain, body(phone(62), '12')]) {
      const stamped = moved.find((m) => m.Body === unversioned)!.MessageAttributes![UPDATE_VERSION_ATTRIBUTE]!
        .StringValue!;
      expect(stamped).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Date.parse(stamped)).toBeGreaterThanOrEqual(seeded);
      expect(Date.parse(stamped)).toBeLessThanOrEqual(Date.now());
    }
    expect(attributeNames(moved.find((m) => m.Body === plain)!)).toEqual(
      [...SENDER_ATTRIBUTES, UPDATE_VERSION_ATTRIBUTE].sort(),
    );
    expect(attributeNames(moved.find((m) => m.Body === body(phone(62), '12'))!)).toEqual(
      ['Attribute1', UPDATE_VERSION_ATTRIBUTE].sort(),
    );
    expect(await emulator.depth(pair.deadLetter.url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('FIFO redrive --reason keeps each message’s group and its order, and leaves a group behind a message that stays', async () => {
    const pair = await queues(true);
    await seed(pair, [
      { body: body(phone(10), '3'), reason: unavailable(), group: phone(10) },
      { body: body(phone(10), '8'), reason: unavailable(), group: phone(10) },
      { body: body(phone(10), '12'), reason: unavailable(), group: phone(10) },
      { body: body(phone(11), 'x'), reason: rejection(body(phone(11), 'x')), group: phone(11) },
      { body: body(phone(11), '3'), reason: unavailable(), group: phone(11) },
    ]);
    const run = await runCli(['redrive', '--reason', 'THULIUM_UNAVAILABLE', '--apply', ...onQueues(pair)]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^moved 3 messages/);
    expect(run.stdout).toContain(
      '~1 not reached: each waits behind an earlier message of its FIFO message group that stays in the DLQ',
    );

    const moved = await emulator.drain(pair.url);
    expect(moved.map((m) => [m.Attributes?.MessageGroupId, m.Body])).toEqual([
      [phone(10), body(phone(10), '3')],
      [phone(10), body(phone(10), '8')],
      [phone(10), body(phone(10), '12')],
    ]);
    expect(moved.map((m) => m.Attributes?.MessageDeduplicationId)).toEqual(
      moved.map(() => expect.stringMatching(/^redrive-[0-9a-f-]{36}$/)),
    );
    // A FIFO DLQ's SentTimestamp is when the message reached it, no version: nothing is stamped.
    expect(moved.every((m) => attributeNames(m).join() === SENDER_ATTRIBUTES.join())).toBe(true);
    expect(await emulator.depth(pair.deadLetter.url)).toEqual({ visible: 2, inFlight: 0, delayed: 0 });
  });

  it('redrive --apply without --reason moves everything through an SQS move task, to the main queue at the given rate', async () => {
    const standard = await queues();
    const fifo = await queues(true);
    await seed(standard, MIXED);
    await seed(fifo, [
      { body: body(phone(20), '3'), reason: unavailable(), group: phone(20), version: VERSION },
      { body: body(phone(20), '8'), reason: unavailable(), group: phone(20) },
      { body: body(phone(21), '3'), reason: refused(), group: phone(21) },
    ]);
    const [onStandard, onFifo] = await Promise.all([
      runCli(['redrive', '--apply', '--rate', '50', ...onQueues(standard)]),
      runCli(['redrive', '--apply', ...onQueues(fifo)]),
    ]);
    expect(onStandard.code, onStandard.stderr).toBe(0);
    expect(onStandard.stderr).toMatch(
      /started an SQS move task, dlq-cli-\d+-dlq → dlq-cli-\d+, ~7 messages; Ctrl-C cancels it/,
    );
    expect(onStandard.stdout).toMatch(/^move task completed, dlq-cli-\d+-dlq → dlq-cli-\d+: moved 7 of ~7\n$/);
    const [task] = front.tasks.filter((t) => t.sourceArn === standard.deadLetter.arn);
    expect(task).toMatchObject({
      destinationArn: standard.arn,
      maxNumberOfMessagesPerSecond: 50,
      status: 'COMPLETED',
      moved: 7,
    });
    expect(await visibleBodies(standard.url)).toEqual(bodiesOf(MIXED.map((s) => ({ Body: s.body }))));
    expect(await emulator.depth(standard.deadLetter.url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });

    expect(onFifo.code, onFifo.stderr).toBe(0);
    const moved = await emulator.drain(fifo.url);
    expect(moved.map((m) => [m.Attributes?.MessageGroupId, m.Body]).sort()).toEqual(
      [
        [phone(20), body(phone(20), '3')],
        [phone(20), body(phone(20), '8')],
        [phone(21), body(phone(21), '3')],
      ].sort(),
    );
    expect(moved.filter((m) => m.Attributes?.MessageGroupId === phone(20)).map((m) => m.Body)).toEqual([
      body(phone(20), '3'),
      body(phone(20), '8'),
    ]);
    // A move task moves messages as they are (the front copies them as SQS documents): the version, and the reason too.
    const versioned = moved.find((m) => m.Body === body(phone(20), '3'))!;
    expect(versioned.MessageAttributes).toMatchObject({
      [UPDATE_VERSION_ATTRIBUTE]: { StringValue: VERSION_TEXT },
      ErrorCode: { StringValue: 'THULIUM_UNAVAILABLE' },
    });
    expect(
      moved
        .filter((m) => m !== versioned)
        .map((m) => Object.hasOwn(m.MessageAttributes ?? {}, UPDATE_VERSION_ATTRIBUTE)),
    ).toEqual([false, false]);
  });

  it('on an SQS without move tasks, redrive --apply, status and cancel say so and what to do instead', async () => {
    const pair = await queues();
    await seed(pair, MIXED);
    const direct = { AWS_ENDPOINT_URL_SQS: emulator.endpoint };
    const [status, cancel] = await Promise.all(
      [['status'], ['cancel']].map((command) => runCli([...command, ...onQueues(pair)], direct)),
    );
    // After them: it reads the DLQ, which would hold the messages in flight as status counts them.
    const redrive = await runCli(['redrive', '--apply', ...onQueues(pair)], direct);
    expect(redrive.code).toBe(1);
    // Only the reasons in the DLQ, and of those only what can succeed when sent again.
    expect(redrive.stderr.trimEnd().split('\n').pop()).toMatch(
      /^dlq: this SQS has no message move tasks \(InvalidAction: Unknown action: \w+MessageMoveTasks?\); move the messages of dlq-cli-\d+-dlq by reason instead: redrive --reason THULIUM_UNAVAILABLE,UNRECORDED --apply \(left out, as they fail again when sent unchanged: VALIDATION_FAILED, MALFORMED_JSON, THULIUM_REFUSED\)$/,
    );
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(
      /dlq-cli-\d+-dlq: ~7 visible, 0 in flight, 0 delayed\n.*\nthis SQS has no message move tasks/,
    );
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout).toMatch(/^nothing to cancel: this SQS has no message move tasks/);
    // Reading the DLQ for its reasons consumed nothing, and left nothing hidden.
    expect(await emulator.depth(pair.deadLetter.url)).toEqual({ visible: 7, inFlight: 0, delayed: 0 });
  });

  it('a running move task: redrive refuses a second one, status shows it, cancel stops it', async () => {
    const pair = await queues();
    await seed(
      pair,
      Array.from({ length: 6 }, (_, n) => ({ body: body(phone(30 + n), '3'), reason: unavailable() })),
    );
    const sqs = new SQSClient({
      region: REGION,
      endpoint: front.endpoint,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
    });
    await sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: pair.deadLetter.arn,
        DestinationArn: pair.arn,
        MaxNumberOfMessagesPerSecond: 1,
      }),
    );
    sqs.destroy();
    const [second, status] = await Promise.all([
      runCli(['redrive', '--apply', ...onQueues(pair)]),
      runCli(['status', ...onQueues(pair)]),
    ]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      /dlq: a move task is already RUNNING on dlq-cli-\d+-dlq \(moved \d of ~6\): watch it with "npm run dlq -- status"/,
    );
    expect(status.stdout).toMatch(
      /move tasks, newest first:\n {2}\d{4}-.*Z {2}RUNNING {2}moved \d of ~6 to dlq-cli-\d+, at most 1\/s/,
    );

    const cancel = await runCli(['cancel', ...onQueues(pair)]);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout).toMatch(/CANCELLED {2}moved (\d) of ~6/);
    const moved = Number(/moved (\d) of/.exec(cancel.stdout)![1]);
    expect(moved).toBeLessThan(6);
    expect((await emulator.depth(pair.url)).visible).toBe(moved);
    expect(await emulator.depth(pair.deadLetter.url)).toEqual({ visible: 6 - moved, inFlight: 0, delayed: 0 });
  });

  it('Ctrl-C during a move task cancels it and reports what moved; nothing is lost', async () => {
    const pair = await queues();
    const bodies = await seedMany(pair, 40, unavailable(), 100);
    const cli = startCli(['redrive', '--apply', '--rate', '10', ...onQueues(pair)]);
    await cli.until(/started an SQS move task/);
    await sleep(300);
    cli.child.kill('SIGINT');
    const run = await cli.done;
    expect(run.code, run.stderr).toBe(130);
    expect(run.stderr).toContain('cancelling the move task: what moved stays moved');
    expect(run.stdout).toMatch(
      /^move task cancelled \(Ctrl-C\), dlq-cli-\d+-dlq → dlq-cli-\d+: moved (\d+) of ~40; the rest is still in the DLQ\n$/,
    );
    const [task] = front.tasks.filter((t) => t.sourceArn === pair.deadLetter.arn);
    expect(task.status).toBe('CANCELLED');
    expect(Number(/moved (\d+)/.exec(run.stdout)![1])).toBe(task.moved);
    const [inMain, inDlq] = [await visibleBodies(pair.url), await visibleBodies(pair.deadLetter.url)];
    expect(inMain.length).toBe(task.moved);
    expect([...inMain, ...inDlq].sort()).toEqual([...bodies].sort());
  });

  it('nothing is lost when a redrive by reason is killed partway; a second run finishes the job', async () => {
    const pair = await queues();
    const matching = await seedMany(pair, 300, unavailable(), 200);
    const others = await seedMany(pair, 20, rejection(body(phone(600), 'x')), 600);
    const args = [
      'redrive',
      '--reason',
      'THULIUM_UNAVAILABLE',
      '--apply',
      '--visibility-timeout',
      '2',
      ...onQueues(pair),
    ];
    const cli = startCli([...args, '--rate', '100']);
    const progress = await cli.until(/moved (\d{3}), read/);
    cli.child.kill('SIGKILL');
    const killed = await cli.done;
    expect(killed.signal).toBe('SIGKILL');
    expect(Number(progress[1])).toBeGreaterThanOrEqual(100);

    // What the killed run had in hand is back after its visibility timeout: every body is in one of the queues.
    // (fauxqs ends a visibility timeout on the next receive, so the depth is read after one.)
    await sleep(2_200);
    const inMain = await visibleBodies(pair.url);
    const inDlq = await visibleBodies(pair.deadLetter.url);
    expect((await emulator.depth(pair.deadLetter.url)).inFlight).toBe(0);
    expect(inMain.length).toBeGreaterThanOrEqual(100);
    expect(inMain.length).toBeLessThan(300);
    expect(new Set([...inMain, ...inDlq])).toEqual(new Set([...matching, ...others]));
    // Send, then delete: at most the one message in hand is in both queues.
    expect(inMain.length + inDlq.length - 320).toBeLessThanOrEqual(1);
    expect(inMain.filter((text) => others.includes(text))).toEqual([]);

    const second = await runCli(args);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(
      /^moved \d+ messages from .*\n {2}THULIUM_UNAVAILABLE +\d+\n20 messages of other reasons left in the DLQ\n$/,
    );
    const finalMain = await visibleBodies(pair.url);
    expect(new Set(finalMain)).toEqual(new Set(matching));
    expect(finalMain.length - 300).toBeLessThanOrEqual(1);
    expect(await visibleBodies(pair.deadLetter.url)).toEqual([...others].sort());
    expect(fullPhones(killed.stdout + killed.stderr + second.stdout + second.stderr)).toEqual([]);
  });

  it.each([
    ['standard', false],
    ['FIFO', true],
  ])(
    '%s: killed between the send and the delete, the message is in both queues; the rerun duplicates it at worst, FIFO not even that',
    async (_, fifo) => {
      const pair = await queues(fifo);
      const bodies = [40, 41, 42].map((n) => body(phone(n), '3'));
      await seed(
        pair,
        bodies.map((text, n) => ({ body: text, reason: unavailable(), group: phone(40 + n) })),
      );
      const args = [
        'redrive',
        '--reason',
        'THULIUM_UNAVAILABLE',
        '--apply',
        '--visibility-timeout',
        '1',
        ...onQueues(pair),
      ];
      const cli = startCli(args);
      // SQS has taken the first send; the tool dies before it hears so, let alone deletes.
      const stop = front.onForwarded(async (action, input) => {
        if (action !== 'SendMessage' || input.QueueUrl !== pair.url) return;
        stop();
        cli.child.kill('SIGKILL');
        await cli.done;
      });
      expect((await cli.done).signal).toBe('SIGKILL');
      await sleep(1_200);
      const [sent] = await visibleBodies(pair.url);
      expect(await visibleBodies(pair.url)).toEqual([sent]);
      expect(await visibleBodies(pair.deadLetter.url)).toEqual([...bodies].sort());

      const second = await runCli(args);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toMatch(/^moved 3 messages/);
      const final = bodiesOf(await emulator.drain(pair.url));
      expect(final).toEqual(fifo ? [...bodies].sort() : [...bodies, sent].sort());
      expect(await emulator.depth(pair.deadLetter.url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    },
  );

  it('a send SQS refuses deletes nothing: the run stops with what it did and one line of error', async () => {
    const pair = await queues();
    await emulator.client.send(
      new SetQueueAttributesCommand({ QueueUrl: pair.url, Attributes: { MaximumMessageSize: '1024' } }),
    );
    const small = body(phone(50), '3');
    const large = JSON.stringify({ phone_number: phone(51), status_id: '3', note: 'x'.repeat(2_000) });
    await seed(
      pair,
      [small, large].map((text) => ({ body: text, reason: unavailable() })),
    );
    const run = await runCli(['redrive', '--reason', 'THULIUM_UNAVAILABLE', '--apply', ...onQueues(pair)]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^stopped by the error below\nmoved (0 messages|1 message) from /);
    expect(run.stderr).toMatch(/(^|\n)dlq: InvalidParameterValue: .*Message must be shorter than 1024 bytes\.\n$/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(await visibleBodies(pair.deadLetter.url)).toContain(large);
    expect(await emulator.depth(pair.deadLetter.url)).toMatchObject({ inFlight: 0 });
    expect([...(await visibleBodies(pair.url)), ...(await visibleBodies(pair.deadLetter.url))].sort()).toEqual(
      [small, large].sort(),
    );
  });

  it('Ctrl-C stops a redrive by reason after the message in hand, with a summary, and leaves nothing in flight', async () => {
    const pair = await queues();
    const bodies = await seedMany(pair, 150, unavailable(), 700);
    const cli = startCli(['redrive', '--reason', 'THULIUM_UNAVAILABLE', '--apply', '--rate', '50', ...onQueues(pair)]);
    await cli.until(/moved [1-9]\d, read/);
    cli.child.kill('SIGINT');
    const run = await cli.done;
    expect(run.code, run.stderr).toBe(130);
    expect(run.stderr).toContain('stopping after the message in hand');
    expect(run.stdout).toMatch(
      /^interrupted: stopped after the message in hand\nmoved (\d+) messages? from .*:\n {2}THULIUM_UNAVAILABLE +\1\nthe rest is still in the DLQ: run the same command again to go on\n$/,
    );
    const moved = Number(/moved (\d+)/.exec(run.stdout)![1]);
    expect(moved).toBeGreaterThan(0);
    expect(moved).toBeLessThan(150);
    expect((await emulator.depth(pair.deadLetter.url)).inFlight).toBe(0);
    const [inMain, inDlq] = [await visibleBodies(pair.url), await visibleBodies(pair.deadLetter.url)];
    expect(inMain).toHaveLength(moved);
    expect([...inMain, ...inDlq].sort()).toEqual([...bodies].sort());
  });

  it('discard --reason --apply deletes only those messages and prints each, masked', async () => {
    const pair = await queues();
    await seed(pair, MIXED);
    const run = await runCli(['discard', '--reason', 'VALIDATION_FAILED', '--apply', ...onQueues(pair)]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.match(/^discarded VALIDATION_FAILED$/gm)).toHaveLength(2);
    expect(run.stdout).toMatch(/phone \*{8}001 {2}status three/);
    expect(run.stdout).toMatch(/discarded 2 messages from dlq-cli-\d+-dlq:\n {2}VALIDATION_FAILED +2/);
    expect(fullPhones(run.stdout)).toEqual([]);
    expect(await visibleBodies(pair.deadLetter.url)).toEqual(bodiesOf(MIXED.slice(2).map((s) => ({ Body: s.body }))));
    expect(await emulator.depth(pair.url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });
});
