/**
 * A status is a fact about now: for each number, the newest update must be the one that stands.
 * An update's version says how new it is; the ordering guard lets only one update per number talk
 * to Thulium at a time, and none older than the newest it has seen applied.
 */

/** Where an update's version came from, newest-knowledge first: the sender's clock, then AWS's. */
export type VersionSource = 'updated_at' | 'dead-letter' | 'sns' | 'eventbridge' | 'sqs' | 'api-gateway';

export interface UpdateVersion {
  /** Epoch milliseconds. */
  at: number;
  source: VersionSource;
}

/** Who sent an update, kept beside its applied version so one number's story can be told. */
export interface UpdateTrail {
  face: 'http' | 'queue';
  /** API Gateway's request id, or the SQS message id. */
  correlationId: string;
  /** The sender's reference, as echoed. */
  reference?: string;
}

/** What the guard knows of an update: the number as Thulium receives it, never stored in clear. */
export interface GuardedUpdate {
  phoneNumber: string;
  statusId: string;
  version: number;
  /**
   * Back from the DLQ: an equal version with another status yields. Its twin of equal version was
   * applied while it sat in the DLQ, and a redrive must not undo that.
   */
  redriven: boolean;
  trail?: UpdateTrail;
}

export interface OrderingGuard {
  /**
   * Waits until no other update for this number is in flight, then holds the number for this one.
   * Throws {@link SupersededError} when a newer update for it was applied (an equal version is no
   * newer: it goes, so a redelivery is never superseded by itself and a FIFO queue's order decides
   * ties), and transient errors when the store fails or the number stays busy.
   */
  claim(update: GuardedUpdate, deadline: number): Promise<Claim>;
}

export interface Claim {
  /** Thulium applied the update: its version is recorded and the number released (or, failing, released and thrown). */
  applied(deadline: number): Promise<void>;
  /** Thulium did not apply it, or may not have: the number is released, nothing recorded. Never throws. */
  release(deadline: number): Promise<void>;
}

/** The guard switched off (`ORDERING_GUARD=off`): every update goes to Thulium in the order it is processed. */
export const unguarded: OrderingGuard = {
  claim: async () => ({ applied: async () => {}, release: async () => {} }),
};

export const versionText = (at: number) => new Date(at).toISOString();

/** The sender's `updated_at` when it gave one, else what the face knows of when AWS took the update in. */
export const versionOf = (update: { updatedAt?: number }, received: UpdateVersion): UpdateVersion =>
  update.updatedAt === undefined ? received : { at: update.updatedAt, source: 'updated_at' };
