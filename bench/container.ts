/**
 * One Lambda container, played by a fresh Node process: imports a bundle, runs one scenario against
 * the loopback Thulium and Secrets Manager, and writes what it measured as JSON to BENCH_OUT.
 * Started by bench/run.ts; times are read from this process's own clock origin.
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { httpApiEvent, lambdaContext, sqsEvent } from '../test/support/aws-events.ts';

export type Scenario = 'cold' | 'warm' | 'batch' | 'stream';

export interface Task {
  bundle: string;
  scenario: Scenario;
  /** warm: invocations; batch: timed batches; stream: batches in this container. */
  count: number;
  /** warm: the invocation after which memory is read the first time. */
  checkpoint?: number;
  phoneNumber: string;
  statusId: string;
}

export interface Measured {
  importMs?: number;
  coldStartMs?: number;
  firstStatus?: number;
  latenciesMs?: number[];
  rssAtCheckpoint?: number;
  rssAtEnd?: number;
  startedAt?: number;
  endedAt?: number;
  failures?: number;
}

type Handler = (event: unknown, context: unknown) => Promise<any>;

const task = JSON.parse(process.env.BENCH_TASK!) as Task;
const update = JSON.stringify({ phone_number: task.phoneNumber, status_id: task.statusId });
const httpEvent = () => httpApiEvent({ body: update });
const batchEvent = () => sqsEvent(Array.from({ length: 10 }, () => ({ body: update })));
const context = () => lambdaContext(30_000);
/** RSS after a full collection, so the figure is what the container keeps, not garbage not yet collected. */
const rss = () => {
  globalThis.gc?.();
  return process.memoryUsage().rss;
};

const importStart = performance.now();
const { handler } = (await import(pathToFileURL(task.bundle).href)) as { handler: Handler };
const importMs = performance.now() - importStart;
const measured: Measured = { importMs };

async function timed(event: unknown) {
  const start = performance.now();
  const answer = await handler(event, context());
  return { ms: performance.now() - start, answer };
}

if (task.scenario === 'cold') {
  const { answer } = await timed(httpEvent());
  measured.coldStartMs = performance.now();
  measured.firstStatus = answer.statusCode;
} else if (task.scenario === 'warm') {
  measured.latenciesMs = [];
  for (let i = 1; i <= task.count; i++) {
    const { ms, answer } = await timed(httpEvent());
    if (answer.statusCode !== 200) measured.failures = (measured.failures ?? 0) + 1;
    measured.latenciesMs.push(ms);
    if (i === task.checkpoint) measured.rssAtCheckpoint = rss();
  }
  measured.rssAtEnd = rss();
} else {
  // The first batch pays the secret read and the connections; a warm container is what is timed.
  await handler(batchEvent(), context());
  measured.latenciesMs = [];
  measured.startedAt = performance.timeOrigin + performance.now();
  for (let i = 0; i < task.count; i++) {
    const { ms, answer } = await timed(batchEvent());
    measured.failures = (measured.failures ?? 0) + (answer?.batchItemFailures?.length ?? 10);
    measured.latenciesMs.push(ms);
  }
  measured.endedAt = performance.timeOrigin + performance.now();
}

writeFileSync(process.env.BENCH_OUT!, JSON.stringify(measured));
// Keep-alive sockets would hold the process open; the container is done.
process.exit(0);
