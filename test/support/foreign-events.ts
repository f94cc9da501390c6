/**
 * Events that come from neither API Gateway nor SQS: other AWS triggers, near misses of both, and
 * arbitrary values. None bears the marks of a supported trigger, so each must be refused as such.
 */
import fc from 'fast-check';
import { eventBridgeEvent } from './aws-events.ts';
import { requestText } from './hostile-bodies.ts';
import { base64 } from './hostile-requests.ts';
import { PHONES } from './world.ts';

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/** The marks API Gateway and SQS leave on their events; values bearing them are no test of "unsupported". */
function looksLikeApiGatewayOrSqs(event: unknown): boolean {
  if (!isObject(event)) return false;
  const { Records, requestContext } = event;
  if (Array.isArray(Records))
    return Records.length > 0 && Records.every((r) => isObject(r) && r.eventSource === 'aws:sqs');
  if (!isObject(requestContext) || Array.isArray(requestContext)) return false;
  const { http } = requestContext;
  return (
    typeof event.httpMethod === 'string' ||
    (event.version === '2.0' && isObject(http) && typeof http.method === 'string')
  );
}

const anything = fc.anything({
  maxDepth: 3,
  maxKeys: 6,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
});

const longText = `call ${PHONES.three} ${'x'.repeat(10_000)}`;
const nearMisses = fc.constantFrom<unknown>(
  { Records: [] },
  {
    Records: [{ EventSource: 'aws:sns', EventVersion: '1.0', Sns: { Message: requestText(`"${PHONES.three}"`, '3') } }],
  },
  { Records: [{ eventVersion: '2.1', eventSource: 'aws:s3', s3: { bucket: { name: 'b' }, object: { key: 'k' } } }] },
  { Records: [{ eventSource: 'aws:kinesis', kinesis: { data: base64('{"phone_number":"1","status_id":3}') } }] },
  { Records: [{ eventSource: 'aws:dynamodb', dynamodb: { Keys: {} } }] },
  { Records: [{ eventSource: 'aws:sqs', body: '{}' }, { EventSource: 'aws:sns' }] },
  { Records: [{ eventSource: 'aws:SQS', body: '{}' }] },
  { Records: [null] },
  { Records: 'aws:sqs' },
  [{ eventSource: 'aws:sqs', body: '{}' }],
  // EventBridge invoking the function directly, not through the queue.
  eventBridgeEvent({ phone_number: PHONES.one }, { 'detail-type': 'Order Placed', source: 'com.example.orders' }),
  eventBridgeEvent(
    {},
    {
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      resources: ['arn:aws:events:eu-central-1:123456789012:rule/every-minute'],
    },
  ),
  { requestContext: {} },
  { requestContext: null, httpMethod: 'POST' },
  { httpMethod: 'POST', body: `{"phone_number":"${PHONES.three}","status_id":3}` },
  { requestContext: { http: { method: 'POST' } }, body: '{}' },
  { version: '1.0', requestContext: [], httpMethod: 'POST' },
  { version: '2.0', requestContext: { http: {} }, body: '{}' },
  { version: '2.0', requestContext: { http: { method: 7 } } },
  { [`a${'😀'.repeat(200)}`]: 1 },
  null,
  undefined,
  '',
  'POST',
  longText,
  42,
  Number.NaN,
  [],
  Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`key${i}${PHONES.three}`, i])),
  { [longText]: longText },
  // Twenty keys of fifty characters: the logged shape must stay bounded as a whole, not just per key.
  Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`${String(i).padStart(2, '0')}${'k'.repeat(48)}`, i])),
);
/** Shapes built from the keys the triggers look at, with anything in them. */
const recordLookAlike = fc.record({
  eventSource: fc.constantFrom('aws:sns', 'aws:s3', 'aws:sqs', 'aws:sqs ', 'sqs'),
  body: fc.string(),
});
const lookAlikes = fc.dictionary(
  fc.constantFrom(
    'Records',
    'requestContext',
    'httpMethod',
    'version',
    'body',
    'eventSource',
    'http',
    'headers',
    'source',
    'detail',
  ),
  fc.oneof(anything, fc.array(recordLookAlike)),
  { maxKeys: 4 },
);

export const unsupportedEvent = fc
  .oneof(nearMisses, anything, lookAlikes)
  .filter((event) => !looksLikeApiGatewayOrSqs(event));
