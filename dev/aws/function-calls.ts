/**
 * The few AWS operations the function calls, answered on loopback in the AWS JSON protocols the
 * SDK v3 speaks, so the real SDK can be pointed here with AWS_ENDPOINT_URL_SECRETS_MANAGER,
 * AWS_ENDPOINT_URL_SQS and AWS_ENDPOINT_URL_EVENTBRIDGE: Secrets Manager GetSecretValue, SQS
 * SendMessage and ChangeMessageVisibility, EventBridge PutEvents (./eventbridge.ts).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { readBody } from '../shared/read-body.ts';
import { LoopbackEventBus, type DeliveredEvent, type PutEventsCall } from './eventbridge.ts';

export interface SentMessage {
  QueueUrl: string;
  MessageBody: string;
  MessageAttributes?: Record<string, { DataType: string; StringValue?: string }>;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
}

export interface VisibilityChange {
  QueueUrl: string;
  ReceiptHandle: string;
  VisibilityTimeout: number;
}

/** `service.Operation` as the SDK names it in X-Amz-Target, e.g. `secretsmanager.GetSecretValue`. */
export type Operation = string;

const PUT_EVENTS = 'AWSEvents.PutEvents';

/** The region in the SigV4 credential scope, as AWS answers in the region a call was signed for. */
const signedRegion = (req: IncomingMessage) =>
  /Credential=[^/]*\/\d{8}\/([a-z0-9-]+)\//.exec(String(req.headers.authorization ?? ''))?.[1];

export class AwsLoopback {
  readonly secrets = new Map<string, string>();
  readonly sentMessages: SentMessage[] = [];
  readonly visibilityChanges: VisibilityChange[] = [];
  readonly calls: Operation[] = [];
  /** The SecretId of every GetSecretValue, in order. */
  readonly secretReads: string[] = [];
  private readonly bus = new LoopbackEventBus();
  /** Every PutEvents call, in order, refused ones too, each entry with its answer. */
  readonly putEventsCalls = this.bus.calls;
  /** Every event EventBridge accepted, as a rule's target receives it. */
  readonly events = this.bus.events;
  /** How long PutEvents takes to answer: EventBridge's round trip, where its cost is what is measured. */
  eventsLatencyMs = 0;
  private readonly failures = new Map<Operation, { remaining: number; status: number; type: string }>();
  private readonly server = createServer((req, res) => void this.serve(req, res));
  private port = 0;

  async listen(port = 0): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** A queue URL on this endpoint, as the SDK would be given one. */
  queueUrl(name: string): string {
    return `${this.url}/000000000000/${name}`;
  }

  /** The next `count` calls of `operation` fail as AWS would fail them (5xx: the SDK retries them). */
  fail(operation: Operation, count: number, status = 500, type = 'InternalFailure'): void {
    this.failures.set(operation, { remaining: count, status, type });
  }

  /** The next `count` PutEvents entries fail inside a 200 answer, as EventBridge fails some entries of a call. */
  failEntries(count: number, errorCode = 'InternalFailure'): void {
    this.bus.failEntries(count, errorCode);
  }

  clearFailures(): void {
    this.failures.clear();
    this.bus.clearFailures();
  }

  /** Calls `listener` with each event accepted from now on; returns the unsubscribe. */
  onEvent(listener: (event: DeliveredEvent) => void): () => void {
    return this.bus.onEvent(listener);
  }

  /** Calls `listener` with each PutEvents call from now on, refused ones too; returns the unsubscribe. */
  onPutEvents(listener: (call: PutEventsCall) => void): () => void {
    return this.bus.onPutEvents(listener);
  }

  /** GetSecretValue calls for this secret: the API user's and the ordering key's are read apart. */
  readsOf(secretId: string): number {
    return this.secretReads.filter((id) => id === secretId).length;
  }

  countOf(operation: Operation): number {
    return this.calls.filter((call) => call === operation).length;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    const operation = String(req.headers['x-amz-target'] ?? '');
    // Answered in the JSON version asked in: 1.0 for SQS and Secrets Manager, 1.1 for EventBridge.
    const json = /^application\/x-amz-json-1\.[01]$/.exec(String(req.headers['content-type']))?.[0];
    res.setHeader('content-type', json ?? 'application/x-amz-json-1.0');
    this.calls.push(operation);
    const input = JSON.parse(text || '{}');
    if (operation === PUT_EVENTS && this.eventsLatencyMs > 0) await sleep(this.eventsLatencyMs);
    const failure = this.failures.get(operation);
    if (failure && failure.remaining > 0) {
      failure.remaining--;
      if (operation === PUT_EVENTS) this.bus.refused(input, failure.type);
      return reply(res, failure.status, { __type: failure.type, message: 'Injected failure' });
    }
    switch (operation) {
      case 'secretsmanager.GetSecretValue': {
        this.secretReads.push(input.SecretId);
        const value = this.secrets.get(input.SecretId);
        if (value === undefined) {
          return reply(res, 400, {
            __type: 'ResourceNotFoundException',
            message: "Secrets Manager can't find the specified secret.",
          });
        }
        return reply(res, 200, {
          ARN: `arn:aws:secretsmanager:eu-central-1:000000000000:secret:${input.SecretId}`,
          Name: input.SecretId,
          SecretString: value,
          VersionId: randomUUID(),
          VersionStages: ['AWSCURRENT'],
          CreatedDate: Date.now() / 1000,
        });
      }
      case 'AmazonSQS.SendMessage':
        this.sentMessages.push(input);
        return reply(res, 200, {
          MessageId: randomUUID(),
          MD5OfMessageBody: createHash('md5').update(input.MessageBody).digest('hex'),
        });
      case 'AmazonSQS.ChangeMessageVisibility':
        this.visibilityChanges.push(input);
        return reply(res, 200, {});
      case PUT_EVENTS: {
        const answer = this.bus.putEvents(input, signedRegion(req) ?? 'eu-central-1');
        return reply(res, answer.status, answer.body);
      }
      default:
        return reply(res, 400, { __type: 'UnknownOperationException', message: `Not served here: ${operation}` });
    }
  }
}

export async function startAwsLoopback(port = 0): Promise<AwsLoopback> {
  return new AwsLoopback().listen(port);
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const type = (body as { __type?: string }).__type;
  res.writeHead(status, {
    'x-amzn-requestid': randomUUID(),
    ...(type ? { 'x-amzn-errortype': type } : {}),
  });
  res.end(JSON.stringify(body));
}
