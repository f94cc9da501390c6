/**
 * Builds the function with its own build definition, and the two references with the same
 * options, so all three are bundled the same way; reports their size and what takes the space.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { bundleOptions, buildBundle } from '../scripts/build.ts';

export type Variant = 'function' | 'floor' | 'peer';

export interface Bundle {
  variant: Variant;
  /** Absolute path of the bundle's entry file. */
  path: string;
  bytes: number;
  /** Bytes in the output per npm package (`(source)` for the project's own code), largest first. */
  packages: [string, number][];
}

const root = bundleOptions.absWorkingDir!;

async function buildReference(variant: 'floor' | 'peer') {
  return build({ ...bundleOptions, entryPoints: { index: `bench/${variant}.ts` }, outdir: `dist/bench/${variant}` });
}

function packagesOf(metafile: Metafile, output: string): [string, number][] {
  const bytes = new Map<string, number>();
  for (const [file, input] of Object.entries(metafile.outputs[output].inputs)) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? '(source)';
    bytes.set(name, (bytes.get(name) ?? 0) + input.bytesInOutput);
  }
  return [...bytes].sort((a, b) => b[1] - a[1]);
}

export async function buildBundles(): Promise<Record<Variant, Bundle>> {
  const built = {
    function: { result: await buildBundle(), output: 'dist/outbound-status/index.mjs' },
    floor: { result: await buildReference('floor'), output: 'dist/bench/floor/index.mjs' },
    peer: { result: await buildReference('peer'), output: 'dist/bench/peer/index.mjs' },
  };
  const entries = await Promise.all(
    (Object.keys(built) as Variant[]).map(async (variant) => {
      const { result, output } = built[variant];
      const path = join(root, output);
      const bundle: Bundle = { variant, path, bytes: (await stat(path)).size, packages: packagesOf(result.metafile!, output) };
      return [variant, bundle] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<Variant, Bundle>;
}
