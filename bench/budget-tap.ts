/**
 * A pass-through on loopback between the drains' containers and the counting front the other
 * phases use (test/support/store-faults.ts, which counts every DynamoDB call): it counts the calls
 * that name the shared Thulium budget's item (BUDGET_ITEM_KEY), to tell them from the ordering
 * guard's, whose keys are 64 hex digits. Requests and answers pass unchanged.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../dev/shared/read-body.ts';
import { BUDGET_ITEM_KEY } from '../functions/outbound-status/adapters/ordering-table.ts';

export interface BudgetTap {
  /** For AWS_ENDPOINT_URL_DYNAMODB. */
  url: string;
  /** Calls so far whose request names the budget's item. */
  readonly budgetCalls: number;
  close(): Promise<void>;
}

/** The budget's key as DynamoDB's JSON protocol carries it, e.g. `{"S":"thulium-budget"}`. */
const BUDGET_KEY = `"${BUDGET_ITEM_KEY}`;

export async function startBudgetTap(target: string): Promise<BudgetTap> {
  let budgetCalls = 0;
  const server = createServer(async (req, res) => {
    // A caller that gave up halfway gets nothing back, as from the store itself.
    const body = await readBody(req).catch(() => undefined);
    if (body === undefined) return void res.destroy();
    if (body.includes(BUDGET_KEY)) budgetCalls++;
    const upstream = request(`${target}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    upstream.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get budgetCalls() {
      return budgetCalls;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
