import {
  type AttributeValue,
  DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { beforeDeadline } from '../../shared/deadline.ts';
import { isConditionFailure, itemOfConditionFailure, TimeoutError } from '../ordering-faults.ts';
import { BUDGET_ITEM_KEY, ORDERING_TABLE } from '../ordering-table.ts';
import type { BudgetStore, WriteResult } from './memory-store.ts';
import type { BudgetState, Write } from './state.ts';

type Item = Record<string, AttributeValue>;

/** A budget call slower than this is a failed one: the container falls back rather than keep Thulium's callers waiting. */
export const BUDGET_CALL_MS = 1_000;

/** Scalar fields and their attributes; `learned` is written as two attributes, or removed. */
const NUMBERS = {
  epoch: 'epoch',
  line: 'line',
  httpLine: 'http_line',
  curveAt: 'curve_at',
  curveTicket: 'curve_ticket',
  pausedUntil: 'paused_until',
  pausedAt: 'paused_at',
  startedAt: 'started_at',
  limitedAt: 'limited_at',
} as const satisfies Partial<Record<keyof BudgetState, string>>;

const n = (value: number): AttributeValue => ({ N: String(value) });
/** Every attribute by an alias: several (`base`, `line`...) are DynamoDB reserved words. */
const ATTRIBUTES = [...Object.values(NUMBERS), 'base', 'base_from', 'holders', 'recent'];
const alias = (name: string) => `#${name}`;
const numbersOf = (map: AttributeValue | undefined): Record<string, number> =>
  Object.fromEntries(Object.entries(map?.M ?? {}).map(([key, v]) => [key, Number(v.N)]));
const num = (item: Item, name: string) => (item[name]?.N === undefined ? undefined : Number(item[name].N));

export function stateOf(item: Item | undefined): BudgetState | undefined {
  if (!item || num(item, 'epoch') === undefined) return undefined;
  const state = Object.fromEntries(
    Object.entries(NUMBERS).map(([field, name]) => [field, num(item, name) ?? 0]),
  ) as unknown as BudgetState;
  const base = num(item, 'base');
  if (base !== undefined) state.learned = { base, from: num(item, 'base_from') ?? 0 };
  state.holders = numbersOf(item.holders);
  state.recent = numbersOf(item.recent);
  return state;
}

/** The update a write makes, and the condition it is made on, as DynamoDB expressions. */
export function expressionOf(write: Write): Omit<UpdateItemCommandInput, 'TableName' | 'Key'> {
  const names: Record<string, string> = {};
  const values: Item = {};
  const set: string[] = [];
  const remove: string[] = [];
  const conditions: string[] = [];
  let v = 0;
  const value = (attribute: AttributeValue) => {
    const key = `:v${v++}`;
    values[key] = attribute;
    return key;
  };
  if (write.kind === 'lease') {
    conditions.push(`epoch = ${value(n(write.expectEpoch))}`);
    for (const move of write.moves) {
      const name = NUMBERS[move.field];
      if (move.mode === 'add') {
        set.push(`${name} = ${name} + ${value(n(move.by))}`);
        conditions.push(`${name} >= ${value(n(move.min))}`);
        if (move.max !== undefined) conditions.push(`${name} <= ${value(n(move.max))}`);
      } else {
        set.push(`${name} = ${value(n(move.to))}`);
        conditions.push(`${name} < ${value(n(move.below))}`);
      }
    }
    names['#me'] = write.holder.id;
    names['#s'] = String(write.second);
    set.push(`holders.#me = ${value(n(write.holder.until))}`);
    set.push(`recent.#s = if_not_exists(recent.#s, ${value(n(0))}) + ${value(n(write.calls))}`);
    for (const [map, keys] of [
      ['holders', write.prune.holders],
      ['recent', write.prune.seconds],
    ] as const) {
      for (const key of keys) {
        const name = `#p${Object.keys(names).length}`;
        names[name] = key;
        remove.push(`${map}.${name}`);
      }
    }
    return expression(set, remove, conditions, names, values);
  }
  const { state } = write;
  for (const [field, name] of Object.entries(NUMBERS)) {
    // The counters move by leases alone: a state planned a moment ago would hand their tickets out again.
    if (write.kind === 'replace' && (field === 'line' || field === 'httpLine')) continue;
    set.push(`${name} = ${value(n(state[field as keyof typeof NUMBERS]))}`);
  }
  if (state.learned) set.push(`base = ${value(n(state.learned.base))}`, `base_from = ${value(n(state.learned.from))}`);
  else remove.push('base', 'base_from');
  if (write.kind === 'create') {
    set.push(`holders = ${value({ M: {} })}`, `recent = ${value({ M: {} })}`);
    conditions.push('attribute_not_exists(epoch)');
  } else {
    conditions.push(`epoch = ${value(n(write.expectEpoch))}`);
  }
  return expression(set, remove, conditions, names, values);
}

function expression(
  set: string[],
  remove: string[],
  conditions: string[],
  names: Record<string, string>,
  values: Item,
) {
  const used: Record<string, string> = {};
  const aliased = (text: string) =>
    text.replace(/(?<![#:\w])([a-z_]+)(?!\w|\()/g, (word) => {
      if (!ATTRIBUTES.includes(word)) return word;
      used[alias(word)] = word;
      return alias(word);
    });
  const parts = [`SET ${set.join(', ')}`, remove.length ? `REMOVE ${remove.join(', ')}` : ''];
  const UpdateExpression = aliased(parts.filter(Boolean).join(' '));
  const ConditionExpression = aliased(conditions.join(' AND '));
  return {
    UpdateExpression,
    ConditionExpression,
    ExpressionAttributeNames: { ...names, ...used },
    ExpressionAttributeValues: values,
  };
}

/** The budget as one item of the deployment's table, beside the ordering guard's numbers. */
export function dynamoDbBudgetStore(tableName: string, client?: DynamoDBClient): BudgetStore {
  const dynamo =
    client ??
    new DynamoDBClient({
      maxAttempts: 2,
      requestHandler: { connectionTimeout: BUDGET_CALL_MS, requestTimeout: BUDGET_CALL_MS },
    });
  const Key = { [ORDERING_TABLE.partitionKey]: { S: BUDGET_ITEM_KEY } };
  const bounded = <T>(call: Promise<T>) => beforeDeadline(call, Date.now() + BUDGET_CALL_MS, () => new TimeoutError());
  const read = async () =>
    stateOf((await bounded(dynamo.send(new GetItemCommand({ TableName: tableName, Key, ConsistentRead: true })))).Item);
  return {
    shared: true,
    read,
    async write(write): Promise<WriteResult> {
      const input = { TableName: tableName, Key, ReturnValues: 'ALL_NEW' as const, ...expressionOf(write) };
      try {
        const answer = await bounded(
          dynamo.send(new UpdateItemCommand({ ...input, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' })),
        );
        return { ok: true, state: stateOf(answer.Attributes) };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        // An emulator that does not return the item a condition failed on: it is read.
        const item = itemOfConditionFailure(error);
        return { ok: false, state: item ? stateOf(item) : await read() };
      }
    },
  };
}
