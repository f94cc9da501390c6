import { describe, expect, it } from 'vitest';
import {
  maskPhoneNumber,
  maskPhoneNumbersIn,
  normalisePhoneNumber,
} from '../../functions/outbound-status/core/phone-number.ts';

describe('normalisePhoneNumber', () => {
  const policy = (normalisation: 'as-is' | 'strip-separators' | 'national') => ({ normalisation, countryCode: '48' });

  it('changes nothing by default', () => {
    expect(normalisePhoneNumber('+48 111-222-333', policy('as-is'))).toBe('+48 111-222-333');
  });

  it('strips separators when asked', () => {
    expect(normalisePhoneNumber('+48 (111) 222-333', policy('strip-separators'))).toBe('+48111222333');
  });

  it('also drops the configured country prefix in national mode', () => {
    expect(normalisePhoneNumber('+48 111 222 333', policy('national'))).toBe('111222333');
    expect(normalisePhoneNumber('0048111222333', policy('national'))).toBe('111222333');
    expect(normalisePhoneNumber('+49 111 222 333', policy('national'))).toBe('+49111222333');
    expect(normalisePhoneNumber('+48', policy('national'))).toBe('+48');
  });
});

describe('masking', () => {
  it('shows only the last three digits', () => {
    expect(maskPhoneNumber('111222333')).toBe('******333');
    expect(maskPhoneNumber('+48 111-222-333')).toBe('+** ***-***-333');
    expect(maskPhoneNumber('111-22')).toBe('**1-22');
    expect(maskPhoneNumber('333')).toBe('***');
  });

  it('masks phone-like numbers inside free text', () => {
    expect(maskPhoneNumbersIn('No records for +48 111-222-333 (id 42)')).toBe('No records for +** ***-***-333 (id 42)');
    expect(maskPhoneNumbersIn('Status 77 does not exist')).toBe('Status 77 does not exist');
  });
});
