/**
 * What the use case needs from the world, as it needs it: the Thulium API and the API user.
 * The adapters implement these; the core knows nothing else of them.
 */
import type { CredentialsRejectedError, OutboundStatusError } from './errors.ts';
import type { StatusUpdate, StatusUpdateResponse } from './contract.ts';
import type { UpdateTrail } from './ordering.ts';

export interface Credentials {
  username: string;
  password: string;
}

/** Counts what one update cost, for the outcome log line and metrics. */
export interface CallStats {
  attempts: number;
  /** Time spent waiting for a turn while Thulium limits our calls (ms). */
  waitedMs?: number;
  /** Thulium's request id of the call that applied the update, when it gave one. */
  thuliumRequestId?: string;
}

/** A person waiting for the answer (HTTP), or an update that can wait its turn (queue). */
export type Urgency = 'interactive' | 'background';

export interface CallOptions {
  urgency?: Urgency;
  /** Who sent the update, recorded beside it when it applies. */
  trail?: UpdateTrail;
}

/** Permission to make one call to Thulium, from the budget every container shares. */
export interface Turn {
  /** How long it took to get (ms). */
  readonly waitedMs: number;
  /** Not used after all: the next call may have it. */
  release(): void;
}

/** The deployment's allowance of calls to Thulium. */
export interface ThuliumBudget<T extends Turn = Turn> {
  /**
   * A turn before `deadline` (epoch ms), or a rate-limited {@link OutboundStatusError}: when none
   * would come in time, and for an `interactive` caller at once while Thulium has asked for a pause.
   */
  reserve(deadline: number, urgency: Urgency): Promise<T>;
}

export interface ThuliumClient {
  /**
   * Resolves with Thulium's answer or throws an {@link OutboundStatusError}; never outlives
   * `deadline` (epoch ms). Its first attempt uses `turn`; any other reserves its own.
   */
  setStatusByPhoneNumber(
    update: StatusUpdate,
    credentials: Credentials,
    deadline: number,
    stats?: CallStats,
    turn?: Turn,
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
