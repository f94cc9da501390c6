/**
 * AWS event and context shapes built from the real fixtures in test/fixtures/aws-events, for the
 * tests and the benchmark alike: no test runner imported here.
 */
import { randomUUID } from 'node:crypto';
import { fixture } from '../../dev/aws/event-fixtures.ts';

let lastStamp = 0;
/**
 * When AWS took an event in, as a fresh event has it: now, and never twice the same millisecond,
 * so two events built in a row are two distinct versions for the ordering guard.
 */
export const awsTimestamp = () => (lastStamp = Math.max(Date.now(), lastStamp + 1));

export { fixture };

export interface HttpEventOptions {
  body?: string | null;
  method?: string;
  contentType?: string | null;
  isBase64Encoded?: boolean;
}

/** The REST API (payload 1.0) fixture as AWS sends it, with this request's method and body. */
export function restApiEvent({
  body = null,
  method = 'POST',
  contentType = 'application/json',
  isBase64Encoded,
}: HttpEventOptions = {}) {
  const event = fixture('apigw-rest-v1-request.json');
  event.httpMethod = method;
  event.requestContext.httpMethod = method;
  event.requestContext.requestId = randomUUID();
  event.requestContext.requestTimeEpoch = awsTimestamp();
  event.body = body;
  if (isBase64Encoded !== undefined) event.isBase64Encoded = isBase64Encoded;
  if (contentType === null) {
    delete event.headers['Content-Type'];
    delete event.multiValueHeaders['Content-Type'];
  } else {
    event.headers['Content-Type'] = contentType;
    event.multiValueHeaders['Content-Type'] = [contentType];
  }
  return event;
}

/** The HTTP API (payload 2.0, IAM authorizer) fixture, with this request's method and body. */
export function httpApiEvent({
  body = null,
  method = 'POST',
  contentType = 'application/json',
  isBase64Encoded = false,
}: HttpEventOptions = {}) {
  const event = fixture('apigw-http-v2-request-iam.json');
  event.requestContext.http.method = method;
  event.requestContext.requestId = randomUUID();
  event.requestContext.timeEpoch = awsTimestamp();
  event.body = body;
  event.isBase64Encoded = isBase64Encoded;
  if (contentType !== null) event.headers['content-type'] = contentType;
  return event;
}

export interface SqsRecordOptions {
  body: string;
  receiveCount?: number;
  messageId?: string;
  messageGroupId?: string;
  /** Epoch ms; a fresh timestamp unless given. */
  sentTimestamp?: number;
  messageAttributes?: Record<string, { stringValue?: string; dataType: string }>;
}

/** The SQS fixture's record shape (attributes, message attributes and all), once per body. */
export function sqsEvent(records: SqsRecordOptions[], queueName = 'outbound-status') {
  const template = fixture('sqs-event.json').Records[0];
  return {
    Records: records.map((options) => {
      const record = structuredClone(template);
      record.messageId = options.messageId ?? randomUUID();
      record.receiptHandle = `receipt-${record.messageId}`;
      record.body = options.body;
      record.eventSourceARN = `arn:aws:sqs:eu-central-1:123456789012:${queueName}`;
      record.attributes.ApproximateReceiveCount = String(options.receiveCount ?? 1);
      record.attributes.SentTimestamp = String(options.sentTimestamp ?? awsTimestamp());
      if (options.messageAttributes) record.messageAttributes = options.messageAttributes;
      if (options.messageGroupId) record.attributes.MessageGroupId = options.messageGroupId;
      return record;
    }),
  };
}

/** Both API Gateway payload formats, named as test titles show them; each builds its event from the same options. */
export const PAYLOAD_FORMATS = [
  { name: 'REST API (payload 1.0)', event: restApiEvent },
  { name: 'HTTP API (payload 2.0)', event: httpApiEvent },
];
export type PayloadFormat = (typeof PAYLOAD_FORMATS)[number];

export const body = (phone_number: unknown, status_id: unknown) => JSON.stringify({ phone_number, status_id });

/** An EventBridge event as a rule target receives it, `detail` carrying the payload. */
export const eventBridgeEvent = (
  detail: unknown,
  envelope: { 'detail-type'?: string; source?: string; resources?: string[]; time?: string } = {},
) => ({
  version: '0',
  id: '4f9b6c2e-3b7d-4d8a-9c1e-8a2f5e6d7c10',
  'detail-type': 'Outbound status requested',
  source: 'crm.leads',
  account: '123456789012',
  time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  region: 'eu-central-1',
  resources: [],
  ...envelope,
  detail,
});

export { lambdaContext } from '../../dev/aws/lambda-context.ts';
