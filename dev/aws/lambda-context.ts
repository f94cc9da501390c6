import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';

/** The function's handler as Lambda calls it, with either face's events. */
export type Handler = (event: unknown, context: Context) => Promise<any>;

/**
 * A new container of the bundle at `bundlePath`: each query string is a new module instance, with its own caches and pool.
 * Containers load a copy of the bundle's directory taken at this process's first import, as Lambda
 * runs the code deployed when the container started: `npm run build` empties the directory and writes it anew, and
 * a container loads chunks lazily (the SQS client at its first failed record), so one started
 * before a rebuild would otherwise meet a missing chunk, or a newer one, halfway through a run.
 */
export async function importContainer(bundlePath: string): Promise<Handler> {
  const copy = join(await snapshotOf(dirname(bundlePath)), basename(bundlePath));
  return (await import(`${pathToFileURL(copy).href}?container=${randomUUID()}`)).handler;
}

const snapshots = new Map<string, Promise<string>>();

function snapshotOf(directory: string): Promise<string> {
  let snapshot = snapshots.get(directory);
  if (!snapshot) {
    snapshot = copyOf(directory);
    snapshots.set(directory, snapshot);
  }
  return snapshot;
}

async function copyOf(directory: string): Promise<string> {
  const parent = dirname(directory);
  const prefix = `.${basename(directory)}-`;
  removeAbandoned(parent, prefix);
  // Beside the original, inside dist/: vitest leaves what is there for Node itself to load (vitest.config.ts).
  const copy = mkdtempSync(join(parent, `${prefix}${process.pid}-`));
  process.once('exit', () => rmSync(copy, { recursive: true, force: true }));
  // A build in progress leaves the directory missing for a moment: wait for it, up to a few seconds.
  for (let attempt = 1; ; attempt++) {
    try {
      cpSync(directory, copy, { recursive: true });
      return copy;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt === 10) throw error;
      await sleep(500);
    }
  }
}

/** Copies whose process has ended: vitest stops its workers without running their exit handlers. */
function removeAbandoned(parent: string, prefix: string): void {
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && !isRunning(pid))
      rmSync(join(parent, name), { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The context Lambda hands an invocation with `timeoutMs` to run; the function reads its deadline from it. */
export function lambdaContext(timeoutMs = 30_000, functionName = 'thulium-outbound-status'): Context {
  const started = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-central-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => timeoutMs - (Date.now() - started),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
