// @ts-check
/**
 * One Lambda container, played by a fresh Node process: imports a bundle, runs one scenario against
 * the loopback Thulium and Secrets Manager, and writes what it measured as JSON to BENCH_OUT.
 * Started by bench/run.ts, which builds the events. Plain JavaScript on purpose: Node's TypeScript
 * stripping loads a WebAssembly module first (about 25 ms here), which every cold start would count.
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

/** @type {import('./containers.ts').Task} */
const task = JSON.parse(process.env.BENCH_TASK ?? '{}');
/** @type {import('./containers.ts').Measured} */
const measured = {};
const bootMs = performance.now();

let invocation = 0;
const context = () => {
  const started = Date.now();
  return {
    functionName: 'thulium-outbound-status',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-central-1:123456789012:function:thulium-outbound-status',
    memoryLimitInMB: '512',
    awsRequestId: `bench-${process.pid}-${++invocation}`,
    getRemainingTimeInMillis: () => 30_000 - (Date.now() - started),
  };
};
/** Memory after a full collection, so the figure is what the container keeps, not garbage not yet collected. */
const memory = () => {
  globalThis.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
};

const { handler } = await import(pathToFileURL(task.bundle).href);
measured.bootMs = bootMs;
measured.importMs = performance.now() - bootMs;

/** @param {unknown} event */
async function timed(event) {
  const start = performance.now();
  const answer = await handler(event, context());
  return { ms: performance.now() - start, answer };
}

if (task.scenario === 'cold') {
  const { answer } = await timed(task.httpEvent);
  measured.coldStartMs = performance.now();
  measured.firstStatus = answer.statusCode;
} else if (task.scenario === 'warm') {
  measured.latenciesMs = [];
  for (let i = 1; i <= task.count; i++) {
    const { ms, answer } = await timed(task.httpEvent);
    if (answer.statusCode !== 200) measured.failures = (measured.failures ?? 0) + 1;
    measured.latenciesMs.push(ms);
    if (i === task.checkpoint) measured.atCheckpoint = memory();
  }
  measured.atEnd = memory();
} else {
  // The first batch pays the secret read and the connections; a warm container is what is timed.
  await handler(task.batchEvent, context());
  measured.latenciesMs = [];
  measured.failures = 0;
  measured.startedAt = performance.timeOrigin + performance.now();
  for (let i = 0; i < task.count; i++) {
    const { ms, answer } = await timed(task.batchEvent);
    measured.failures += answer?.batchItemFailures?.length ?? task.batchEvent.Records.length;
    measured.latenciesMs.push(ms);
  }
  measured.endedAt = performance.timeOrigin + performance.now();
}

writeFileSync(process.env.BENCH_OUT ?? '', JSON.stringify(measured));
// Keep-alive sockets would hold the process open; the container is done.
process.exit(0);
