import { afterAll, expect } from 'vitest';
import { exposedTexts, findLeaks } from './leaks.ts';

// Every file of the suite, whatever it tests: nothing it saw the function write holds a secret.
afterAll(() => {
  const leaks = exposedTexts().flatMap((text) => findLeaks(text));
  expect(leaks, 'a password, Authorization value or full phone number left the function').toEqual([]);
});
