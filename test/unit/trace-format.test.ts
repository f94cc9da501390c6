import { describe, expect, it } from 'vitest';
import {
  formatLetter,
  formatLogRow,
  formatReport,
  formatStore,
  GUESSED_FORM,
  NOTHING_RECORDED,
} from '../../ops/trace/format.ts';
import { readDeadLetter } from '../../ops/dlq/dead-letter.ts';
import { isLetterOf } from '../../ops/trace/letters.ts';
import { exitCodeOf, failedParts, type Report } from '../../ops/trace/report.ts';
import { storedNumber } from '../../ops/trace/store.ts';

const NOW = Date.parse('2026-12-01T10:00:00.000Z');
const AS_IS = { normalisation: 'as-is', countryCode: '48' } as const;
const NATIONAL = { normalisation: 'national', countryCode: '48' } as const;

describe("the number's item in the ordering store", () => {
  const item = {
    number_hash: { S: 'f'.repeat(64) },
    applied_version: { N: String(Date.parse('2026-12-01T09:00:00.123Z')) },
    applied_status_id: { S: '3' },
    applied_at: { N: String(Date.parse('2026-12-01T09:00:02.456Z')) },
    applied_face: { S: 'queue' },
    applied_correlation_id: { S: '0f1e2d3c-1234-5678-9abc-def012345678' },
    applied_reference: { S: 'crm-******-7' },
    expires_at: { N: String(Date.parse('2027-01-05T09:00:02.000Z') / 1000) },
  };

  it('reads every APPLIED attribute as ISO 8601 times; a hold is told only while it lasts', () => {
    expect(storedNumber(item, NOW)).toEqual({
      statusId: '3',
      version: '2026-12-01T09:00:00.123Z',
      appliedAt: '2026-12-01T09:00:02.456Z',
      face: 'queue',
      correlationId: '0f1e2d3c-1234-5678-9abc-def012345678',
      reference: 'crm-******-7',
      expiresAt: '2027-01-05T09:00:02.000Z',
    });
    expect(storedNumber({ ...item, lock_until: { N: String(NOW - 1) } }, NOW).heldUntil).toBeUndefined();
    expect(storedNumber({ ...item, lock_until: { N: String(NOW + 5_000) } }, NOW).heldUntil).toBe(
      '2026-12-01T10:00:05.000Z',
    );
  });

  it('prints it aligned, never the hash; an older item without the trail says what it lacks', () => {
    const text = formatStore({ table: 'T', item: storedNumber(item, NOW) });
    expect(text).toBe(
      [
        'ordering store (table T)',
        '  status applied  3',
        '  its version     2026-12-01T09:00:00.123Z',
        '  applied at      2026-12-01T09:00:02.456Z',
        '  through         the queue face',
        '  correlation id  0f1e2d3c-1234-5678-9abc-def012345678',
        '  reference       crm-******-7',
        '  held now        no',
        '  item expires    2027-01-05T09:00:02.000Z',
      ].join('\n'),
    );
    expect(text).not.toContain('ffff');
    const older = storedNumber({ applied_version: item.applied_version, applied_status_id: { S: '3' } }, NOW);
    expect(formatStore({ table: 'T', item: older })).toContain('  through         - (not recorded)');
    expect(formatStore({ table: 'T', item: storedNumber({ lock_until: { N: String(NOW + 1) } }, NOW) })).toBe(
      'ordering store (table T)\n  nothing applied yet\n  held now  yes, by an update in progress, until 2026-12-01T10:00:00.001Z',
    );
    expect(formatStore({ table: 'T', item: null })).toBe(`ordering store (table T)\n  ${NOTHING_RECORDED}`);
    expect(formatStore({ error: 'the table is not given' })).toBe(
      'ordering store\n  could not be read: the table is not given',
    );
  });
});

