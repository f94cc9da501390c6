import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('the producer helper, as built (dist/client)', () => {
  it('is built without Lambda dependencies: only the SDK, zod, undici and p-limit are imported', () => {
    const built = readFileSync(new URL('../../dist/client/index.mjs', import.meta.url), 'utf8');
    const imported = new Set(
      [...built.matchAll(/^} from "([^"]+)";$|^import .* from "([^"]+)";$/gm)].map((m) => m[1] ?? m[2]),
    );
    expect([...imported].sort()).toEqual([
      '@aws-sdk/client-sqs',
      '@aws-sdk/credential-provider-node',
      '@smithy/core/checksum',
      '@smithy/signature-v4',
      'node:crypto',
      'node:timers/promises',
      'p-limit',
      'undici',
      'zod/mini',
    ]);
  });
});
