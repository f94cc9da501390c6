import { describe, expect, it } from 'vitest';
import {
  fullJitterDelay,
  parseRetryAfterMs,
  visibilityBackoffSeconds,
} from '../../functions/outbound-status/shared/backoff.ts';

describe('fullJitterDelay', () => {
  it('spans [0, base·2^attempt) and stops growing at the cap', () => {
    expect(fullJitterDelay(0, 100, 5000, () => 0)).toBe(0);
    expect(fullJitterDelay(0, 100, 5000, () => 0.999)).toBe(99);
    expect(fullJitterDelay(3, 100, 5000, () => 0.5)).toBe(400);
    expect(fullJitterDelay(20, 100, 5000, () => 0.999)).toBe(4995);
  });

  it('is random between those bounds', () => {
    const delays = new Set(Array.from({ length: 50 }, () => fullJitterDelay(4, 100, 5000)));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) expect(d).toBeLessThan(1600);
  });
});

describe('visibilityBackoffSeconds', () => {
  it('doubles with each receive, within the upper half of its ceiling, up to the maximum', () => {
    expect(visibilityBackoffSeconds(1, 30, 900, () => 0)).toBe(15);
    expect(visibilityBackoffSeconds(1, 30, 900, () => 1)).toBe(30);
    expect(visibilityBackoffSeconds(3, 30, 900, () => 1)).toBe(120);
    expect(visibilityBackoffSeconds(10, 30, 900, () => 1)).toBe(900);
  });
});

describe('parseRetryAfterMs', () => {
  it('reads delta-seconds and HTTP dates, and ignores the rest', () => {
    const now = Date.parse('2026-11-26T12:00:00Z');
    expect(parseRetryAfterMs('7', now)).toBe(7000);
    expect(parseRetryAfterMs('Thu, 26 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
  });
});