describe("the number's letters in the DLQ", () => {
  const update = (phone: unknown) => JSON.stringify({ phone_number: phone, status_id: '3' });
  const sns = (payload: string) =>
    JSON.stringify({ Type: 'Notification', TopicArn: 'arn:aws:sns:eu-central-1:123456789012:t', Message: payload });
  const eventBridge = (detail: object) =>
    JSON.stringify({ 'detail-type': 'StatusUpdate', source: 'crm', detail, time: '2026-12-01T09:00:00Z' });

  it('are the bodies whose phone_number normalises to the number, plain or in an envelope', () => {
    expect(isLetterOf(update('48700000130'), '48700000130', AS_IS)).toBe(true);
    expect(isLetterOf(update(48700000130), '48700000130', AS_IS)).toBe(true);
    expect(isLetterOf(sns(update('48700000130')), '48700000130', AS_IS)).toBe(true);
    expect(isLetterOf(eventBridge({ phone_number: '48700000130', status_id: 'x' }), '48700000130', AS_IS)).toBe(true);
    expect(isLetterOf(update('48700000131'), '48700000130', AS_IS)).toBe(false);
    // As the function keys it: as-is tells "+48 700 000 130" from "48700000130", national does not.
    expect(isLetterOf(update('+48 700 000 130'), '48700000130', AS_IS)).toBe(false);
    expect(isLetterOf(update('+48 700 000 130'), '700000130', NATIONAL)).toBe(true);
    expect(isLetterOf(update('0048700000130'), '700000130', NATIONAL)).toBe(true);
    // A number elsewhere in a readable update is not its number.
    expect(isLetterOf(JSON.stringify({ phone_number: '1', status_id: '48700000130' }), '48700000130', AS_IS)).toBe(
      false,
    );
  });

  it('include a body no update can be read from that names the number', () => {
    expect(isLetterOf('{"phone_number": "48700000130", "status_id": 3,}', '48700000130', AS_IS)).toBe(true);
    expect(isLetterOf('phone 48 700 000 130 status 3', '48700000130', AS_IS)).toBe(true);
    expect(isLetterOf('phone 487000001300 status 3', '48700000130', AS_IS)).toBe(false);
    expect(isLetterOf(JSON.stringify({ phone: '48700000130' }), '48700000130', AS_IS)).toBe(true);
    expect(isLetterOf('not json', '48700000130', AS_IS)).toBe(false);
  });

  it('show the reason, the message, the times, the reference and both ids, the number masked', () => {
    const letter = readDeadLetter({
      MessageId: 'dlq-message-1',
      Body: sns(update('48700000130')),
      MessageAttributes: {
        ErrorCode: { DataType: 'String', StringValue: 'THULIUM_REFUSED' },
        ErrorKind: { DataType: 'String', StringValue: 'refused' },
        ErrorMessage: { DataType: 'String', StringValue: 'No outbound records for 48700000130' },
        FailedAt: { DataType: 'String', StringValue: '2026-12-01T09:00:02.000Z' },
        ReceiveCount: { DataType: 'Number', StringValue: '1' },
        UpdateVersion: { DataType: 'String', StringValue: '2026-12-01T09:00:00.123Z' },
        SourceMessageId: { DataType: 'String', StringValue: 'source-1' },
        ThuliumRequestId: { DataType: 'String', StringValue: 'thulium-request-7' },
        UpdateReference: { DataType: 'String', StringValue: 'crm-48700000130' },
      },
    });
    expect(letter).toMatchObject({ phone: '********130', reference: 'crm-********130' });
    expect(formatLetter(letter)).toBe(
      [
        '  THULIUM_REFUSED  failed at 2026-12-01T09:00:02.000Z  receives 1  status 3  version 2026-12-01T09:00:00.123Z  via sns',
        '    refused: No outbound records for ********130',
        '    reference crm-********130  source message id source-1  id dlq-message-1',
        '    Thulium request id thulium-request-7',
      ].join('\n'),
    );
    const unrecorded = formatLetter(readDeadLetter({ MessageId: 'm2', Body: 'phone 48700000130' }));
    expect(unrecorded).toBe(
      [
        '  UNRECORDED  failed at -  receives -  status -  version -',
        '    body (not an update): "phone ********130"',
        '    reference -  source message id -  id m2',
      ].join('\n'),
    );
  });
});

describe('a log line', () => {
  it('shows its time and message, then what it says of the update', () => {
    expect(
      formatLogRow({
        '@timestamp': '2026-12-01T09:00:02.123Z',
        message: 'status updated',
        outcome: 'updated',
        face: 'http',
        status_id: '3',
        correlation_id: 'req-1',
      }),
    ).toBe('  2026-12-01T09:00:02.123Z  status updated\n    http  updated  status 3  correlation id req-1');
    expect(formatLogRow({ '@timestamp': '2026-12-01T09:00:02.123Z' })).toBe('  2026-12-01T09:00:02.123Z  -');
  });
});

