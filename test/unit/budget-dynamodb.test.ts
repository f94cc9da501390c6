import { type DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LocalDynamoDb, startDynalite } from '../../dev/aws/dynamodb.ts';
import { dynamoDbBudgetStore, stateOf } from '../../functions/outbound-status/adapters/budget/dynamodb-store.ts';
import { type BudgetStore, memoryStore } from '../../functions/outbound-status/adapters/budget/memory-store.ts';
import { planLease, planLimited } from '../../functions/outbound-status/adapters/budget/plan.ts';
import {
  type BudgetState,
  type Grant,
  initialState,
  type LeaseRequest,
  ticketTime,
  type Write,
} from '../../functions/outbound-status/adapters/budget/state.ts';
import { BUDGET_ITEM_KEY, ORDERING_TABLE } from '../../functions/outbound-status/adapters/ordering-table.ts';
import { POLICY } from '../support/budget.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const SECOND = NOW / 1000;
const SET10 = { ...POLICY, setRate: 10 };
const Key = { [ORDERING_TABLE.partitionKey]: { S: BUDGET_ITEM_KEY } };

let db: LocalDynamoDb;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(() => db?.close());
beforeEach(() => db.clear());

const store = () => dynamoDbBudgetStore(db.tableName, db.client);
const rawItem = async () =>
  (await db.client.send(new GetItemCommand({ TableName: db.tableName, Key, ConsistentRead: true }))).Item;
/** The item as a create at `at` would have left it, put directly: the tests of leases need no create. */
async function seed(at = NOW - 10_000) {
  const s = initialState(at);
  const n = (value: number) => ({ N: String(value) });
  const Item = {
    ...Key,
    ...{ epoch: n(s.epoch), line: n(s.line), http_line: n(s.httpLine), curve_at: n(s.curveAt) },
    ...{ curve_ticket: n(s.curveTicket), paused_until: n(s.pausedUntil), paused_at: n(s.pausedAt) },
    ...{ started_at: n(s.startedAt), limited_at: n(s.limitedAt), holders: { M: {} }, recent: { M: {} } },
  };
  await db.client.send(new PutItemCommand({ TableName: db.tableName, Item }));
}
const req = (me: string, over: Partial<LeaseRequest> = {}): LeaseRequest => ({
  me,
  urgency: 'background',
  want: 3,
  latestStart: NOW + 60_000,
  now: NOW,
  ...over,
});

/** What a container does for a lease: plan, write, and plan again on what a refused write met. */
async function lease(on: BudgetStore, r: LeaseRequest, policy = SET10): Promise<Grant> {
  let state = await on.read();
  for (let tries = 0; tries < 50; tries++) {
    const plan = planLease(state, r, policy);
    if (plan.type !== 'write') throw new Error(`lease ${plan.type}`);
    const result = await on.write(plan.write);
    state = result.state;
    if (result.ok && plan.grant) return plan.grant(result.state!);
  }
  throw new Error('no lease in 50 tries');
}

