/**
 * A loopback front for the ordering guard's DynamoDB: passes every request through unchanged and
 * counts it by operation, or fails the chosen ones as DynamoDB fails (throttling, 5xx, silence),
 * so the function meets store faults through the real SDK and the real wire protocol.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../../dev/read-body.ts';

/** DynamoDB's operation names, as in X-Amz-Target after `DynamoDB_20120810.`. */
export type StoreOperation = 'UpdateItem' | 'GetItem' | string;

export type StoreFault =
  | { type: 'error'; status: number; errorType: string }
  | { type: 'hang' };

export const THROTTLED: StoreFault = { type: 'error', status: 400, errorType: 'ProvisionedThroughputExceededException' };
export const INTERNAL_ERROR: StoreFault = { type: 'error', status: 500, errorType: 'InternalServerError' };

export class StoreFaults {
  readonly calls: StoreOperation[] = [];
  private rule: { operation?: StoreOperation; pass: number; fail: number; fault: StoreFault } | undefined;
  private readonly hung = new Set<ServerResponse>();
  private readonly server = createServer((req, res) => void this.serve(req, res));
  private port = 0;

  private readonly target: string;

  constructor(target: string) {
    this.target = target;
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Of the calls to come (of `operation`, if given), `pass` go through, then `count` meet `fault`. */
  inject(fault: StoreFault, count = 1, options: { operation?: StoreOperation; pass?: number } = {}): void {
    this.rule = { fault, fail: count, operation: options.operation, pass: options.pass ?? 0 };
  }

  countOf(operation: StoreOperation): number {
    return this.calls.filter((call) => call === operation).length;
  }

  reset(): void {
    this.calls.length = 0;
    this.rule = undefined;
    for (const res of this.hung) res.destroy();
    this.hung.clear();
  }

  async close(): Promise<void> {
    this.reset();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
    this.calls.push(operation);
    const rule = this.rule;
    if (rule && rule.fail > 0 && (rule.operation === undefined || rule.operation === operation)) {
      if (rule.pass > 0) rule.pass--;
      else {
        rule.fail--;
        if (rule.fault.type === 'hang') {
          this.hung.add(res);
          return;
        }
        res.writeHead(rule.fault.status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': rule.fault.errorType });
        res.end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${rule.fault.errorType}`, message: 'Injected failure' }));
        return;
      }
    }
    const forward = request(`${this.target}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (upstream) => {
      res.writeHead(upstream.statusCode ?? 502, upstream.headers);
      upstream.pipe(res);
    });
    forward.on('error', () => res.destroy());
    forward.end(body);
  }
}

export const startStoreFaults = (target: string) => new StoreFaults(target).listen();
