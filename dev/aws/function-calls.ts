/**
 * The few AWS operations the function calls, answered on loopback in the AWS JSON protocol the
 * SDK v3 speaks, so the real SDK can be pointed here with AWS_ENDPOINT_URL_SECRETS_MANAGER and
 * AWS_ENDPOINT_URL_SQS: Secrets Manager GetSecretValue, SQS SendMessage and ChangeMessageVisibility.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../shared/read-body.ts';

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

export class AwsLoopback {
  readonly secrets = new Map<string, string>();
  readonly sentMessages: SentMessage[] = [];
  readonly visibilityChanges: VisibilityChange[] = [];
  readonly calls: Operation[] = [];
  /** The SecretId of every GetSecretValue, in order. */
  readonly secretReads: string[] = [];
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

  clearFailures(): void {
    this.failures.clear();
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
    this.calls.push(operation);
    const input = JSON.parse(text || '{}');
    const failure = this.failures.get(operation);
    if (failure && failure.remaining > 0) {
      failure.remaining--;
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
    'content-type': 'application/x-amz-json-1.0',
    'x-amzn-requestid': randomUUID(),
    ...(type ? { 'x-amzn-errortype': type } : {}),
  });
  res.end(JSON.stringify(body));
}
