/**
 * A loopback front for the ordering guard's DynamoDB: passes every request through unchanged and
 * counts it by operation, or fails the chosen ones as DynamoDB fails (throttling, 5xx, silence),
 * so the function meets store faults through the real SDK and the real wire protocol.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../../dev/shared/read-body.ts';
import { pick, seededRandom } from '../../dev/shared/seeded-random.ts';

/** DynamoDB's operation names, as in X-Amz-Target after `DynamoDB_20120810.`. */
export type StoreOperation = 'UpdateItem' | 'GetItem' | string;

export type StoreFault =
  | { type: 'error'; status: number; errorType: string }
  | { type: 'hang' }
  /** The call reaches DynamoDB and is done; its answer is replaced by a 500, so the SDK repeats it. */
  | { type: 'lost-answer' };

export const THROTTLED: StoreFault = {
  type: 'error',
  status: 400,
  errorType: 'ProvisionedThroughputExceededException',
};
export const INTERNAL_ERROR: StoreFault = { type: 'error', status: 500, errorType: 'InternalServerError' };

export class StoreFaults {
  readonly calls: StoreOperation[] = [];
  /** The most calls in progress at once since the last reset of this figure. */
  maxInFlight = 0;
  private inFlight = 0;
  private rule: { operation?: StoreOperation; pass: number; fail: number; fault: StoreFault } | undefined;
  private readonly hung = new Set<ServerResponse>();
  private randomFaults: { rate: number; faults: StoreFault[]; random: () => number } | undefined;
  /** How many calls met each fault, injected or drawn. */
  readonly faultsMet: Record<string, number> = {};
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

  /** From now on, a share of the calls meets one of these faults, drawn from the seed. */
  injectRandom({ rate, seed, faults }: { rate: number; seed: number; faults: StoreFault[] }): void {
    this.randomFaults = { rate, faults, random: seededRandom(seed) };
  }

  countOf(operation: StoreOperation): number {
    return this.calls.filter((call) => call === operation).length;
  }

  reset(): void {
    this.calls.length = 0;
    for (const name of Object.keys(this.faultsMet)) delete this.faultsMet[name];
    this.rule = undefined;
    this.randomFaults = undefined;
    for (const res of this.hung) res.destroy();
    this.hung.clear();
  }

  async close(): Promise<void> {
    this.reset();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private ruleFault(operation: StoreOperation): StoreFault | undefined {
    const rule = this.rule;
    if (!rule || rule.fail === 0 || (rule.operation !== undefined && rule.operation !== operation)) return undefined;
    if (rule.pass > 0) {
      rule.pass--;
      return undefined;
    }
    rule.fail--;
    return rule.fault;
  }

  private drawFault(): StoreFault | undefined {
    const chaos = this.randomFaults;
    if (!chaos || chaos.random() >= chaos.rate) return undefined;
    return pick(chaos.faults, chaos.random);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    res.once('close', () => this.inFlight--);
    const body = await readBody(req);
    const operation =
      String(req.headers['x-amz-target'] ?? '')
        .split('.')
        .pop() ?? '';
    this.calls.push(operation);
    const fault = this.ruleFault(operation) ?? this.drawFault();
    if (fault?.type === 'lost-answer') {
      this.faultsMet['lost-answer'] = (this.faultsMet['lost-answer'] ?? 0) + 1;
      this.forward(req, body, res, (upstream) => {
        upstream.resume();
        upstream.once('end', () => fail(res, INTERNAL_ERROR as { status: number; errorType: string }));
      });
      return;
    }
    if (fault) {
      const name = fault.type === 'error' ? fault.errorType : fault.type;
      this.faultsMet[name] = (this.faultsMet[name] ?? 0) + 1;
      if (fault.type === 'hang') {
        this.hung.add(res);
        return;
      }
      fail(res, fault);
      return;
    }
    this.forward(req, body, res, (upstream) => {
      res.writeHead(upstream.statusCode ?? 502, upstream.headers);
      upstream.pipe(res);
    });
  }

  /** The request, unchanged, to the store behind; `answer` decides what the caller gets. */
  private forward(
    req: IncomingMessage,
    body: string,
    res: ServerResponse,
    answer: (upstream: IncomingMessage) => void,
  ): void {
    const upstream = request(`${this.target}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, answer);
    upstream.on('error', () => res.destroy());
    upstream.end(body);
  }
}

function fail(res: ServerResponse, fault: { status: number; errorType: string }): void {
  res.writeHead(fault.status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': fault.errorType });
  res.end(
    JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${fault.errorType}`, message: 'Injected failure' }),
  );
}

export const startStoreFaults = (target: string) => new StoreFaults(target).listen();
