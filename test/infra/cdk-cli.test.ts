import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempOutdir } from './synth.ts';

const root = new URL('../..', import.meta.url).pathname;
const run = promisify(execFile);

/** The real CLI, as an operator runs it: Node 24 first on PATH, and any attempt to use Docker fails. */
async function cdkSynth(...args: string[]) {
  const output = tempOutdir('thulium-cdk-cli-');
  const env = {
    ...process.env,
    PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}`,
    CDK_DOCKER: '/nonexistent/docker',
  };
  try {
    const { stdout, stderr } = await run(join(root, 'node_modules/.bin/cdk'), ['synth', '--output', output, ...args], {
      cwd: root,
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr, output };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr, output };
  }
}

describe('npx cdk synth', () => {
  it('prints the template offline, bundling with the local esbuild into the same bundle as npm run build', async () => {
    const { code, stdout, stderr, output } = await cdkSynth('-c', 'thuliumBaseUrl=https://acme.thulium.com');
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('Runtime: nodejs24.x');
    expect(stdout).toContain('THULIUM_BASE_URL: https://acme.thulium.com');
    expect(stderr).not.toContain('PlaceholderThuliumBaseUrl');
    const asset = readdirSync(output).filter((name) => name.startsWith('asset.'));
    expect(asset).toHaveLength(1);
    const deployed = join(output, asset[0]!);
    const built = join(root, 'dist/outbound-status');
    // The same files as npm run build, byte for byte, without the source maps.
    const files = (dir: string) =>
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => relative(dir, join(e.parentPath, e.name)))
        .sort();
    expect(files(deployed)).toEqual(files(built).filter((name) => !name.endsWith('.map')));
    expect(files(deployed)).toContain('index.mjs');
    for (const name of files(deployed))
      expect(readFileSync(join(deployed, name)).equals(readFileSync(join(built, name))), name).toBe(true);
  }, 120_000);

  it('refuses a wrong setting before anything is built, naming it', async () => {
    const { code, stderr } = await cdkSynth('-c', 'maxReceiveCount=2');
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/Invalid stack settings: maxReceiveCount/);
  }, 120_000);
});
