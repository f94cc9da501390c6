import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // After every file: nothing the function wrote or answered holds a password or a full phone number.
    setupFiles: ['test/support/leak-guard.setup.ts'],
    // CI also keeps a machine-readable result, to print one closing 'N passed, N failed' line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'dist/test-results.json' }]] : ['default'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // The built bundle is loaded by Node itself, as Lambda loads it, not transformed by the runner.
    server: { deps: { external: [/\/dist\//] } },
  },
});
