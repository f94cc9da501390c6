import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { buildSync } from 'esbuild';
import { bundleOptions } from '../scripts/build.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FUNCTION_SOURCE = join(ROOT, 'functions/outbound-status');

/**
 * The function's code, built by the same esbuild definition as `npm run build`, on this machine,
 * without the source maps.
 * The asset is named by the hash of what esbuild wrote, so a deploy changes code only when the
 * bundle changes. There is no Docker fallback: a failed build fails the synth.
 */
export function functionCode(): Code {
  return Code.fromAsset(FUNCTION_SOURCE, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the type; never pulled, because local bundling either succeeds or throws.
      image: DockerImage.fromRegistry('local-esbuild-only'),
      local: {
        tryBundle(outputDir) {
          // Chunk names hash the source maps, whose paths are relative to the output directory: a
          // build at the depth of dist/outbound-status names its chunks as `npm run build` does.
          mkdirSync(join(ROOT, 'dist'), { recursive: true });
          const staging = mkdtempSync(join(ROOT, 'dist', 'asset-'));
          try {
            buildSync({ ...bundleOptions, outdir: staging, metafile: false, logLevel: 'error' });
            // Lambda never reads the maps, and they would triple the package; `npm run build` at the same commit writes the same ones.
            cpSync(staging, outputDir, { recursive: true, filter: (source) => !source.endsWith('.map') });
          } finally {
            rmSync(staging, { recursive: true, force: true });
          }
          return true;
        },
      },
    },
  });
}

export const HANDLER = 'index.handler';
