/**
 * SQS's message move tasks (StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask) in
 * front of fauxqs, which does not implement them. A loopback HTTP server speaks the SQS JSON
 * protocol the SDK uses (`POST /`, `X-Amz-Target: AmazonSQS.<Action>`, an
 * `application/x-amz-json-1.0` body), answers those three actions as AWS documents them, and
 * passes every other request to fauxqs unchanged. A task moves messages with fauxqs's own
 * receive, send and delete, so what a test sees in the queues is what the task did.
 *
 * What AWS documents, and is kept: one active task per source queue; the source must be the
 * dead-letter queue of some queue; ApproximateNumberOfMessagesToMove is the source's count at the
 * start; at most MaxNumberOfMessagesPerSecond (1-500); statuses RUNNING, CANCELLING, CANCELLED,
 * COMPLETED, FAILED; TaskHandle listed only while RUNNING; the ten newest tasks listed, newest
 * first; a cancelled task keeps what it moved. Messages keep their attributes. Without a
 * DestinationArn, SQS sends a message back to the queue its redrive policy moved it from; fauxqs
 * does not record that, so such a task fails, as it does on AWS for messages sent to the DLQ directly.
 */
import { randomUUID } from 'node:crypto';
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { readBody } from '../../dev/shared/read-body.ts';
import { release } from './sqs-emulator.ts';

export type MoveTaskStatus = 'RUNNING' | 'CANCELLING' | 'CANCELLED' | 'COMPLETED' | 'FAILED';

export interface MoveTask {
  taskId: string;
  sourceArn: string;
  destinationArn?: string;
  maxNumberOfMessagesPerSecond?: number;
  status: MoveTaskStatus;
  moved: number;
  toMove: number;
  startedTimestamp: number;
  failureReason?: string;
}

/** Called with each request passed to fauxqs once fauxqs has answered it, before the client gets the answer. */
export type ForwardHook = (action: string, input: Record<string, unknown>) => void | Promise<void>;

export interface MoveTaskFront {
  /** What a client gets as AWS_ENDPOINT_URL_SQS. */
  endpoint: string;
  /** Every task started, oldest first, as the front holds it. */
  tasks: readonly MoveTask[];
  /**
   * Watches the requests passed on, e.g. to stop a client between a call SQS carried out and the
   * answer it never saw; returns the way to stop watching.
   */
  onForwarded(hook: ForwardHook): () => void;
  close(): Promise<void>;
}

/** An SQS error as the JSON protocol carries it, with the query-compatible code the SDK reads. */
class SqsFault extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, message: string, status = 400) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

const MAX_RATE = 500;
const VISIBILITY_WHILE_MOVING_SECONDS = 30;

