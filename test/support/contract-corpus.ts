/** Bodies either side of the contract's rules, shared by every check that must agree with it. */
export const ACCEPTED: unknown[] = [
  { phone_number: '111222333', status_id: '3' },
  { phone_number: 111222333, status_id: 3 },
  { phone_number: '+48 (111) 222-333', status_id: 999_999_999_999_999 },
  { phone_number: '0', status_id: '1' },
  { phone_number: '1'.repeat(32), status_id: '123456789012345' },
];

export const REFUSED: unknown[] = [
  { phone_number: '1'.repeat(33), status_id: 3 },
  { phone_number: '', status_id: 3 },
  { phone_number: '+', status_id: 3 },
  { phone_number: '48+111', status_id: 3 },
  { phone_number: '１２３', status_id: 3 },
  { phone_number: '١٢٣', status_id: 3 },
  { phone_number: '123\n', status_id: 3 },
  { phone_number: -1, status_id: 3 },
  { phone_number: 1.5, status_id: 3 },
  { phone_number: 2 ** 53, status_id: 3 },
  { phone_number: '1', status_id: 0 },
  { phone_number: '1', status_id: '0' },
  { phone_number: '1', status_id: '01' },
  { phone_number: '1', status_id: 1_000_000_000_000_000 },
  { phone_number: '1', status_id: '1000000000000000' },
  { phone_number: '1', status_id: null },
  { phone_number: '1', status_id: [3] },
  { phone_number: '1' },
  { status_id: 3 },
  { phone_number: '1', status_id: 3, extra: true },
  JSON.parse('{"phone_number":"1","status_id":3,"__proto__":{"x":1}}'),
  [],
  null,
  'phone_number=1',
  42,

];
