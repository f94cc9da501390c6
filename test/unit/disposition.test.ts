import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, ERROR_CODES, type ErrorCode } from '../../functions/outbound-status/core/error-catalogue.ts';
import { type Disposition, dispositionOf } from '../../functions/outbound-status/faces/disposition.ts';

const queue = { concurrency: 10, maxReceiveCount: 5, visibilityBaseSeconds: 30, visibilityMaxSeconds: 900 };
/** The top of each jitter range, so the expected back-off is exact. */
const top = () => 0.999_999;

const of = (code: ErrorCode, receiveCount: number, retryAfterSeconds?: number): Disposition =>
  dispositionOf({ code, kind: ERROR_CATALOGUE[code].kind, receiveCount, retryAfterSeconds }, queue, top);

describe('what the queue face does with a record that did not apply', () => {
  it.each<[ErrorCode, number, number | undefined, Disposition]>([
    ['SUPERSEDED', 1, undefined, { action: 'acknowledge' }],
    ['SUPERSEDED', 5, undefined, { action: 'acknowledge' }],
    ['VALIDATION_FAILED', 1, undefined, { action: 'dead-letter' }],
    ['MALFORMED_JSON', 1, undefined, { action: 'dead-letter' }],
    ['THULIUM_REFUSED', 1, undefined, { action: 'dead-letter' }],
    ['THULIUM_UNAVAILABLE', 1, undefined, { action: 'retry-later', visibilitySeconds: 30 }],
    ['THULIUM_UNAVAILABLE', 2, undefined, { action: 'retry-later', visibilitySeconds: 60 }],
    ['THULIUM_UNAVAILABLE', 4, undefined, { action: 'retry-later', visibilitySeconds: 240 }],
    ['THULIUM_UNAVAILABLE', 5, undefined, { action: 'dead-letter' }],
    ['THULIUM_UNAVAILABLE', 9, undefined, { action: 'dead-letter' }],
    ['THULIUM_RATE_LIMITED', 1, 120, { action: 'retry-later', visibilitySeconds: 120 }],
    ['THULIUM_RATE_LIMITED', 3, 1, { action: 'retry-later', visibilitySeconds: 120 }],
    ['THULIUM_RATE_LIMITED', 1, 3_600, { action: 'retry-later', visibilitySeconds: 3_600 }],
    ['THULIUM_RATE_LIMITED', 1, 90_000, { action: 'retry-later', visibilitySeconds: 43_200 }],
    ['THULIUM_CREDENTIALS_REJECTED', 1, undefined, { action: 'retry-later', visibilitySeconds: 30 }],
    ['CONFIGURATION_INVALID', 5, undefined, { action: 'dead-letter' }],
    ['DEADLINE_EXCEEDED', 1, undefined, { action: 'retry-now' }],
    ['DEADLINE_EXCEEDED', 5, undefined, { action: 'dead-letter' }],
    ['UPDATE_IN_PROGRESS', 2, undefined, { action: 'retry-later', visibilitySeconds: 60 }],
  ])('%s on delivery %i (Retry-After %s) → %o', (code, receiveCount, retryAfter, expected) => {
    expect(of(code, receiveCount, retryAfter)).toEqual(expected);
  });

  it.each([
    // Never sent, its turn known: back when it comes (a tenth later at most), not after the back-off.
    { receiveCount: 1, retryAfterSeconds: 12, random: 0, visibilitySeconds: 12 },
    { receiveCount: 3, retryAfterSeconds: 12, random: 0.999, visibilitySeconds: 13 },
    { receiveCount: 1, retryAfterSeconds: 0, random: 0.5, visibilitySeconds: 1 },
    { receiveCount: 5, retryAfterSeconds: 12, random: 0, dead: true },
  ])('a record refused for want of a turn of the budget ($retryAfterSeconds s, delivery $receiveCount)', (c) => {
    const failed = { code: 'THULIUM_RATE_LIMITED' as const, kind: 'transient' as const, awaitingTurn: true, ...c };
    const disposition = dispositionOf(failed, queue, () => c.random);
    expect(disposition).toEqual(
      c.dead ? { action: 'dead-letter' } : { action: 'retry-later', visibilitySeconds: c.visibilitySeconds },
    );
  });

  it('never waits longer than RETRY_VISIBILITY_MAX_SECONDS of its own', () => {
    expect(of('THULIUM_TIMEOUT', 4, undefined)).toEqual({ action: 'retry-later', visibilitySeconds: 240 });
    const capped = dispositionOf(
      { code: 'THULIUM_TIMEOUT', kind: 'transient', receiveCount: 40 },
      { ...queue, maxReceiveCount: 100 },
      top,
    );
    expect(capped).toEqual({ action: 'retry-later', visibilitySeconds: 900 });
  });

  it('jitters the back-off within the upper half of its range', () => {
    const low = dispositionOf({ code: 'THULIUM_TIMEOUT', kind: 'transient', receiveCount: 3 }, queue, () => 0);
    expect(low).toEqual({ action: 'retry-later', visibilitySeconds: 60 });
  });

  it.each(ERROR_CODES)('%s: every code ends somewhere, on every delivery', (code) => {
    for (let receiveCount = 1; receiveCount <= queue.maxReceiveCount; receiveCount++) {
      expect(['acknowledge', 'dead-letter', 'retry-now', 'retry-later']).toContain(of(code, receiveCount).action);
    }
    expect(of(code, queue.maxReceiveCount).action).toMatch(/^(acknowledge|dead-letter)$/);
  });
});