export async function startMoveTaskFront(upstream: string): Promise<MoveTaskFront> {
  const agent = new Agent({ keepAlive: true });
  const clients = new Map<string, SQSClient>();
  const tasks: MoveTask[] = [];
  const running = new Set<Promise<void>>();
  const hooks = new Set<ForwardHook>();
  let closing = false;

  // The task's calls go straight to fauxqs, as SQS's own would not pass through a client's endpoint.
  const sqsFor = (region: string) => {
    let client = clients.get(region);
    if (client === undefined) {
      client = new SQSClient({
        region,
        endpoint: upstream,
        credentials: { accessKeyId: 'AKIDMOVETASK', secretAccessKey: 'move-task' },
        useQueueUrlAsEndpoint: false,
      });
      clients.set(region, client);
    }
    return client;
  };

  /** The queue an ARN names, with the client of its region. */
  async function queueOf(arn: string, parameter: string): Promise<{ sqs: SQSClient; url: string }> {
    const [, , service, region, , name] = arn.split(':');
    if (service !== 'sqs' || !region || !name)
      throw new SqsFault('InvalidParameterValue', `Value for parameter ${parameter} is invalid.`);
    const sqs = sqsFor(region);
    try {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
      return { sqs, url: QueueUrl! };
    } catch {
      throw new SqsFault(
        'ResourceNotFoundException',
        `The resource that you specified for the ${parameter} parameter doesn't exist.`,
        404,
      );
    }
  }

  async function isDeadLetterQueue(sqs: SQSClient, arn: string): Promise<boolean> {
    const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({}));
    for (const url of QueueUrls) {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['RedrivePolicy'] }),
      );
      if (Attributes.RedrivePolicy && JSON.parse(Attributes.RedrivePolicy).deadLetterTargetArn === arn) return true;
    }
    return false;
  }

  const taskHandle = (task: MoveTask) =>
    Buffer.from(JSON.stringify({ taskId: task.taskId, sourceArn: task.sourceArn })).toString('base64');

  const actions: Record<string, (input: Record<string, unknown>) => Promise<object>> = {
    async StartMessageMoveTask(input) {
      const sourceArn = requiredString(input, 'SourceArn');
      const destinationArn = optionalString(input, 'DestinationArn');
      const rate = input.MaxNumberOfMessagesPerSecond;
      if (rate !== undefined && (!Number.isInteger(rate) || (rate as number) < 1 || (rate as number) > MAX_RATE)) {
        throw new SqsFault('InvalidParameterValue', 'Value for parameter MaxNumberOfMessagesPerSecond is invalid.');
      }
      const { sqs, url: sourceUrl } = await queueOf(sourceArn, 'SourceArn');
      if (!(await isDeadLetterQueue(sqs, sourceArn)))
        throw new SqsFault('InvalidParameterValue', 'Source queue must be configured as a Dead Letter Queue.');
      const destinationUrl =
        destinationArn === undefined ? undefined : (await queueOf(destinationArn, 'DestinationArn')).url;
      if (
        tasks.some(
          (task) => task.sourceArn === sourceArn && (task.status === 'RUNNING' || task.status === 'CANCELLING'),
        )
      ) {
        throw new SqsFault(
          'InvalidParameterValue',
          'There is already a task running. Only one active task is allowed for a source queue arn at a given time.',
        );
      }
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: sourceUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
      );
      const task: MoveTask = {
        taskId: randomUUID(),
        sourceArn,
        destinationArn,
        maxNumberOfMessagesPerSecond: rate as number | undefined,
        status: 'RUNNING',
        moved: 0,
        toMove: Number(Attributes.ApproximateNumberOfMessages ?? 0),
        startedTimestamp: Date.now(),
      };
      tasks.push(task);
      const run = move(sqs, task, sourceUrl, destinationUrl).finally(() => running.delete(run));
      running.add(run);
      return { TaskHandle: taskHandle(task) };
    },

    async ListMessageMoveTasks(input) {
      const sourceArn = requiredString(input, 'SourceArn');
      const max = input.MaxResults ?? 1;
      if (!Number.isInteger(max) || (max as number) < 1 || (max as number) > 10) {
        throw new SqsFault('InvalidParameterValue', 'Value for parameter MaxResults is invalid.');
      }
      await queueOf(sourceArn, 'SourceArn');
      const newest = tasks
        .filter((task) => task.sourceArn === sourceArn)
        .reverse()
        .slice(0, max as number);
      return {
        Results: newest.map((task) => ({
          ApproximateNumberOfMessagesMoved: task.moved,
          ApproximateNumberOfMessagesToMove: task.toMove,
          ...(task.destinationArn !== undefined && { DestinationArn: task.destinationArn }),
          ...(task.failureReason !== undefined && { FailureReason: task.failureReason }),
          ...(task.maxNumberOfMessagesPerSecond !== undefined && {
            MaxNumberOfMessagesPerSecond: task.maxNumberOfMessagesPerSecond,
          }),
          SourceArn: task.sourceArn,
          StartedTimestamp: task.startedTimestamp,
          Status: task.status,
          ...(task.status === 'RUNNING' && { TaskHandle: taskHandle(task) }),
        })),
      };
    },

    async CancelMessageMoveTask(input) {
      let parsed: { taskId?: unknown; sourceArn?: unknown };
      try {
        parsed = JSON.parse(Buffer.from(requiredString(input, 'TaskHandle'), 'base64').toString('utf8'));
      } catch {
        throw new SqsFault('InvalidParameterValue', 'Value for parameter TaskHandle is invalid.');
      }
      if (typeof parsed.taskId !== 'string' || typeof parsed.sourceArn !== 'string') {
        throw new SqsFault('InvalidParameterValue', 'Value for parameter TaskHandle is invalid.');
      }
      await queueOf(parsed.sourceArn, 'SourceArn');
      const task = tasks.find((candidate) => candidate.taskId === parsed.taskId);
      if (task === undefined) throw new SqsFault('ResourceNotFoundException', 'Task does not exist.', 404);
      // AWS documents that only a RUNNING task can be cancelled, not the error it gives otherwise.
      if (task.status !== 'RUNNING')
        throw new SqsFault('InvalidParameterValue', 'Only a task with status RUNNING can be cancelled.');
      task.status = 'CANCELLING';
      return { ApproximateNumberOfMessagesMoved: task.moved };
    },
  };

  /** The task itself: receive, send, delete, at the task's rate, until done, cancelled or failed. */
  async function move(
    sqs: SQSClient,
    task: MoveTask,
    sourceUrl: string,
    destinationUrl: string | undefined,
  ): Promise<void> {
    const interval = task.maxNumberOfMessagesPerSecond === undefined ? 0 : 1_000 / task.maxNumberOfMessagesPerSecond;
    let next = Date.now();
    const inHand: Message[] = [];
    let failure: string | undefined;
    try {
      while (task.status === 'RUNNING' && !closing && task.moved < task.toMove) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: sourceUrl,
            MaxNumberOfMessages: Math.min(10, task.toMove - task.moved),
            VisibilityTimeout: VISIBILITY_WHILE_MOVING_SECONDS,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        if (Messages.length === 0) break;
        inHand.push(...Messages);
        if (destinationUrl === undefined)
          throw new SqsFault('CouldNotDetermineMessageSource', 'CouldNotDetermineMessageSource');
        while (inHand.length > 0 && task.status === 'RUNNING' && !closing) {
          const wait = next - Date.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          next = Math.max(Date.now(), next) + interval;
          const message = inHand[0];
          await sqs.send(new SendMessageCommand(copyOf(message, destinationUrl)));
          await sqs.send(new DeleteMessageCommand({ QueueUrl: sourceUrl, ReceiptHandle: message.ReceiptHandle }));
          inHand.shift();
          task.moved++;
        }
        // Lets requests to the front, ListMessageMoveTasks among them, be served between batches.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      failure = failureReason(error);
    }
    // Released before the status changes: a client that sees the task ended sees the source settled.
    await release(sqs, sourceUrl, inHand).catch(() => {});
    if (failure !== undefined) {
      task.status = 'FAILED';
      task.failureReason = failure;
    } else {
      task.status = task.status === 'CANCELLING' || closing ? 'CANCELLED' : 'COMPLETED';
    }
  }

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) reply(res, 500, { __type: 'com.amazonaws.sqs#InternalError', message: String(error) });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const action = String(req.headers['x-amz-target'] ?? '').replace(/^AmazonSQS\./, '');
    const own = Object.hasOwn(actions, action) ? actions[action] : undefined;
    if (own === undefined) return forward(req, action, body, res);
    try {
      reply(res, 200, await own(body.length === 0 ? {} : JSON.parse(body)));
    } catch (error) {
      if (!(error instanceof SqsFault)) throw error;
      reply(
        res,
        error.status,
        { __type: `com.amazonaws.sqs#${error.code}`, message: error.message },
        `${error.code};Sender`,
      );
    }
  }

  function forward(req: IncomingMessage, action: string, body: string, res: ServerResponse): void {
    const relay = async (answer: IncomingMessage) => {
      if (hooks.size > 0) {
        const input = body.length === 0 ? {} : JSON.parse(body);
        for (const hook of [...hooks]) await hook(action, input);
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    };
    const onward = request(
      `${upstream}${req.url ?? '/'}`,
      { method: req.method, headers: req.headers, agent },
      (answer) => {
        relay(answer).catch((error: unknown) => res.destroy(error as Error));
      },
    );
    onward.on('error', (error) => {
      if (!res.headersSent) reply(res, 502, { __type: 'com.amazonaws.sqs#InternalError', message: error.message });
      else res.destroy(error);
    });
    onward.end(body);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    tasks,
    onForwarded(hook) {
      hooks.add(hook);
      return () => hooks.delete(hook);
    },
    async close() {
      closing = true;
      await Promise.all(running);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
      for (const client of clients.values()) client.destroy();
    },
  };
}

