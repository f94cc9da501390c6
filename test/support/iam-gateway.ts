/**
 * API Gateway's side of an AWS_IAM method, on loopback: a request must carry a valid SigV4
 * signature for execute-api, checked here from first principles (AWS's documented algorithm, not
 * the SDK's signer), before it becomes a REST API event for a container of the function.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../../dev/shared/read-body.ts';
import { API_RESOURCE_PATH, STAGE_NAME } from '../../infra/api-route.ts';
import { lambdaContext, restApiEvent } from './aws-events.ts';
import type { Handler } from './world.ts';

export interface IamGateway {
  /** The method's URL, as the stack's ApiUrl output names it. */
  url: string;
  /** Requests that reached the function, with the access key that signed each. */
  admitted: string[];
  /** The body of each admitted request, as it came. */
  bodies: string[];
  close(): Promise<void>;
}

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

export async function startIamGateway(options: {
  handler: () => Promise<Handler>;
  keys: Record<string, string>;
  region: string;
}): Promise<IamGateway> {
  const admitted: string[] = [];
  const bodies: string[] = [];
  const server = createServer((req, res) => void serve(req, res));
  async function serve(req: IncomingMessage, res: ServerResponse) {
    const body = await readBody(req);
    const refusal = verify(req, body, options.keys, options.region);
    if (refusal)
      return answer(res, 403, { error: { code: refusal.code, message: refusal.message, request_id: 'gateway' } });
    admitted.push(accessKeyOf(req));
    bodies.push(body);
    const handler = await options.handler();
    const result = await handler(
      restApiEvent({ body, contentType: req.headers['content-type'] ?? null }),
      lambdaContext(),
    );
    res.writeHead(result.statusCode, result.headers);
    res.end(result.body);
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${STAGE_NAME}/${API_RESOURCE_PATH}`,
    admitted,
    bodies,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const CREDENTIAL =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

const accessKeyOf = (req: IncomingMessage) => CREDENTIAL.exec(String(req.headers.authorization))?.[1] ?? '';

function verify(req: IncomingMessage, body: string, keys: Record<string, string>, region: string) {
  const match = CREDENTIAL.exec(String(req.headers.authorization ?? ''));
  if (!match) return { code: 'MISSING_AUTHENTICATION_TOKEN', message: 'Missing Authentication Token' };
  const [, accessKey, day, scopeRegion, service, signedHeaders, signature] = match;
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  const secret = keys[accessKey];
  if (secret === undefined)
    return { code: 'UNRECOGNIZED_CLIENT', message: 'The security token included in the request is invalid.' };
  if (service !== 'execute-api' || scopeRegion !== region || !amzDate.startsWith(day)) {
    return { code: 'INVALID_SIGNATURE', message: `Credential should be scoped to ${region}/execute-api` };
  }
  const skew = Math.abs(
    Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z')) - Date.now(),
  );
  if (!(skew < 5 * 60_000)) return { code: 'INVALID_SIGNATURE', message: 'Signature expired' };
  const names = signedHeaders.split(';');
  if (!names.includes('host')) return { code: 'INVALID_SIGNATURE', message: 'host must be signed' };
  const url = new URL(req.url ?? '/', 'http://gateway');
  const query = [...url.searchParams]
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .sort()
    .join('&');
  const headers = names
    .map(
      (name) =>
        `${name}:${String(req.headers[name] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const canonical = ['POST', url.pathname, query, headers, signedHeaders, sha256(body)].join('\n');
  const scope = `${day}/${scopeRegion}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), scopeRegion), service), 'aws4_request');
  const expected = Buffer.from(hmac(key, toSign).toString('hex'));
  if (!timingSafeEqual(expected, Buffer.from(signature))) {
    return {
      code: 'INVALID_SIGNATURE',
      message: 'The request signature we calculated does not match the signature you provided.',
    };
  }
  return undefined;
}

function answer(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
