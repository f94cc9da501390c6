/**
 * Builds the function with its own build definition, and the two references with the same
 * options, so all three are bundled the same way; reports their size and what takes the space.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { bundleOptions, buildBundle } from '../scripts/build.ts';

export type Variant = 'function' | 'floor' | 'peer';

export interface Bundle {
  variant: Variant;
  /** Absolute path of the bundle's entry file. */
  path: string;
  /** All JavaScript files of the bundle. */
  bytes: number;
  /** What a cold start loads: the entry file and the chunks it imports statically. */
  loadedBytes: number;
  /** Bytes in the output per npm package (`(source)` for the project's own code), largest first. */
  packages: [string, number][];
}

const root = bundleOptions.absWorkingDir!;

/** The entry file esbuild writes for the `index` entry point. */
const entryIn = (outdir: string) => `${outdir}/index.mjs`;

async function buildReference(variant: 'floor' | 'peer') {
  const outdir = `dist/bench/${variant}`;
  await rm(join(root, outdir), { recursive: true, force: true });
  return {
    result: await build({ ...bundleOptions, entryPoints: { index: `bench/${variant}.ts` }, outdir }),
    output: entryIn(outdir),
  };
}

function sizesOf(metafile: Metafile, entry: string) {
  const scripts = Object.entries(metafile.outputs).filter(([file]) => file.endsWith('.mjs'));
  const bytes = new Map<string, number>();
  for (const [, output] of scripts) {
    for (const [file, input] of Object.entries(output.inputs)) {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? '(source)';
      bytes.set(name, (bytes.get(name) ?? 0) + input.bytesInOutput);
    }
  }
  const loaded = new Set<string>();
  const load = (file: string) => {
    if (loaded.has(file)) return;
    loaded.add(file);
    for (const i of metafile.outputs[file].imports)
      if (i.kind === 'import-statement' && i.path in metafile.outputs) load(i.path);
  };
  load(entry);
  return {
    bytes: scripts.reduce((sum, [, output]) => sum + output.bytes, 0),
    loadedBytes: [...loaded].reduce((sum, file) => sum + metafile.outputs[file].bytes, 0),
    packages: [...bytes].sort((a, b) => b[1] - a[1]),
  };
}

/** The function as `npm run build` last wrote it, with its metafile. */
async function existingBuild() {
  const metafile = JSON.parse(await readFile(join(root, 'dist/outbound-status.meta.json'), 'utf8')) as Metafile;
  return { metafile };
}

/**
 * Builds the two references, and the function unless `rebuildFunction` is false: tests running
 * beside the smoke run load dist/outbound-status, which a rebuild would replace under them.
 */
export async function buildBundles(rebuildFunction = true): Promise<Record<Variant, Bundle>> {
  const built = {
    function: {
      result: rebuildFunction ? await buildBundle() : await existingBuild(),
      output: entryIn(bundleOptions.outdir!),
    },
    floor: await buildReference('floor'),
    peer: await buildReference('peer'),
  };
  const entries = (Object.keys(built) as Variant[]).map((variant) => {
    const { result, output } = built[variant];
    return [variant, { variant, path: join(root, output), ...sizesOf(result.metafile!, output) }] as const;
  });
  return Object.fromEntries(entries) as Record<Variant, Bundle>;
}
