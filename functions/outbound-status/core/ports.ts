/**
 * What the use case needs from the world, as it needs it: the Thulium API and the API user.
 * The adapters implement these; the core knows nothing else of them.
 */
import type { CredentialsRejectedError, OutboundStatusError } from './errors.ts';
import type { StatusUpdate, StatusUpdateResponse } from './contract.ts';

export interface Credentials {
  username: string;
  password: string;
}

/** Counts what one update cost, for the outcome log line and metrics. */
export interface CallStats {
  attempts: number;
  /** Time spent waiting for a turn while Thulium limits our calls (ms). */
  waitedMs?: number;
}

export interface CallOptions {
  /**
   * While Thulium has asked us to pause: `wait` for the pause to end (a queue record), or `refuse`
   * at once with its Retry-After (an HTTP caller, who can retry sooner than a held request).
   */
  onPause?: 'wait' | 'refuse';
}

export interface ThuliumClient {
  /**
   * The refusal a call would meet at once now (Thulium's pause, or no turn before `deadline`), so a
   * caller can stop before its other work; `setStatusByPhoneNumber` still decides when it is called.
   */
  refusalNow(deadline: number, options?: CallOptions): OutboundStatusError | undefined;
  /** Resolves with Thulium's answer or throws an {@link OutboundStatusError}; never outlives `deadline` (epoch ms). */
  setStatusByPhoneNumber(
    update: StatusUpdate,
    credentials: Credentials,
    deadline: number,
    stats?: CallStats,
    options?: CallOptions,
  ): Promise<StatusUpdateResponse>;
}

/** Where the Thulium API user comes from. */
export interface CredentialsSource {
  /** The current credentials, cached for the TTL; throws while they are known to be rejected. */
  get(deadline: number): Promise<Credentials>;
  /** Credentials newer than `rejected`, read afresh unless another caller already did (rotation). */
  refresh(rejected: Credentials, deadline: number): Promise<Credentials>;
  /** Thulium refused these even after a fresh read: stop offering them for a while. */
  reject(credentials: Credentials, error: CredentialsRejectedError): void;
}

export const sameCredentials = (a: Credentials, b: Credentials) =>
  a.username === b.username && a.password === b.password;
