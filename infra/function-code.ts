import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { buildSync } from 'esbuild';
import { bundleOptions } from '../scripts/build.ts';

const FUNCTION_SOURCE = fileURLToPath(new URL('../functions/outbound-status', import.meta.url));

/**
 * The function's code, built by the same esbuild definition as `npm run build`, on this machine,
 * without the source map.
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
          buildSync({ ...bundleOptions, outdir: outputDir, metafile: false, logLevel: 'error' });
          // Lambda never reads it, and it would triple the package; `npm run build` at the same commit writes the same one.
          rmSync(join(outputDir, 'index.mjs.map'));
          return true;
        },
      },
    },
  });
}

export const HANDLER = 'index.handler';
