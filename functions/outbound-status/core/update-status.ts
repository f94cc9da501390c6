import type { StatusUpdate, StatusUpdateResponse } from './contract.ts';
import { sameCredentials, type CredentialsSource } from '../adapters/credentials.ts';
import { MIN_ATTEMPT_MS } from '../shared/deadline.ts';
import { CredentialsRejectedError, DeadlineExceededError } from './errors.ts';
import { normalisePhoneNumber, type PhonePolicy } from './phone-number.ts';
import type { CallStats, ThuliumClient } from '../adapters/thulium-client.ts';

export interface UpdateStats extends CallStats {
  credentialsRefreshed: boolean;
}

export type UpdateStatus = (
  update: StatusUpdate,
  deadline: number,
  stats?: UpdateStats,
) => Promise<StatusUpdateResponse>;

/**
 * The use case: set the status of every campaign record whose main number is the given one.
 * Knows nothing of Lambda, HTTP or queues; throws only {@link OutboundStatusError}s.
 */
export function createUpdateStatus(deps: {
  credentials: CredentialsSource;
  thulium: ThuliumClient;
  phonePolicy: PhonePolicy;
}): UpdateStatus {
  return async (update, deadline, stats = { attempts: 0, credentialsRefreshed: false }) => {
    if (deadline - Date.now() < MIN_ATTEMPT_MS) throw new DeadlineExceededError();
    const request = { ...update, phoneNumber: normalisePhoneNumber(update.phoneNumber, deps.phonePolicy) };
    const credentials = await deps.credentials.get(deadline);
    try {
      return await deps.thulium.setStatusByPhoneNumber(request, credentials, deadline, stats);
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
  };
}
