import { mkdir, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { buildClient } from './build-client.ts';
import { writeContracts } from './contracts.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The one build definition of the deployed artifact: `npm run build` and the CDK stack both use it. */
export const bundleOptions: BuildOptions = {
  absWorkingDir: root,
  entryPoints: { index: 'functions/outbound-status/index.ts' },
  outdir: 'dist/outbound-status',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  minify: true,
  // What the SDK imports only when it needs it (other credential sources, event streams) stays in
  // chunks that a Lambda container never loads.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: 'linked',
  legalComments: 'external',
  mainFields: ['module', 'main'],
  // undici's own switch for bundles: leaves out its experimental Milo parser, which is off unless opted in.
  define: { esbuildDetection: 'true' },
  alias: { http: './scripts/node-http.cjs', 'node:http': './scripts/node-http.cjs' },
  // Bundled CommonJS (undici, parts of the SDK) calls require() for Node built-ins.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  metafile: true,
  logLevel: 'warning',
};

export async function buildBundle() {
  // Chunk names carry a content hash: a chunk of an earlier build must not linger beside this one.
  await rm(`${root}/${bundleOptions.outdir}`, { recursive: true, force: true });
  const result = await build(bundleOptions);
  await mkdir(`${root}/dist`, { recursive: true });
  await writeFile(`${root}/dist/outbound-status.meta.json`, JSON.stringify(result.metafile));
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { metafile } = await buildBundle();
  const out = metafile!.outputs['dist/outbound-status/index.mjs'];
  console.log(`dist/outbound-status/index.mjs ${(out.bytes / 1024).toFixed(1)} KiB`);
  await buildClient();
  await writeContracts(`${root}/dist/contracts`);
  console.log('dist/client/index.mjs, dist/client/types/, dist/contracts/');
}
