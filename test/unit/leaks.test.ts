import { describe, expect, it } from 'vitest';
import { leakFinder } from '../support/leaks.ts';

const findLeaks = leakFinder({ secrets: ['s3cr3t-pa55'], phones: ['501234567', '612345678'] });

describe('the leak scan', () => {
  it('finds a password and a phone number, however it is written', () => {
    expect(findLeaks('{"password":"s3cr3t-pa55"}')).toEqual(['s3cr3t-pa55']);
    for (const text of [
      '501234567',
      '+48 501 234 567',
      '501-234-567',
      '(501) 234.567',
      '5\\"01234567',
      '501\\n234567',
      'x612345678x',
    ]) {
      expect(findLeaks(text), text).toHaveLength(1);
    }
  });

  it('lets masked numbers, other numbers and timestamps pass', () => {
    for (const text of [
      '******567',
      '{"phone_number":"******567","status_id":"3"}',
      '501234568',
      '2026-11-26T23:46:59.123Z',
      '5012 and then 34567',
      'b5a0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8',
      '501ab234567',
    ]) {
      expect(findLeaks(text), text).toEqual([]);
    }
  });
});
