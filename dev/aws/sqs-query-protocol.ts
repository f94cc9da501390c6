/**
 * SQS's query protocol (form-encoded requests, XML answers) in front of fauxqs, which speaks only
 * SQS's JSON protocol: AWS CLI versions before 2.13 (Debian 12's awscli is 2.9) still send SQS
 * calls as queries, and fauxqs would hand them to its SNS side ("Unknown action: SendMessage").
 * Each query becomes the same call in JSON, answered by fauxqs itself, and its answer becomes XML.
 * The actions are those a person runs from a shell; any other says which ones are served.
 */
import { randomUUID } from 'node:crypto';
import type { buildApp } from 'fauxqs';

type App = ReturnType<typeof buildApp>;
type Params = Record<string, string>;
type Json = Record<string, any>;

const SQS_API_VERSION = '2012-11-05';
const NAMESPACE = `http://queue.amazonaws.com/doc/${SQS_API_VERSION}/`;

/** `Prefix.1`, `Prefix.2`, …: a query list, in order. */
const list = (params: Params, prefix: string) =>
  Object.keys(params)
    .filter((k) => new RegExp(`^${prefix}\\.\\d+$`).test(k))
    .sort(byIndex)
    .map((k) => params[k]);
const byIndex = (a: string, b: string) => Number(a.split('.').pop()) - Number(b.split('.').pop());
const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));

