import { describe, expect, it } from 'vitest';
import { parseQueueBody } from '../../functions/outbound-status/faces/envelopes.ts';
import { eventBridgeEvent } from '../support/aws-events.ts';

const update = { phone_number: '111222333', status_id: '3' };
const sns = (message: unknown, type = 'Notification') =>
  JSON.stringify({
    Type: type,
    MessageId: '95df01b4-ee98-5cb9-9903-4c221d41eb5e',
    TopicArn: 'arn:aws:sns:eu-central-1:123456789012:status-updates',
    Message: typeof message === 'string' ? message : JSON.stringify(message),
    Timestamp: '2026-11-27T01:00:00.000Z',
    SignatureVersion: '1',
    Signature: 'x'.repeat(344),
    SigningCertURL: 'https://sns.eu-central-1.amazonaws.com/SimpleNotificationService-0000.pem',
    UnsubscribeURL: 'https://sns.eu-central-1.amazonaws.com/?Action=Unsubscribe',
  });
const eventBridge = (detail: unknown) => JSON.stringify(eventBridgeEvent(detail));

describe('queue bodies, plain or wrapped', () => {
  it('reads the update from a plain body, an SNS notification and an EventBridge event alike', () => {
    const expected = { phoneNumber: '111222333', statusId: '3' };
    expect(parseQueueBody(JSON.stringify(update), 4096)).toMatchObject({ envelope: 'none', update: expected });
    expect(parseQueueBody(sns(update), 4096)).toMatchObject({
      envelope: 'sns',
      update: expected,
      origin: 'arn:aws:sns:eu-central-1:123456789012:status-updates',
    });
    expect(parseQueueBody(eventBridge(update), 4096)).toMatchObject({
      envelope: 'eventbridge',
      update: expected,
      origin: 'crm.leads',
    });
  });

  it('holds the payload to the body limit and gives the envelope its own room', () => {
    const wrapped = sns(update);
    expect(Buffer.byteLength(wrapped)).toBeGreaterThan(600);
    expect(parseQueueBody(wrapped, 100).update.statusId).toBe('3');
    expect(() => parseQueueBody(sns({ ...update, pad: 'x'.repeat(200) }), 100)).toThrow(
      expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }),
    );
    expect(() => parseQueueBody(eventBridge({ ...update, pad: 'x'.repeat(200) }), 100)).toThrow(
      expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }),
    );
    expect(() => parseQueueBody(JSON.stringify({ ...update, pad: 'x'.repeat(200) }), 100)).toThrow(
      expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }),
    );
    expect(() => parseQueueBody(`{${'x'.repeat(200)}`, 100)).toThrow(
      expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }),
    );
  });

  it('says what is wrong with an envelope it cannot use', () => {
    expect(() => parseQueueBody(sns('not json'), 4096)).toThrow(
      expect.objectContaining({ code: 'MALFORMED_JSON', message: expect.stringContaining('SNS') }),
    );
    expect(() => parseQueueBody(sns(update, 'SubscriptionConfirmation'), 4096)).toThrow(
      expect.objectContaining({
        code: 'MALFORMED_BODY',
        message: expect.stringContaining('aws sns confirm-subscription'),
      }),
    );
    expect(() => parseQueueBody(sns({ phone_number: '111222333' }), 4096)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    expect(() => parseQueueBody(eventBridge('{"phone_number":"111222333","status_id":"3"}'), 4096)).toThrow(
      expect.objectContaining({
        code: 'VALIDATION_FAILED',
        message: expect.stringContaining('body must be a JSON object'),
      }),
    );
  });

  it('leaves look-alikes to the contract, which names their extra fields', () => {
    expect(() => parseQueueBody(JSON.stringify({ ...update, Type: 'Notification', Message: '{}' }), 4096)).toThrow(
      expect.objectContaining({
        code: 'VALIDATION_FAILED',
        message: expect.stringContaining('Type is not an accepted field'),
      }),
    );
  });

  it('keeps phone numbers out of the origin it reports', () => {
    const body = JSON.stringify({ 'detail-type': 'x', source: 'crm 111222333', detail: update });
    expect(parseQueueBody(body, 4096).origin).toBe('crm ******333');
  });
});
