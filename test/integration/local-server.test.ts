import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
let server: ChildProcess;
let curl: string;
let url: string;
const printed: string[] = [];

/** `npm start` after the build: the local server, as a developer runs it, on a free port. */
beforeAll(async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0' };
  for (const key of ['THULIUM_BASE_URL', 'THULIUM_SECRET_ID', 'THULIUM_USERNAME', 'THULIUM_PASSWORD']) delete env[key];
  for (const key of Object.keys(env)) if (key.startsWith('AWS_ENDPOINT_URL')) delete env[key];
  server = spawn(process.execPath, ['dev/start.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout!.setEncoding('utf8').on('data', (chunk: string) => printed.push(chunk));
  server.stderr!.setEncoding('utf8').on('data', (chunk: string) => printed.push(chunk));
  const deadline = Date.now() + 15_000;
  while (!/curl .*\n/.test(printed.join('')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const text = printed.join('');
  curl = /^\s*(curl .*)$/m.exec(text)?.[1] ?? '';
  url = /listening on (http:\/\/\S+)/.exec(text)?.[1] ?? '';
  expect(curl, text).not.toBe('');
});

afterAll(async () => {
  server.kill('SIGTERM');
  if (server.exitCode === null) await once(server, 'exit');
});

/** Runs a curl command line the way a shell would split it (quotes only). */
async function runCurl(commandLine: string) {
  const args = [...commandLine.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]).slice(1);
  const child = spawn('curl', ['-s', '-w', '\n%{http_code}', ...args]);
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  await once(child, 'exit');
  const lines = out.trimEnd().split('\n');
  return { status: Number(lines.pop()), body: lines.join('\n') };
}

describe('npm start', () => {
  it('prints a curl that gets a 200 from the embedded simulator', async () => {
    const { status, body } = await runCurl(curl);
    expect(status).toBe(200);
    expect(JSON.parse(body)).toEqual({ outbound_id: ['00001', '00002', '00003'] });
  });

  it('serves the vendor\'s own curl example too', async () => {
    const vendor = `curl -u api_user:api_pass -X POST -H "Content-type: application/json" -d '{"phone_number":"111222333","status_id":"3"}' "${url}/api/outbound_status_by_phone_number"`;
    const { status, body } = await runCurl(vendor);
    expect(status).toBe(200);
    expect(JSON.parse(body).outbound_id).toHaveLength(3);
  });

  it('answers like the deployed function, with JSON errors', async () => {
    const { status, body } = await runCurl(`curl -X POST -H "Content-Type: application/json" -d '{"phone_number":"111222333"}' ${url}`);
    expect(status).toBe(400);
    expect(JSON.parse(body).error.fields).toEqual([{ field: 'status_id', message: 'is required' }]);
  });

  it('logs masked phone numbers only', () => {
    const logs = printed.join('').split('\n').filter((line) => line.startsWith('{'));
    expect(logs.join('\n')).toContain('"phone_number":"******333"');
    expect(logs.filter((line) => line.includes('111222333'))).toEqual([]);
  });
});
