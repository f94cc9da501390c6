import { describe, expect, it } from 'vitest';
import { type Delivery, recordVersion } from '../../functions/outbound-status/faces/record-version.ts';

const NOW = Date.parse('2026-12-01T09:30:05.000Z');
const SENT = Date.parse('2026-12-01T09:30:01.000Z');
const ENVELOPE = Date.parse('2026-12-01T09:30:00.500Z');
const CARRIED = '2026-12-01T09:00:00.000Z';
const UPDATED = Date.parse('2026-12-01T08:00:00.000Z');

describe("a queue record's version", () => {
  it.each<[string, Delivery, { at: number; source: string }]>([
    ['SQS SentTimestamp', { sentTimestamp: String(SENT) }, { at: SENT, source: 'sqs' }],
    ['now, without a SentTimestamp', {}, { at: NOW, source: 'sqs' }],
    ['now, with an unreadable SentTimestamp', { sentTimestamp: 'soon' }, { at: NOW, source: 'sqs' }],
    [
      "the SNS envelope's time over SentTimestamp",
      { sentTimestamp: String(SENT), envelope: { source: 'sns', sentAt: ENVELOPE } },
      { at: ENVELOPE, source: 'sns' },
    ],
    [
      'SentTimestamp when the envelope has no time',
      { sentTimestamp: String(SENT), envelope: { source: 'eventbridge', sentAt: undefined } },
      { at: SENT, source: 'sqs' },
    ],
    [
      "a dead letter's carried version over the envelope and SentTimestamp",
      { carriedVersion: CARRIED, sentTimestamp: String(SENT), envelope: { source: 'sns', sentAt: ENVELOPE } },
      { at: Date.parse(CARRIED), source: 'dead-letter' },
    ],
    [
      'not a carried version in another form (a sender’s own attribute)',
      { carriedVersion: '2026-12-01T09:00:00Z', sentTimestamp: String(SENT) },
      { at: SENT, source: 'sqs' },
    ],
    [
      "the sender's updated_at over everything",
      { carriedVersion: CARRIED, sentTimestamp: String(SENT), updatedAt: UPDATED },
      { at: UPDATED, source: 'updated_at' },
    ],
  ])('%s', (_, delivery, expected) => {
    expect(recordVersion(delivery, NOW)).toEqual(expected);
  });
});
