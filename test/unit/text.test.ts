import { describe, expect, it } from 'vitest';
import { truncate } from '../../functions/outbound-status/shared/text.ts';

describe('truncate', () => {
  it('keeps text within the limit unchanged, without a marker', () => {
    expect(truncate('abc', 3, '…')).toBe('abc');
    expect(truncate('', 0, '…')).toBe('');
  });

  it('cuts between whole code points and marks the cut', () => {
    expect(truncate('abcd', 3, '…')).toBe('abc…');
    const cut = truncate('😀'.repeat(5), 3, '…');
    expect(cut).toBe('😀😀😀…');
    expect(cut.isWellFormed()).toBe(true);
  });

  it('counts a lone surrogate as one character and keeps it as it was', () => {
    expect(truncate('a\ud83db', 2)).toBe('a\ud83d');
  });
});
