/** What a container's gate hands out and is told back, and how it says no. */
import { ThuliumUnavailableError } from '../../core/errors.ts';
import type { Urgency } from '../../core/ports.ts';

/** What a call told of Thulium's limit: accepted (any answer within it), limited (with the pause, ms), or nothing. */
export type GateSignal = 'accepted' | 'unknown' | { limitedMs: number; rateLimited: boolean };

export interface GateTurn {
  readonly waitedMs: number;
  done(signal: GateSignal): void;
  /** Not used after all (the update was superseded, or its claim failed): the ticket goes to the next call. */
  release(): void;
}

export interface Waiter {
  urgency: Urgency;
  deadline: number;
  since: number;
  resolve: (turn: GateTurn) => void;
  reject: (error: Error) => void;
}

/** A ticket of the store it came from (none for a lease without a limit), and the budget's epoch it was started in. */
export interface Slot {
  ticket?: number;
  store: unknown;
  epoch: number;
}

export function refusal(waitMs: number, paused: boolean): ThuliumUnavailableError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  const why = paused
    ? 'Thulium asked us to pause our calls'
    : 'Thulium is limiting our calls; this update could not start within its deadline';
  return new ThuliumUnavailableError(`${why} (next turn in ${seconds} s)`, {
    retryAfterSeconds: seconds,
    rateLimited: true,
    awaitingTurn: true,
  });
}
