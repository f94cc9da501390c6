import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // The built bundle is loaded by Node itself, as Lambda loads it, not transformed by the runner.
    server: { deps: { external: [/\/dist\//] } },
  },
});
