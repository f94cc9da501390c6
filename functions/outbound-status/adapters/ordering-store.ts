import { createHmac, randomUUID } from 'node:crypto';
import { DynamoDBClient, GetItemCommand, UpdateItemCommand, type AttributeValue, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import {
  ConfigurationError,
  OrderingStoreUnavailableError,
  OutboundStatusError,
  SupersededError,
  UpdateInProgressError,
} from '../core/errors.ts';
import type { Claim, GuardedUpdate, OrderingGuard } from '../core/ordering.ts';
import { AWS_CLIENT_LIMITS, beforeDeadline, MIN_ATTEMPT_MS } from '../shared/deadline.ts';
import { ORDERING_TABLE } from './ordering-table.ts';

/** A hold outlives the holder's own deadline by this much: a killed container blocks its number no longer. */
const HOLD_GRACE_MS = 5_000;
/** Waiting for another update of the same number: doubling pauses, jittered, up to this. */
const WAIT_MAX_MS = 250;
/** Recording an applied update gets at least this long, even when Thulium answered at the deadline. */
const RECORD_MIN_MS = 500;
/** DynamoDB answers that no retry will fix until someone changes the table, the role or the settings. */
const CONFIGURATION_FAULTS = new Set(['ResourceNotFoundException', 'AccessDeniedException', 'ValidationException', 'UnrecognizedClientException']);

export interface OrderingStoreOptions {
  tableName: string;
  ttlSeconds: number;
  /** The HMAC key of the numbers' hashes. */
  hashKey: (deadline: number) => Promise<Buffer>;
  /** Told of every failed store call, for the metric and the log: the guard itself only throws. */
  onFailure: (error: OutboundStatusError) => void;
  client?: DynamoDBClient;
}

/**
 * The ordering guard on a DynamoDB table, one item per number (README, "The ordering guard"):
 * a conditional write takes the number, a second records the applied version and lets it go.
 * Two store calls per update when nobody else holds the number; no read-then-write.
 */
export function dynamoDbOrderingGuard(options: OrderingStoreOptions): OrderingGuard {
  const client = options.client ?? new DynamoDBClient(AWS_CLIENT_LIMITS);
  const TableName = options.tableName;
  const names = { '#ttl': ORDERING_TABLE.ttlAttribute };
  const update = (input: Omit<UpdateItemCommandInput, 'TableName'>, deadline: number) =>
    send(() => client.send(new UpdateItemCommand({ TableName, ...input })), deadline);
  const expiresAt = (): AttributeValue => ({ N: String(Math.floor(Date.now() / 1000) + options.ttlSeconds) });

  async function send<T>(call: () => Promise<T>, deadline: number): Promise<T> {
    try {
      return await beforeDeadline(call(), deadline, () => new TimeoutError());
    } catch (error) {
      if ((error as Error)?.name === 'ConditionalCheckFailedException') throw error;
      const failure = classify(TableName, error);
      options.onFailure(failure);
      throw failure;
    }
  }

  function claimOf(Key: Record<string, AttributeValue>, owner: string, claimed: GuardedUpdate): Claim {
    const ownerOnly = { ConditionExpression: 'lock_owner = :owner', ExpressionAttributeValues: { ':owner': { S: owner } } };
    return {
      async applied(deadline) {
        try {
          await update(
            {
              Key,
              UpdateExpression: 'SET applied_version = :version, applied_status_id = :status, #ttl = :ttl REMOVE lock_owner, lock_until',
              ExpressionAttributeNames: names,
              ...ownerOnly,
              ExpressionAttributeValues: {
                ...ownerOnly.ExpressionAttributeValues,
                ':version': { N: String(claimed.version) },
                ':status': { S: claimed.statusId },
                ':ttl': expiresAt(),
              },
            },
            Math.max(deadline, Date.now() + RECORD_MIN_MS),
          );
        } catch (error) {
          if ((error as Error)?.name !== 'ConditionalCheckFailedException') throw error;
          // Our hold ran out and another update may have been applied since: ours must be judged again.
          throw new OrderingStoreUnavailableError('Thulium applied the update, but its hold on the number expired before it was recorded; it must be sent again');
        }
      },
      async release() {
        // A failed release only makes the next update of this number wait for the hold to run out.
        await update({ Key, UpdateExpression: 'REMOVE lock_owner, lock_until', ...ownerOnly }, Date.now() + RECORD_MIN_MS * 2).catch(() => undefined);
      },
    };
  }

  async function claimInStore(Key: Record<string, AttributeValue>, guarded: GuardedUpdate, deadline: number): Promise<Claim> {
    const owner = randomUUID();
    for (let wait = 10; ; wait = Math.min(WAIT_MAX_MS, wait * 2)) {
      const now = Date.now();
      try {
        await update(
          {
            Key,
            UpdateExpression: 'SET lock_owner = :owner, lock_until = :until, #ttl = :ttl',
            ConditionExpression:
              '(attribute_not_exists(lock_until) OR lock_until < :now) AND ' +
              '(attribute_not_exists(applied_version) OR applied_version <= :version)',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: {
              ':owner': { S: owner },
              ':until': { N: String(deadline + HOLD_GRACE_MS) },
              ':now': { N: String(now) },
              ':version': { N: String(guarded.version) },
              ':ttl': expiresAt(),
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
          deadline,
        );
        return claimOf(Key, owner, guarded);
      } catch (error) {
        if ((error as Error)?.name !== 'ConditionalCheckFailedException') throw error;
        // DynamoDB returns the item that failed the condition; an emulator may not, then it is read.
        const item =
          (error as { Item?: Record<string, AttributeValue> }).Item ??
          (await send(() => client.send(new GetItemCommand({ TableName, Key, ConsistentRead: true })), deadline)).Item;
        const applied = item?.applied_version?.N === undefined ? undefined : Number(item.applied_version.N);
        if (applied !== undefined && applied > guarded.version) {
          throw new SupersededError(guarded.version, applied);
        }
        const pause = wait / 2 + (Math.random() * wait) / 2;
        if (Date.now() + pause + MIN_ATTEMPT_MS > deadline) throw new UpdateInProgressError();
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
  }

  // Records of one number in this container's batch take turns here, so they need not poll the store.
  const turns = new Map<string, Promise<void>>();

  return {
    async claim(guarded, deadline) {
      const hash = hmac(await options.hashKey(deadline), guarded.phoneNumber);
      const previous = turns.get(hash);
      let finish!: () => void;
      const mine = new Promise<void>((resolve) => (finish = resolve));
      const turn = (previous ?? Promise.resolve()).then(() => mine);
      turns.set(hash, turn);
      const done = () => {
        finish();
        if (turns.get(hash) === turn) turns.delete(hash);
      };
      try {
        if (previous) await beforeDeadline(previous, deadline - MIN_ATTEMPT_MS, () => new UpdateInProgressError());
        const claim = await claimInStore({ [ORDERING_TABLE.partitionKey]: { S: hash } }, guarded, deadline);
        return {
          applied: (until) => claim.applied(until).finally(done),
          release: () => claim.release().finally(done),
        };
      } catch (error) {
        done();
        throw error;
      }
    },
  };
}

/** The number as the table keys it: never in clear (personal data), the same for every container. */
const hmac = (key: Buffer, phoneNumber: string) => createHmac('sha256', key).update(phoneNumber, 'utf8').digest('hex');

class TimeoutError extends Error {
  override name = 'TimeoutError';
}

function classify(tableName: string, error: unknown): OutboundStatusError {
  if (error instanceof OutboundStatusError) return error;
  const name = (error as { name?: string } | undefined)?.name ?? 'UnknownError';
  if (CONFIGURATION_FAULTS.has(name)) return new ConfigurationError(`Cannot use ordering table ${tableName}: ${name}`);
  return new OrderingStoreUnavailableError(`The ordering store is unavailable (table ${tableName}): ${name}`, { cause: error });
}