describe('the DynamoDB budget store', () => {
  it('applies every kind of write as the memory store does, and reads back what it wrote', async () => {
    const dynamo = store();
    const memory = memoryStore();
    const both = async (write: (state: BudgetState | undefined) => Write | undefined) => {
      const planned = write(memory.state);
      if (!planned) throw new Error('nothing to write');
      const [inDynamo, inMemory] = [await dynamo.write(planned), await memory.write(planned)];
      expect(inDynamo).toEqual(inMemory);
      expect(await dynamo.read()).toEqual(inMemory.state);
      return inDynamo.state!;
    };
    const leaseWrite =
      (me: string, over: Partial<LeaseRequest> = {}) =>
      (s: BudgetState | undefined) => {
        const plan = planLease(s, req(me, over), SET10);
        return plan.type === 'write' ? plan.write : undefined;
      };

    expect(await dynamo.read()).toBeUndefined();
    await both(leaseWrite('a'));
    const later = { now: NOW + 1_000 };
    expect(await both(leaseWrite('a', later))).toMatchObject({ line: 5, recent: { [SECOND + 1]: 3 } });
    expect(await both(leaseWrite('b', { ...later, urgency: 'interactive' }))).toMatchObject({ line: 6, httpLine: 9 });
    // A 429 in the slow start: a pause, a fractional ticket to resume from, and a learned rate.
    const limited = { me: 'b', startedAt: NOW + 900, epoch: 1, ticket: 8, retryAfterMs: 2_000, rateLimited: true };
    const paused = await both((s) => planLimited(s!, { ...limited, now: NOW + 1_000 }, POLICY));
    expect(paused).toMatchObject({ epoch: 2, pausedUntil: NOW + 3_000, learned: { from: NOW + 3_200 } });
    await both(leaseWrite('c', { now: NOW + 3_300, want: 4 }));
    // A 503 after it: a pause that keeps what was learned.
    const unavailable = {
      ...limited,
      me: 'c',
      startedAt: NOW + 3_350,
      epoch: 2,
      ticket: undefined,
      rateLimited: false,
    };
    const again = await both((s) => planLimited(s!, { ...unavailable, now: NOW + 3_400 }, POLICY));
    expect(again).toMatchObject({ epoch: 3, learned: paused.learned, holders: { a: NOW + 11_000, b: NOW + 11_000 } });
  });

  it('hands out no ticket twice to 20 containers leasing at once', async () => {
    await seed();
    const grants = await Promise.all(
      Array.from({ length: 20 }, (_, i) => lease(dynamoDbBudgetStore(db.tableName, db.client), req(`c${i}`))),
    );
    const tickets = grants.flatMap((g) => g.tickets).sort((a, b) => a - b);
    // At 10 a second from 10 s ago, ticket 100 is due now: from the queue's floor (800 ms back), one after another.
    expect(tickets).toEqual(Array.from({ length: 60 }, (_, i) => 92 + i));
    const state = stateOf(await rawItem())!;
    const times = tickets.map((t) => ticketTime(state, SET10, t));
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(100 - 1e-6);
    expect(state.line).toBe(152);
    expect(state.recent).toEqual({ [SECOND]: 60 });
    expect(Object.keys(state.holders)).toHaveLength(20);
  });

  it('refuses a lease planned on another epoch, and returns the item as it is', async () => {
    await seed();
    const dynamo = store();
    await lease(dynamo, req('a'));
    const before = await dynamo.read();
    const plan = planLease({ ...before!, epoch: 7 }, req('b'), SET10);
    if (plan.type !== 'write') throw new Error(plan.type);
    expect(await dynamo.write(plan.write)).toEqual({ ok: false, state: before });
    expect(await dynamo.read()).toEqual(before);
  });

  it('takes the item a failed condition returns, without reading it again', async () => {
    await seed();
    await lease(store(), req('a'));
    const item = await rawItem();
    const sent: string[] = [];
    const failing = {
      async send(command: object) {
        sent.push(command.constructor.name);
        if (!(command instanceof UpdateItemCommand)) throw new Error('read');
        throw Object.assign(new Error('The conditional request failed'), {
          name: 'ConditionalCheckFailedException',
          Item: item,
        });
      },
    } as unknown as DynamoDBClient;
    const write = { kind: 'create', state: stateOf(item)! } as const;
    expect(await dynamoDbBudgetStore(db.tableName, failing).write(write)).toEqual({ ok: false, state: stateOf(item) });
    expect(sent).toEqual(['UpdateItemCommand']);
  });

  it('notes each holder in a map, and prunes the ones it is told to', async () => {
    await seed();
    const dynamo = store();
    for (const me of ['a', 'b', 'c']) await lease(dynamo, req(me));
    const before = (await dynamo.read())!;
    const write: Write = {
      kind: 'lease',
      expectEpoch: before.epoch,
      moves: [],
      calls: 1,
      second: SECOND + 5,
      holder: { id: 'd', until: NOW + 9 },
      prune: { holders: ['a', 'c'], seconds: [String(SECOND)] },
    };
    expect(await dynamo.write(write)).toMatchObject({ ok: true });
    const item = await rawItem();
    expect(item?.holders).toEqual({ M: { b: { N: String(before.holders.b) }, d: { N: String(NOW + 9) } } });
    expect(item?.recent).toEqual({ M: { [SECOND + 5]: { N: '1' } } });
  });

  it('throws what is not a failed condition: the container falls back on it', async () => {
    const missing = dynamoDbBudgetStore('no-such-table', db.client);
    await expect(missing.read()).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(missing.write({ kind: 'create', state: initialState(NOW) })).rejects.toThrow();
  });
});
