/**
 * Loopback fronts for the Thulium budget's integration tests. A front passes every request to its
 * target unchanged and notes it; before the deployment's DynamoDB it tells the shared budget's calls
 * (they name its item, BUDGET_ITEM_KEY) from the ordering guard's, and can fail only those. Cut, a
 * front holds every request from then on, never forwarded nor answered: a killed container's links.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../../dev/shared/read-body.ts';
import { BUDGET_ITEM_KEY } from '../../functions/outbound-status/adapters/ordering-table.ts';

/** The budget's key as DynamoDB's JSON protocol carries it: `{"S":"thulium-budget"}`. */
const BUDGET_KEY = `"${BUDGET_ITEM_KEY}"`;

export interface FrontCall {
  at: number;
  /** DynamoDB's operation (after `DynamoDB_20120810.`), or the request's path for any other target. */
  operation: string;
  /** The request names the shared budget's item. */
  budget: boolean;
  outcome: 'passed' | 'failed' | 'held';
}

/** How the budget's calls fail while `failBudget` holds: as DynamoDB answers an error, or not at all. */
export type BudgetFault = { status: number; errorType: string } | { hang: true };

export class Front {
  readonly calls: FrontCall[] = [];
  private budgetFault: BudgetFault | undefined;
  private cutAfter = Number.POSITIVE_INFINITY;
  private onCut: (() => void) | undefined;
  private readonly held = new Set<ServerResponse>();
  private readonly server = createServer((req, res) => void this.serve(req, res));
  private readonly target: string;

  constructor(target: string) {
    this.target = target;
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Calls naming the budget's item, from `since` (epoch ms) on. */
  budgetCalls(since = 0): FrontCall[] {
    return this.calls.filter((call) => call.budget && call.at >= since);
  }

  /** From now on the budget's calls meet `fault`; the ordering guard's pass. Undefined: they pass again. */
  failBudget(fault: BudgetFault | undefined): void {
    this.budgetFault = fault;
  }

  /** The next `count` requests pass; every one after is held, and `then` runs as the first is. */
  cut(count = 0, then?: () => void): void {
    this.cutAfter = this.calls.length + count;
    this.onCut = then;
  }

  async close(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.held.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req).catch(() => undefined);
    if (body === undefined) return void res.destroy();
    const target = String(req.headers['x-amz-target'] ?? '');
    const call: FrontCall = {
      at: Date.now(),
      operation: target ? (target.split('.').pop() ?? '') : (req.url ?? '/'),
      budget: body.includes(BUDGET_KEY),
      outcome: 'passed',
    };
    this.calls.push(call);
    if (this.calls.length > this.cutAfter) {
      call.outcome = 'held';
      if (this.calls.length === this.cutAfter + 1) this.onCut?.();
      this.held.add(res);
      return;
    }
    const fault = call.budget ? this.budgetFault : undefined;
    if (fault && 'hang' in fault) {
      call.outcome = 'held';
      this.held.add(res);
      return;
    }
    if (fault) {
      call.outcome = 'failed';
      res.writeHead(fault.status, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-errortype': fault.errorType,
      });
      res.end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${fault.errorType}`, message: 'Injected' }));
      return;
    }
    const upstream = request(
      `${this.target}${req.url ?? '/'}`,
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    upstream.end(body);
  }
}

export const startFront = (target: string) => new Front(target).listen();
