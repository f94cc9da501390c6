import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The docs' code examples run as printed, and print what the docs say they print; the links between
 * the pages lead somewhere. (Shell blocks run in local-stack.test.ts, against npm start's stack.)
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (page: string) => readFileSync(join(root, page), 'utf8');

/** A code block of `lang` under `heading`, and the ```text block right below it: what it prints. */
function exampleUnder(page: string, heading: string, lang: string) {
  const text = read(page);
  const at = text.indexOf(`\n${heading}\n`);
  if (at === -1) throw new Error(`${page} has no heading "${heading}"`);
  const example = new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`\\n\\n\`\`\`text\\n([\\s\\S]*?)^\`\`\`$`, 'm').exec(
    text.slice(at),
  );
  if (!example) throw new Error(`${page}, "${heading}": no \`\`\`${lang} block with its output right below it`);
  return { code: example[1], output: example[2] };
}

describe('docs/contract.md: validate a message before sending it', () => {
  it('runs as printed, from the project folder, and prints what the page shows below it', () => {
    const { code, output } = exampleUnder('docs/contract.md', '### Validate a message before sending it', 'js');
    // As the page has it: an ES module run with node in the project folder, where ajv resolves.
    const ran = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(ran.stderr).toBe('');
    expect(ran.status).toBe(0);
    expect(ran.stdout).toBe(output);
  });
});

/** The pages whose links are checked: the README, docs/ and the function's folder READMEs. */
const PAGES = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
  'functions/outbound-status/README.md',
  'functions/outbound-status/client/README.md',
];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const slug = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

/** The page without its fenced blocks, whose `#` lines are no headings and whose `](` no links. */
const withoutBlocks = (text: string) => text.replace(/^([ \t]*)```[\s\S]*?^\1```$/gm, '');

function anchorsOf(page: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading] of withoutBlocks(read(page)).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = slug(heading);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

describe('links between the pages', () => {
  it.each(PAGES)('%s: every relative link leads to a file, and every anchor to a heading', (page) => {
    const broken: string[] = [];
    for (const [, target] of withoutBlocks(read(page)).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [path, anchor] = target.split('#');
      const file = path === '' ? page : normalize(join(dirname(page), path));
      if (relative(root, join(root, file)).startsWith('..') || !existsSync(join(root, file))) {
        broken.push(`${target}: no file ${file}`);
      } else if (anchor !== undefined && file.endsWith('.md') && !anchorsOf(file).has(anchor)) {
        broken.push(`${target}: no heading #${anchor} in ${file}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
