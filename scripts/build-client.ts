import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * The producer helper for other workloads: one ES module plus its declarations, under the package's
 * `./client` export. Dependencies stay imports, resolved from the caller's own node_modules.
 */
export async function buildClient() {
  await rm(`${root}/dist/client`, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['functions/outbound-status/client/index.ts'],
    outfile: 'dist/client/index.mjs',
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'esm',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  execFileSync(`${root}/node_modules/.bin/tsc`, ['-p', 'functions/outbound-status/client/tsconfig.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  return result;
}
