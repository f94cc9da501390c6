import { afterAll, expect } from 'vitest';
import { exposedTexts, guardedLeakFinder } from './leaks.ts';

// Every file of the suite, whatever it tests: nothing it saw the function write holds a secret.
afterAll(() => {
  const findLeaks = guardedLeakFinder();
  const leaks = exposedTexts().flatMap(findLeaks);
  expect(leaks, 'a password, Authorization value or full phone number left the function').toEqual([]);
});
