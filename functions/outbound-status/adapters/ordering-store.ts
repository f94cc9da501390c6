import { randomUUID } from 'node:crypto';
import {
  DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { failure, type OutboundStatusError, SupersededError } from '../core/errors.ts';
import type { Claim, GuardedUpdate, OrderingGuard } from '../core/ordering.ts';
import { AWS_CLIENT_LIMITS, beforeDeadline, MIN_ATTEMPT_MS } from '../shared/deadline.ts';
import { createTurns } from '../shared/turns.ts';
import { classify, isConditionFailure, itemOfConditionFailure, TimeoutError } from './ordering-faults.ts';
import { numberHash } from './number-key.ts';
import { appliedWrite } from './applied-write.ts';
import { ORDERING_TABLE } from './ordering-table.ts';

/** A hold outlives the holder's own deadline by this much: a killed container blocks its number no longer. */
const HOLD_GRACE_MS = 5_000;
/** Waiting for another update of the same number: doubling pauses, jittered, up to this. */
const WAIT_MAX_MS = 250;
/** Recording (or releasing) gets at least this long, even when Thulium answered at the deadline. */
const RECORD_MIN_MS = 250;
type Item = Record<string, AttributeValue>;

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
 * The ordering guard on a DynamoDB table, one item per number (docs/ordering-guard.md):
 * a conditional write takes the number, a second records the applied version and lets it go.
 * Two store calls per update when nobody else holds the number; no read-then-write. Each write is
 * safe to repeat: the SDK retries one whose answer was lost, and the retry must not fail on the
 * write it repeats.
 */
export function dynamoDbOrderingGuard(options: OrderingStoreOptions): OrderingGuard {
  const client = options.client ?? new DynamoDBClient(AWS_CLIENT_LIMITS);
  const TableName = options.tableName;
  const names = { '#ttl': ORDERING_TABLE.ttlAttribute };
  const expiresAt = (): AttributeValue => ({ N: String(Math.floor(Date.now() / 1000) + options.ttlSeconds) });
  /** Never past the deadline, unless that leaves less than RECORD_MIN_MS; the faces keep a margin for it. */
  const budget = (deadline: number) => Math.max(deadline, Date.now() + RECORD_MIN_MS);

  async function send<T>(call: () => Promise<T>, deadline: number): Promise<T> {
    try {
      return await beforeDeadline(call(), deadline, () => new TimeoutError());
    } catch (error) {
      if (isConditionFailure(error)) throw error;
      const failure = classify(TableName, error);
      options.onFailure(failure);
      throw failure;
    }
  }
  const update = (input: Omit<UpdateItemCommandInput, 'TableName'>, deadline: number) =>
    send(
      () => client.send(new UpdateItemCommand({ TableName, ReturnValuesOnConditionCheckFailure: 'ALL_OLD', ...input })),
      deadline,
    );
  /** The item a condition failed on: DynamoDB returns it; an emulator may not, then it is read. */
  const itemBehind = async (error: unknown, Key: Item, deadline: number): Promise<Item | undefined> =>
    itemOfConditionFailure(error) ??
    (await send(() => client.send(new GetItemCommand({ TableName, Key, ConsistentRead: true })), deadline)).Item;

  function claimOf(Key: Item, owner: string, claimed: GuardedUpdate): Claim {
    const ours = { ConditionExpression: 'lock_owner = :owner', ExpressionAttributeValues: { ':owner': { S: owner } } };
    // A failed release only makes the next update of this number wait for the hold to run out.
    const releaseBy = (until: number) =>
      update({ Key, UpdateExpression: 'REMOVE lock_owner, lock_until', ...ours }, until).then(
        () => undefined,
        () => undefined,
      );
    return {
      async applied(deadline) {
        const until = budget(deadline);
        try {
          const write = appliedWrite(claimed, expiresAt());
          await update(
            {
              Key,
              ...write,
              ConditionExpression: ours.ConditionExpression,
              ExpressionAttributeValues: { ...ours.ExpressionAttributeValues, ...write.ExpressionAttributeValues },
            },
            until,
          );
        } catch (error) {
          if (!isConditionFailure(error)) {
            await releaseBy(until);
            throw error;
          }
          const item = await itemBehind(error, Key, until);
          // The SDK repeated a write that had landed: recorded, and released.
          if (
            item?.lock_owner === undefined &&
            item?.applied_version?.N === String(claimed.version) &&
            item.applied_status_id?.S === claimed.statusId
          )
            return;
          // Our hold ran out and another update may have been applied since: ours must be judged again.
          throw failure(
            'ORDERING_STORE_UNAVAILABLE',
            'Thulium applied the update, but its hold on the number expired before it was recorded; it must be sent again',
          );
        }
      },
      release: (deadline) => releaseBy(budget(deadline)),
    };
  }

  async function claimInStore(Key: Item, guarded: GuardedUpdate, deadline: number): Promise<Claim> {
    const owner = randomUUID();
    // An equal version goes (the one processed last stands), unless it comes back from the DLQ.
    const notNewer = guarded.redriven
      ? '(applied_version < :version OR (applied_version = :version AND applied_status_id = :status))'
      : 'applied_version <= :version';
    for (let wait = 10; ; wait = Math.min(WAIT_MAX_MS, wait * 2)) {
      try {
        await update(
          {
            Key,
            UpdateExpression: 'SET lock_owner = :owner, lock_until = :until, #ttl = :ttl',
            // Our own hold passes too: the SDK may be repeating this very write.
            ConditionExpression: `(attribute_not_exists(lock_until) OR lock_until < :now OR lock_owner = :owner) AND (attribute_not_exists(applied_version) OR ${notNewer})`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: {
              ':owner': { S: owner },
              ':until': { N: String(deadline + HOLD_GRACE_MS) },
              ':now': { N: String(Date.now()) },
              ':version': { N: String(guarded.version) },
              ':ttl': expiresAt(),
              ...(guarded.redriven && { ':status': { S: guarded.statusId } }),
            },
          },
          deadline,
        );
        return claimOf(Key, owner, guarded);
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const item = await itemBehind(error, Key, deadline);
        const applied = item?.applied_version?.N === undefined ? undefined : Number(item.applied_version.N);
        const tieYields = guarded.redriven && item?.applied_status_id?.S !== guarded.statusId;
        if (applied !== undefined && (applied > guarded.version || (applied === guarded.version && tieYields))) {
          throw new SupersededError(guarded.version, applied);
        }
        const pause = wait / 2 + (Math.random() * wait) / 2;
        if (Date.now() + pause + MIN_ATTEMPT_MS > deadline) throw failure('UPDATE_IN_PROGRESS');
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
  }

  // Records of one number in this container's batch take turns here, so they need not poll the store.
  const turns = createTurns();

  return {
    async claim(guarded, deadline) {
      const hash = numberHash(await options.hashKey(deadline), guarded.phoneNumber);
      const done = await turns.take(hash, {
        waitUntil: deadline - MIN_ATTEMPT_MS,
        onTimeout: () => failure('UPDATE_IN_PROGRESS'),
      });
      try {
        const claim = await claimInStore({ [ORDERING_TABLE.partitionKey]: { S: hash } }, guarded, deadline);
        return {
          applied: (until) => claim.applied(until).finally(done),
          release: (until) => claim.release(until).finally(done),
        };
      } catch (error) {
        done();
        throw error;
      }
    },
  };
}