describe('the whole trace', () => {
  const report = (parts: Partial<Report> = {}): Report => ({
    number: '+** *** *** 130',
    lookedUpAs: '*********130',
    normalisation: 'national',
    normalisationFrom: 'stack',
    countryCode: '48',
    countryCodeFrom: 'stack',
    store: { table: 'T', item: null },
    deadLetters: {
      queue: 'X-updates-dlq',
      letters: [],
      notes: ['X-updates-dlq: ~0 visible, 0 in flight, 0 delayed when read; 0 read'],
    },
    logs: {
      numberKey: '0123456789abcdef',
      since: '24h',
      query: 'fields x\n| limit 1',
      note: 'the log group is not given',
    },
    ...parts,
  });

  it('says what was looked up, then each part', () => {
    expect(formatReport(report())).toBe(
      [
        "number +** *** *** 130, looked up as *********130 (PHONE_NORMALISATION national, country code 48; from the stack's outputs)",
        '',
        `ordering store (table T)\n  ${NOTHING_RECORDED}`,
        '',
        'dead-letter queue (X-updates-dlq): no letters of this number',
        '  X-updates-dlq: ~0 visible, 0 in flight, 0 delayed when read; 0 read',
        '',
        'logs: number_key 0123456789abcdef',
        '  the log group is not given',
        '  Logs Insights query (the last 24h):',
        '    fields x',
        '    | limit 1',
      ].join('\n'),
    );
    expect(failedParts(report())).toEqual([]);
    expect(exitCodeOf(report())).toBe(0);
  });

  it('a part that failed says why, and the exit code says a part failed', () => {
    const failed = report({
      store: { table: 'T', error: 'table T not found' },
      logs: { since: '24h', error: 'no number_key without the key: secret K not found' },
    });
    const text = formatReport(failed);
    expect(text).toContain('ordering store (table T)\n  could not be read: table T not found');
    expect(text).toContain('logs\n  could not be searched: no number_key without the key: secret K not found');
    expect(text).toContain('dead-letter queue (X-updates-dlq): no letters of this number');
    expect(failedParts(failed)).toEqual(['ordering store', 'logs']);
    expect(exitCodeOf(failed)).toBe(1);
    expect(exitCodeOf(report({ deadLetters: { letters: [], notes: [], interrupted: true } }))).toBe(130);
  });

  it('says where the rule came from', () => {
    const firstLine = (parts: Partial<Report>) => formatReport(report(parts)).split('\n')[0];
    expect(firstLine({ normalisation: 'as-is', normalisationFrom: 'flag', countryCode: undefined })).toBe(
      'number +** *** *** 130, looked up as *********130 (PHONE_NORMALISATION as-is; as given)',
    );
    expect(firstLine({ normalisationFrom: 'environment', countryCodeFrom: 'stack' })).toMatch(
      /\(PHONE_NORMALISATION national, country code 48; from the environment and from the stack's outputs\)$/,
    );
  });

  it('a guessed rule: a WARNING under the first line, and beside "nothing recorded"', () => {
    const guessed = report({
      normalisation: 'as-is',
      normalisationFrom: 'guess',
      countryCode: undefined,
      countryCodeFrom: undefined,
      warning: 'PHONE_NORMALISATION as-is is a guess',
    });
    const lines = formatReport(guessed).split('\n');
    expect(lines.slice(0, 2)).toEqual([
      'number +** *** *** 130, looked up as *********130 (PHONE_NORMALISATION as-is; GUESSED)',
      'WARNING: PHONE_NORMALISATION as-is is a guess',
    ]);
    expect(formatReport(guessed)).toContain(`ordering store (table T)\n  ${NOTHING_RECORDED}\n  ${GUESSED_FORM}\n`);
    expect(formatReport(report())).not.toMatch(/WARNING|GUESSED|another form/);
    // A guess is no failure: the parts were read, maybe of the wrong form.
    expect(exitCodeOf(guessed)).toBe(0);
  });

  it('the guard off: notes in the store and logs sections, not failures', () => {
    const off = report({
      store: {
        note: 'the ordering guard is off (stack "S" has no output OrderingKeySecretArn): nothing is recorded per number',
      },
      logs: {
        since: '24h',
        note: 'no number_key without the key: the ordering guard is off (stack "S" has no output OrderingKeySecretArn), so the function logs none',
      },
    });
    const text = formatReport(off);
    expect(text).toContain(
      'ordering store\n  the ordering guard is off (stack "S" has no output OrderingKeySecretArn): nothing is recorded per number',
    );
    expect(text).toContain(
      'logs\n  no number_key without the key: the ordering guard is off (stack "S" has no output OrderingKeySecretArn), so the function logs none',
    );
    expect(text).not.toMatch(/could not/);
    expect(failedParts(off)).toEqual([]);
    expect(exitCodeOf(off)).toBe(0);
  });
});
