/**
 * The HTTP face on a laptop: every request, on any path, becomes an API Gateway REST (payload 1.0)
 * event for the function's handler, and its answer goes back as API Gateway would send it.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { lambdaContext, type Handler } from './lambda-context.ts';
import { reachableOrigin, refusalOf } from '../shared/loopback.ts';
import { readBody } from '../shared/read-body.ts';

/** Read at most this much of a request; the function's own limit (MAX_BODY_BYTES) answers 413 below it. */
const READ_LIMIT_BYTES = 1024 * 1024;

export interface RestApiGateway {
  /** As a caller on this machine reaches it. */
  url: string;
  close(): Promise<void>;
}

export async function startRestApiGateway(
  handler: Handler,
  options: { port: number; host: string; timeoutMs: number },
): Promise<RestApiGateway> {
  const server = createServer(async (req, res) => {
    const refusal = refusalOf(req.headers, options.host);
    if (refusal) {
      // API Gateway with IAM takes no browser calls either; here a page could otherwise set statuses.
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'ACCESS_DENIED', message: `The local server ${refusal}` } }));
      return;
    }
    try {
      const event = toRestApiEvent(req, await readBody(req, READ_LIMIT_BYTES));
      const result = await handler(event, lambdaContext(options.timeoutMs, 'thulium-outbound-status-local'));
      res.writeHead(result.statusCode, result.headers).end(result.body);
    } catch (error) {
      // A caller gone mid-body has no one to answer.
      if (res.destroyed) return;
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'INVOCATION_FAILED', message: (error as Error).message } }));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  return { url: reachableOrigin(server.address() as AddressInfo), close: () => closeServer(server) };
}

function toRestApiEvent(req: IncomingMessage, body: string) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const [name, value] = [req.rawHeaders[i], req.rawHeaders[i + 1]];
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query = url.searchParams.size > 0 ? Object.fromEntries(url.searchParams) : null;
  return {
    resource: '/{proxy+}',
    path: url.pathname,
    httpMethod: req.method ?? 'GET',
    headers,
    multiValueHeaders,
    queryStringParameters: query,
    multiValueQueryStringParameters:
      query && Object.fromEntries([...url.searchParams.keys()].map((k) => [k, url.searchParams.getAll(k)])),
    pathParameters: { proxy: url.pathname.slice(1) },
    stageVariables: null,
    requestContext: {
      accountId: '000000000000',
      resourceId: 'local',
      stage: 'local',
      requestId: randomUUID(),
      identity: { sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: req.headers['user-agent'] ?? '' },
      resourcePath: '/{proxy+}',
      httpMethod: req.method ?? 'GET',
      requestTimeEpoch: Date.now(),
      apiId: 'local',
    },
    body: body === '' ? null : body,
    isBase64Encoded: false,
  };
}

/** Takes no new request; one in flight gets `graceMs` to be answered, as the function may be applying it. */
function closeServer(server: Server, graceMs = 2_000): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const cutOff = setTimeout(() => server.closeAllConnections(), graceMs);
  return closed.finally(() => clearTimeout(cutOff));
}