/** A moved message as SQS moves it: body and attributes unchanged, its group kept on FIFO. */
function copyOf(message: Message, destinationUrl: string) {
  const fifo = destinationUrl.endsWith('.fifo');
  const attributes = Object.entries(message.MessageAttributes ?? {}).map(
    ([name, { DataType, StringValue, BinaryValue }]) => [name, { DataType, StringValue, BinaryValue }] as const,
  );
  return {
    QueueUrl: destinationUrl,
    MessageBody: message.Body,
    MessageAttributes: attributes.length === 0 ? undefined : Object.fromEntries(attributes),
    MessageGroupId: fifo ? message.Attributes?.MessageGroupId : undefined,
    MessageDeduplicationId: fifo ? (message.Attributes?.MessageDeduplicationId ?? message.MessageId) : undefined,
  };
}

function failureReason(error: unknown): string {
  if (error instanceof SqsFault) return error.code;
  const name = (error as Error)?.name ?? 'InternalError';
  return name === 'QueueDoesNotExist' ? 'AWS.SimpleQueueService.NonExistentQueue' : name;
}

function requiredString(input: Record<string, unknown>, name: string): string {
  const value = input[name];
  if (typeof value !== 'string' || value === '')
    throw new SqsFault('MissingParameter', `The request must contain the parameter ${name}.`);
  return value;
}

function optionalString(input: Record<string, unknown>, name: string): string | undefined {
  const value = input[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new SqsFault('InvalidParameterValue', `Value for parameter ${name} is invalid.`);
  return value;
}

function reply(res: ServerResponse, status: number, payload: object, queryError?: string): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(body),
    ...(queryError !== undefined && { 'x-amzn-query-error': queryError }),
  });
  res.end(body);
}
