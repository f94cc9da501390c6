import { describe, expect, it, vi } from 'vitest';
import { consoleLine, eventLine } from '../../dev/local-stack/console-lines.ts';
import { lambdaContext } from '../../dev/aws/lambda-context.ts';
import type { EventEntry } from '../../functions/outbound-status/adapters/event-bridge.ts';
import { SupersededError } from '../../functions/outbound-status/core/errors.ts';
import type { UpdateStatus } from '../../functions/outbound-status/core/update-status.ts';
import { handleHttpRequest, type HttpRequest } from '../../functions/outbound-status/faces/http-face.ts';
import { outcomeEvents } from '../../functions/outbound-status/faces/outcome-events.ts';
import { handleQueueBatch, type QueueDependencies } from '../../functions/outbound-status/faces/queue-face.ts';
import { sqsEvent } from '../support/aws-events.ts';
import { expose, guard } from '../support/leaks.ts';

/**
 * The records are the function's own: each request or message goes through its HTTP or queue face,
 * and the JSON lines its logger writes, and the outcome events it publishes, are what `npm start`
 * turns into console lines.
 */
const PHONE = '111222333';
guard({ phones: [PHONE] });
const shown = expose<string[]>([]);
const MAX_BODY_BYTES = 4_096;
const MAX_RECEIVE_COUNT = 5;

/** The function's JSON log lines (INFO on stdout, WARN and ERROR on stderr) while `run` runs. */
async function logLinesOf(run: () => Promise<unknown>): Promise<string[]> {
  const written: string[] = [];
  const spies = [process.stdout, process.stderr].map((stream) =>
    vi.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
      written.push(String(chunk));
      return true;
    }),
  );
  try {
    await run();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{"level"'));
}

/** The one log line of an outcome, as `npm start` shows it; both kept for the leak scan. */
function shownAsConsoleLine(lines: string[]): string {
  expect(lines).toHaveLength(1);
  const line = consoleLine(lines[0], MAX_RECEIVE_COUNT);
  shown.push(lines[0], line);
  return line;
}

const applied: UpdateStatus = async () => ({ outbound_id: ['00001', '00002'] });
/** The entries the faces published, as EventBridge would have taken them. */
const published: EventEntry[] = [];
const events = outcomeEvents(async (entries) => {
  published.push(...entries);
  return [];
});
const faceDeps = {
  maxBodyBytes: MAX_BODY_BYTES,
  numberKey: async () => '0123456789abcdef',
  events,
  safetyMarginMs: 1_000,
};

async function consoleLineOfHttp(
  body: string,
  request: Partial<HttpRequest> = {},
  updateStatus: UpdateStatus = applied,
): Promise<string> {
  const lines = await logLinesOf(() =>
    handleHttpRequest(
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        isBase64Encoded: false,
        requestId: 'request-1',
        receivedAt: Date.now(),
        ...request,
      },
      { ...faceDeps, updateStatus },
      Date.now() + 10_000,
    ),
  );
  return shownAsConsoleLine(lines);
}

async function consoleLineOfQueue(body: string): Promise<string> {
  const deps: QueueDependencies = {
    ...faceDeps,
    updateStatus: applied,
    deadLetters: { send: async () => {} } as unknown as QueueDependencies['deadLetters'],
    sqs: {
      sendMessage: async () => {},
      changeMessageVisibility: async () => {},
    } as unknown as QueueDependencies['sqs'],
    queue: { concurrency: 1, maxReceiveCount: MAX_RECEIVE_COUNT, visibilityBaseSeconds: 1, visibilityMaxSeconds: 10 },
  };
  const lines = await logLinesOf(() =>
    handleQueueBatch(sqsEvent([{ body }]) as never, deps, Date.now() + 10_000, lambdaContext()),
  );
  return shownAsConsoleLine(lines);
}

/** The console line of each event the faces published while `run` ran, as the loopback EventBridge hands it on. */
async function eventLinesOf(run: () => Promise<unknown>): Promise<string[]> {
  published.length = 0;
  await run();
  const lines = published.map((entry) =>
    eventLine({ 'detail-type': entry.detailType, detail: JSON.parse(entry.detail) }),
  );
  shown.push(...published.map((entry) => entry.detail), ...lines);
  return lines;
}

const TIME = String.raw`\d\d:\d\d:\d\d\.\d{3}`;

