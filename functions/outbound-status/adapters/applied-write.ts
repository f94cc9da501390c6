import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { GuardedUpdate } from '../core/ordering.ts';
import { APPLIED, ORDERING_TABLE } from './ordering-table.ts';

type Item = Record<string, AttributeValue>;

/** The applied version, and who sent it and when, for `npm run trace`; the hold released in the same write. */
export function appliedWrite(claimed: GuardedUpdate, ttl: AttributeValue) {
  const { trail } = claimed;
  const values: Item = {
    ':version': { N: String(claimed.version) },
    ':status': { S: claimed.statusId },
    ':at': { N: String(Date.now()) },
    ':ttl': ttl,
  };
  const set = ['#version = :version', '#status = :status', '#at = :at', '#ttl = :ttl'];
  // An earlier update's trail must not stay beside this one's version.
  const remove = ['lock_owner', 'lock_until'];
  if (trail) {
    set.push('#face = :face', '#correlation = :correlation');
    values[':face'] = { S: trail.face };
    values[':correlation'] = { S: trail.correlationId };
    if (trail.reference === undefined) remove.push('#reference');
    else {
      set.push('#reference = :reference');
      values[':reference'] = { S: trail.reference };
    }
  } else remove.push('#face', '#correlation', '#reference');
  return {
    UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
    ExpressionAttributeNames: {
      '#version': APPLIED.version,
      '#status': APPLIED.statusId,
      '#at': APPLIED.at,
      '#ttl': ORDERING_TABLE.ttlAttribute,
      '#face': APPLIED.face,
      '#correlation': APPLIED.correlationId,
      '#reference': APPLIED.reference,
    },
    ExpressionAttributeValues: values,
  };
}
