import type { StatusUpdate, StatusUpdateResponse } from './contract.ts';
import { MIN_ATTEMPT_MS } from '../shared/deadline.ts';
import { failure, CredentialsRejectedError, InvalidRequestError } from './errors.ts';
import type { OrderingGuard, UpdateVersion, VersionSource } from './ordering.ts';
import { normalisePhoneNumber, type PhonePolicy } from './phone-number.ts';
import {
  sameCredentials,
  type CallOptions,
  type CallStats,
  type Credentials,
  type CredentialsSource,
  type ThuliumBudget,
  type ThuliumClient,
  type Turn,
} from './ports.ts';

/** A sender's clock may run ahead of ours by this much; beyond it, an updated_at would block every later update. */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;

/** Where each source's version was read, as a caller would look for it. */
const VERSION_FIELDS: Record<VersionSource, string> = {
  updated_at: 'updated_at',
  'dead-letter': 'UpdateVersion (message attribute)',
  sns: 'Timestamp (SNS envelope)',
  eventbridge: 'time (EventBridge event)',
  sqs: 'SentTimestamp (SQS)',
  'api-gateway': 'request time (API Gateway)',
};

export interface UpdateStats extends CallStats {
  credentialsRefreshed: boolean;
}

/** An update with its place in time: the faces decide where the version comes from. */
export type VersionedUpdate = StatusUpdate & { version: UpdateVersion };

export type UpdateStatus = (
  update: VersionedUpdate,
  deadline: number,
  stats?: UpdateStats,
  options?: CallOptions,
) => Promise<StatusUpdateResponse>;

/**
 * The use case: set the status of every campaign record whose main number is the given one,
 * unless a newer update for that number was applied already.
 * Knows nothing of Lambda, HTTP or queues; throws only {@link OutboundStatusError}s.
 */
export function createUpdateStatus(deps: {
  credentials: CredentialsSource;
  thulium: ThuliumClient;
  budget: ThuliumBudget;
  phonePolicy: PhonePolicy;
  ordering: OrderingGuard;
}): UpdateStatus {
  return async (update, deadline, stats = { attempts: 0, credentialsRefreshed: false }, options = {}) => {
    if (deadline - Date.now() < MIN_ATTEMPT_MS) throw failure('DEADLINE_EXCEEDED');
    // Whoever set it (a sender's updated_at, an envelope's time, a dead letter's attribute), a version
    // far ahead would block every later update of the number.
    if (update.version.at > Date.now() + MAX_FUTURE_SKEW_MS) {
      const field = VERSION_FIELDS[update.version.source];
      const message = `is more than ${MAX_FUTURE_SKEW_MS / 60_000} minutes ahead of the function's clock`;
      throw new InvalidRequestError('VALIDATION_FAILED', `Invalid request: ${field} ${message}`, [{ field, message }]);
    }
    const request = {
      phoneNumber: normalisePhoneNumber(update.phoneNumber, deps.phonePolicy),
      statusId: update.statusId,
    };
    // A turn first: while Thulium has paused us, a call that would be refused costs no secret read or store claim.
    const turn = await deps.budget.reserve(deadline, options.urgency ?? 'background');
    const [credentials, claim] = await Promise.allSettled([
      deps.credentials.get(deadline),
      deps.ordering.claim(
        {
          ...request,
          version: update.version.at,
          redriven: update.version.source === 'dead-letter',
          trail: options.trail,
        },
        deadline,
      ),
    ]);
    if (claim.status === 'rejected') {
      turn.release();
      throw claim.reason;
    }
    if (credentials.status === 'rejected') {
      turn.release();
      await claim.value.release(deadline);
      throw credentials.reason;
    }
    let answer: StatusUpdateResponse;
    try {
      answer = await callThulium(request, credentials.value, deadline, stats, turn);
    } catch (error) {
      // Not recorded: a failed call may still have landed, and the newer update's own retry, not a
      // record here, makes that one stand again.
      await claim.value.release(deadline);
      throw error;
    }
    // Recorded and released, or (the store failing) released as far as it can be, and thrown.
    await claim.value.applied(deadline);
    return answer;
  };

  async function callThulium(
    request: StatusUpdate,
    credentials: Credentials,
    deadline: number,
    stats: UpdateStats,
    turn: Turn,
  ) {
    try {
      return await deps.thulium.setStatusByPhoneNumber(request, credentials, deadline, stats, turn);
    } catch (error) {
      if (!(error instanceof CredentialsRejectedError)) throw error;
      // The password may have been rotated since we cached it: one fresh read, one more try.
      const fresh = await deps.credentials.refresh(credentials, deadline);
      stats.credentialsRefreshed = true;
      // The same user again would only meet the same 401, and could lock the account.
      if (sameCredentials(fresh, credentials)) {
        deps.credentials.reject(credentials, error);
        throw error;
      }
      try {
        return await deps.thulium.setStatusByPhoneNumber(request, fresh, deadline, stats);
      } catch (retryError) {
        if (retryError instanceof CredentialsRejectedError) deps.credentials.reject(fresh, retryError);
        throw retryError;
      }
    }
  }
}