describe("npm start's console line for the function's log line", () => {
  it('an update shows its masked number and status', async () => {
    expect(await consoleLineOfHttp(`{"phone_number":"${PHONE}","status_id":"3"}`)).toMatch(
      new RegExp(String.raw`^${TIME} INFO  http  updated         \*{6}333 status 3 \(2 campaigns, \d+ ms\)$`),
    );
  });

  it('a well-formed body that fails validation shows VALIDATION_FAILED and why, not an unreadable body', async () => {
    const lines = [
      await consoleLineOfHttp(`{"phone_number":"${PHONE}","status_id":"abc"}`),
      await consoleLineOfHttp(`{"phone_number":"${PHONE}","status_id":"3","priority":1}`),
      await consoleLineOfQueue(`{"phone_number":"${PHONE}","status_id":"3","priority":1}`),
    ];
    expect(lines[0]).toMatch(
      new RegExp(
        String.raw`^${TIME} WARN  http  answered-error  \(body not a valid update\): VALIDATION_FAILED Invalid request: status_id must be a positive integer, as a JSON number or a string of digits \(\d+ ms\)$`,
      ),
    );
    expect(lines[1]).toMatch(
      /answered-error {2}\(body not a valid update\): VALIDATION_FAILED Invalid request: priority is not an accepted field \(\d+ ms\)$/,
    );
    expect(lines[2]).toMatch(
      new RegExp(
        String.raw`^${TIME} WARN  queue dead-lettered   \(body not a valid update\): VALIDATION_FAILED Invalid request: priority is not an accepted field \(delivery 1 of 5, \d+ ms\)$`,
      ),
    );
    for (const line of lines) expect(line).not.toContain('unreadable');
  });

  it('says "unreadable body" only of a body that could not be read', async () => {
    const unreadable = [
      await consoleLineOfHttp('{"phone_number":'),
      await consoleLineOfHttp('not base64!', { isBase64Encoded: true }),
      await consoleLineOfHttp(`{"phone_number":"${PHONE}","status_id":"3","pad":"${'x'.repeat(MAX_BODY_BYTES)}"}`),
      await consoleLineOfQueue('{"phone_number":'),
    ];
    expect(unreadable.map((line) => /\(unreadable body\): ([A-Z_]+) /.exec(line)?.[1])).toEqual([
      'MALFORMED_JSON',
      'MALFORMED_BODY',
      'PAYLOAD_TOO_LARGE',
      'MALFORMED_JSON',
    ]);
  });

  it('a request refused before its body was looked at says so', async () => {
    expect(await consoleLineOfHttp('{}', { method: 'GET' })).toMatch(
      /answered-error {2}\(body not read\): METHOD_NOT_ALLOWED Method GET is not allowed; use POST \(\d+ ms\)$/,
    );
    expect(await consoleLineOfHttp('{}', { headers: { 'content-type': 'text/plain' } })).toMatch(
      /answered-error {2}\(body not read\): UNSUPPORTED_MEDIA_TYPE Content-Type must be application\/json \(\d+ ms\)$/,
    );
  });

  it('leaves a line that is not one of the function’s JSON log lines as it is', () => {
    expect(consoleLine('{"not":"a log line"}', MAX_RECEIVE_COUNT)).toBe('{"not":"a log line"}');
    expect(consoleLine('{broken', MAX_RECEIVE_COUNT)).toBe('{broken');
  });
});

describe("npm start's console line for an outcome event", () => {
  const update = (more: Record<string, unknown> = {}) =>
    JSON.stringify({ phone_number: PHONE, status_id: '3', ...more });

  it('applied: the masked number and status, the campaigns and the sender’s reference', async () => {
    expect(await eventLinesOf(() => consoleLineOfHttp(update({ reference: 'crm-42' })))).toEqual([
      expect.stringMatching(
        new RegExp(
          String.raw`^${TIME} EVENT http  Status update applied       \*{6}333 status 3 \(campaigns 00001, 00002, ref crm-42\)$`,
        ),
      ),
    ]);
  });

  it('superseded: the newer version that stands', async () => {
    const newer = Date.parse('2026-12-01T09:30:02.000Z');
    const superseded: UpdateStatus = async () => {
      throw new SupersededError(newer - 1_000, newer);
    };
    const [line] = await eventLinesOf(() => consoleLineOfHttp(update(), {}, superseded));
    expect(line).toMatch(
      new RegExp(
        String.raw`^${TIME} EVENT http  Status update superseded    \*{6}333 status 3 \(newer applied: 2026-12-01T09:30:02\.000Z\)$`,
      ),
    );
  });

  it('dead-lettered: why, and the reference of a body refused for another field', async () => {
    const lines = await eventLinesOf(() => consoleLineOfQueue(update({ priority: 1, reference: 'crm-43' })));
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(
          String.raw`^${TIME} EVENT queue Status update dead-lettered \(body not a valid update\): VALIDATION_FAILED Invalid request: priority is not an accepted field \(ref crm-43\)$`,
        ),
      ),
    ]);
  });

  it('none for an HTTP error answer: the caller has it', async () => {
    expect(await eventLinesOf(() => consoleLineOfHttp('{}', { method: 'GET' }))).toEqual([]);
  });
});
