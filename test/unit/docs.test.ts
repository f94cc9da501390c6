import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../functions/outbound-status/core/error-catalogue.ts';
import { METRIC_CATALOGUE } from '../../functions/outbound-status/faces/metric-names.ts';
import { renderDocs, SECTIONS } from '../../scripts/docs.ts';
import { SETTING_NAMES } from '../../infra/settings.ts';

const rendered = renderDocs();
const page = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
const section = (name: keyof typeof SECTIONS) => {
  const text = rendered[SECTIONS[name].file] ?? '';
  return text.slice(text.indexOf(`<!-- generated:${name} -->`), text.indexOf(`<!-- /generated:${name} -->`));
};

describe('the generated tables of docs/', () => {
  it.each(Object.keys(rendered))('%s is what the code renders', (file) => {
    expect(page(file), `${file} is stale: run \`npm run docs\` and commit the result`).toBe(rendered[file]);
  });

  it('list every error code, stack setting and metric the code defines', () => {
    for (const code of ERROR_CODES) expect(section('error-codes')).toContain(`| \`${code}\` |`);
    for (const name of SETTING_NAMES) expect(section('stack-settings')).toContain(`| \`${name}\` |`);
    for (const { name } of Object.values(METRIC_CATALOGUE)) expect(section('metrics')).toContain(`| \`${name}\` |`);
    expect(section('environment')).toContain('| `THULIUM_BASE_URL` | string | required |');
    expect(section('environment')).toContain('| `MAX_BODY_BYTES` | integer, 64–1048576 | `4096` |');
  });
});

describe('the README', () => {
  it('explains the EBADENGINE warnings npm ci prints on a machine whose Node is 20, where the two commands are', () => {
    const readme = page('README.md');
    const run = readme.slice(readme.indexOf('## Run it'), readme.indexOf('## The contract in brief'));
    expect(run).toContain('EBADENGINE');
    expect(run).toMatch(/Node 24 binary/);
  });

  it('stays a guide: about 200 lines at most', () => {
    expect(page('README.md').split('\n').length).toBeLessThanOrEqual(200);
  });
});
