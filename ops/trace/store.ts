import { type AttributeValue, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { numberHash } from '../../functions/outbound-status/adapters/number-key.ts';
import { APPLIED, ORDERING_TABLE } from '../../functions/outbound-status/adapters/ordering-table.ts';
import { maskPhoneNumbersIn } from '../../functions/outbound-status/core/phone-number.ts';
import { truncate } from '../../functions/outbound-status/shared/text.ts';
import { describeError } from '../dlq/cli-error.ts';
import { type AwsClients, isNotFound, SERVICES } from './aws.ts';
import type { HashKey } from './hash-key.ts';
import type { Target } from './targets.ts';

/** What the number's item says, every time as ISO 8601; absent what the item does not hold. */
export interface StoredNumber {
  statusId?: string;
  /** The applied update's version. */
  version?: string;
  appliedAt?: string;
  face?: string;
  correlationId?: string;
  reference?: string;
  /** An update of the number holds it until then; absent when nobody does now. */
  heldUntil?: string;
  /** When DynamoDB may delete the item (its TTL). */
  expiresAt?: string;
}

export interface StoreSection {
  table?: string;
  /** null: the table holds no item for the number. */
  item?: StoredNumber | null;
  /** Why there is nothing to read (the guard is off): not a failure. */
  note?: string;
  error?: string;
}

type Item = Record<string, AttributeValue>;

/** The number's item, read as the guard reads it before judging an update: strongly consistent. */
export async function readStore(
  aws: AwsClients,
  table: Target,
  key: HashKey,
  normalised: string,
  now: number,
): Promise<StoreSection> {
  if ('none' in table) return { note: `${table.none}: nothing is recorded per number` };
  if ('none' in key) return { note: `${key.none}: nothing is recorded per number` };
  if ('missing' in table) return { error: `the table is ${table.missing}` };
  const TableName = table.value;
  if ('error' in key)
    return { table: TableName, error: `the number's item cannot be found without its key: ${key.error}` };
  try {
    const { Item } = await aws.dynamodb().send(
      new GetItemCommand({
        TableName,
        Key: { [ORDERING_TABLE.partitionKey]: { S: numberHash(key.key, normalised) } },
        ConsistentRead: true,
      }),
    );
    return { table: TableName, item: Item === undefined ? null : storedNumber(Item, now) };
  } catch (error) {
    if (isNotFound(error)) return { table: TableName, error: `table ${TableName} not found` };
    return { table: TableName, error: describeError(error, SERVICES.dynamodb) };
  }
}

/** The item's attributes as an operator reads them; what a sender chose is masked like in the logs. */
export function storedNumber(item: Item, now: number): StoredNumber {
  const text = (name: string) => {
    const value = item[name]?.S;
    return value === undefined ? undefined : truncate(maskPhoneNumbersIn(value), 128, '…');
  };
  const lockUntil = Number(item.lock_until?.N);
  const stored: StoredNumber = {
    statusId: text(APPLIED.statusId),
    version: timeOf(item[APPLIED.version]?.N, 1),
    appliedAt: timeOf(item[APPLIED.at]?.N, 1),
    face: text(APPLIED.face),
    // An SQS message id or an API Gateway request id: no sender's text, and masking would break it.
    correlationId: item[APPLIED.correlationId]?.S,
    reference: text(APPLIED.reference),
    heldUntil: lockUntil > now ? timeOf(item.lock_until?.N, 1) : undefined,
    expiresAt: timeOf(item[ORDERING_TABLE.ttlAttribute]?.N, 1_000),
  };
  return Object.fromEntries(Object.entries(stored).filter(([, value]) => value !== undefined));
}

/** A number attribute of epoch `unit`s (ms: 1, s: 1000) as ISO 8601. */
function timeOf(value: string | undefined, unit: number): string | undefined {
  const at = Number(value) * unit;
  // Past ±8.64e15 ms there is no Date: a damaged attribute shows as missing, not as a crash.
  return value === undefined || !(Math.abs(at) <= 8.64e15) ? undefined : new Date(at).toISOString();
}
