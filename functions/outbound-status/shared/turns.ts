import { beforeDeadline } from './deadline.ts';

/** Ends a turn; calling it again does nothing. */
export type Done = () => void;

export interface TurnLimit {
  /** Epoch ms: when waiting for the earlier takers' turns would pass this, the taker is refused. */
  waitUntil: number;
  /** The refusal, built only when it happens. */
  onTimeout: () => Error;
}

export interface Turns {
  /**
   * Resolves once every earlier taker of `key` has called its done, with this taker's own done;
   * rejects with `onTimeout()` when that would be after `waitUntil`, the turn then passing on to
   * those behind it as soon as the earlier ones are done.
   */
  take(key: string, limit: TurnLimit): Promise<Done>;
  /** How many keys someone holds or waits for. */
  readonly size: number;
}

/** First come, first served, per key, within one process: no store, no polling. */
export function createTurns(): Turns {
  // Per key, the last taker's turn: it settles once that taker and everyone before it are done.
  const queues = new Map<string, Promise<void>>();

  return {
    get size() {
      return queues.size;
    },
    async take(key, { waitUntil, onTimeout }) {
      const previous = queues.get(key);
      const mine = Promise.withResolvers<void>();
      const turn = (previous ?? Promise.resolve()).then(() => mine.promise);
      queues.set(key, turn);
      // Forgotten only when the whole line up to this taker is through: a waiter who gave up (done
      // early) must not let a newcomer past the one still holding the key.
      void turn.then(() => {
        if (queues.get(key) === turn) queues.delete(key);
      });
      const done: Done = () => mine.resolve();
      if (!previous) return done;
      try {
        await beforeDeadline(previous, waitUntil, onTimeout);
        return done;
      } catch (error) {
        done();
        throw error;
      }
    },
  };
}