function messageAttributes(params: Params): Json | undefined {
  const entries = Object.keys(params)
    .filter((k) => /^MessageAttribute\.\d+\.Name$/.test(k))
    .map((k) => {
      const at = k.replace(/\.Name$/, '');
      return [
        params[k],
        {
          DataType: params[`${at}.Value.DataType`],
          StringValue: params[`${at}.Value.StringValue`],
          BinaryValue: params[`${at}.Value.BinaryValue`],
        },
      ];
    });
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** `\r` too: an XML parser reads a bare CR as LF, and a body must come back as it was sent. */
const xmlEscape = (text: unknown) => String(text).replace(/[<>&'"\r]/g, (c) => `&#${c.charCodeAt(0)};`);
const element = (name: string, value: unknown) =>
  value === undefined || value === null ? '' : `<${name}>${xmlEscape(value)}</${name}>`;
const nameValues = (tag: string, values: Json = {}) =>
  Object.entries(values)
    .map(([name, value]) => `<${tag}><Name>${xmlEscape(name)}</Name><Value>${xmlEscape(value)}</Value></${tag}>`)
    .join('');

/** Per action: the JSON input from the query, and the XML result from the JSON answer. */
const ACTIONS: Record<string, { input(p: Params): Json; result(a: Json): string }> = {
  SendMessage: {
    input: (p) => ({
      QueueUrl: p.QueueUrl,
      MessageBody: p.MessageBody,
      DelaySeconds: number(p.DelaySeconds),
      MessageAttributes: messageAttributes(p),
      MessageGroupId: p.MessageGroupId,
      MessageDeduplicationId: p.MessageDeduplicationId,
    }),
    result: (a) =>
      ['MD5OfMessageBody', 'MD5OfMessageAttributes', 'MessageId', 'SequenceNumber']
        .map((k) => element(k, a[k]))
        .join(''),
  },
  ReceiveMessage: {
    input: (p) => ({
      QueueUrl: p.QueueUrl,
      MaxNumberOfMessages: number(p.MaxNumberOfMessages),
      WaitTimeSeconds: number(p.WaitTimeSeconds),
      VisibilityTimeout: number(p.VisibilityTimeout),
      MessageSystemAttributeNames: [...list(p, 'AttributeName'), ...list(p, 'MessageSystemAttributeName')],
      MessageAttributeNames: list(p, 'MessageAttributeName'),
    }),
    result: (a) =>
      (a.Messages ?? [])
        .map(
          (m: Json) =>
            `<Message>${['MessageId', 'ReceiptHandle', 'MD5OfBody', 'Body', 'MD5OfMessageAttributes'].map((k) => element(k, m[k])).join('')}` +
            nameValues('Attribute', m.Attributes) +
            Object.entries(m.MessageAttributes ?? {})
              .map(
                ([name, v]: [string, any]) =>
                  `<MessageAttribute><Name>${xmlEscape(name)}</Name><Value>${element('StringValue', v.StringValue)}${element('BinaryValue', v.BinaryValue)}${element('DataType', v.DataType)}</Value></MessageAttribute>`,
              )
              .join('') +
            '</Message>',
        )
        .join(''),
  },
  DeleteMessage: { input: (p) => ({ QueueUrl: p.QueueUrl, ReceiptHandle: p.ReceiptHandle }), result: () => '' },
  PurgeQueue: { input: (p) => ({ QueueUrl: p.QueueUrl }), result: () => '' },
  GetQueueUrl: { input: (p) => ({ QueueName: p.QueueName }), result: (a) => element('QueueUrl', a.QueueUrl) },
  ListQueues: {
    input: (p) => ({ QueueNamePrefix: p.QueueNamePrefix }),
    result: (a) => (a.QueueUrls ?? []).map((url: string) => element('QueueUrl', url)).join(''),
  },
  GetQueueAttributes: {
    input: (p) => ({ QueueUrl: p.QueueUrl, AttributeNames: list(p, 'AttributeName') }),
    result: (a) => nameValues('Attribute', a.Attributes),
  },
};

function xml(action: string, result: string): string {
  const body = result === '' ? '' : `<${action}Result>${result}</${action}Result>`;
  return `<?xml version="1.0"?><${action}Response xmlns="${NAMESPACE}">${body}<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;
}

function errorXml(code: string, message: string, type = 'Sender'): string {
  return `<?xml version="1.0"?><ErrorResponse xmlns="${NAMESPACE}"><Error><Type>${type}</Type><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}

/** Serves SQS queries on `app` (fauxqs, before it listens) through its own JSON protocol. */
export function acceptSqsQueryProtocol(app: App): void {
  app.addHook('preHandler', async (request, reply) => {
    const params = request.body as Params | undefined;
    if (request.method !== 'POST' || params?.Version !== SQS_API_VERSION || typeof params.Action !== 'string') return;
    reply.header('content-type', 'text/xml');
    const action = Object.hasOwn(ACTIONS, params.Action) ? ACTIONS[params.Action] : undefined;
    if (!action) {
      return reply
        .code(400)
        .send(
          errorXml(
            'InvalidAction',
            `This local SQS serves ${Object.keys(ACTIONS).join(', ')} in the query protocol; ${params.Action} needs the JSON protocol (AWS CLI 2.13 or later, or an AWS SDK)`,
          ),
        );
    }
    // The queue URL may name the queue's own host; fauxqs finds a queue by its name and region.
    const answer = await app.inject({
      method: 'POST',
      url: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `AmazonSQS.${params.Action}`,
        authorization: request.headers.authorization ?? '',
      },
      payload: JSON.stringify(action.input(params)),
    });
    let json: Json;
    try {
      json = answer.body === '' ? {} : JSON.parse(answer.body);
    } catch {
      return reply
        .code(500)
        .send(
          errorXml(
            'InternalError',
            `fauxqs answered ${params.Action} with HTTP ${answer.statusCode} and no JSON`,
            'Receiver',
          ),
        );
    }
    if (answer.statusCode >= 400) {
      const [code, type] = String(
        answer.headers['x-amzn-query-error'] ??
          String(json.__type ?? 'InternalError')
            .split('#')
            .pop(),
      ).split(';');
      return reply.code(answer.statusCode).send(errorXml(code, json.message ?? json.Message ?? '', type));
    }
    return reply.code(200).send(xml(params.Action, action.result(json)));
  });
}
