import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS as SHIPPED } from '../../infra/settings.ts';
import { runChaos } from '../support/chaos.ts';
import { type Figures, summaryLine, writeReliability } from '../support/reliability-report.ts';
import { captureOutput, logRecords } from '../support/world.ts';

/** `npm test` runs a small version; `npm run test:chaos` sets CHAOS_MESSAGES=10000. */
const MESSAGES = Number(process.env.CHAOS_MESSAGES ?? 500);
const SEED = Number(process.env.CHAOS_SEED ?? 20261126);
/**
 * The drain's budget. Each injected 429 (about one call in 30) pauses the whole deployment for the
 * second Thulium asks and lowers its rate, and on FIFO a record refused for want of a turn holds its
 * number's group until its next delivery: a FIFO run of 500 updates, 25 to a number, takes 90 to
 * 130 s here; 1 041 s for 10 000.
 */
const MAX_MS = Math.max(180_000, MESSAGES * 180);
/** `CHAOS_ORDERING_GUARD=off`: the run without the guard, failing, to show what it prevents. */
const ORDERING_GUARD = process.env.CHAOS_ORDERING_GUARD !== 'off';

const STARTED = new Date();

const output = captureOutput();
const reports: Figures[] = [];

afterAll(() => {
  output.stop();
  mkdirSync('dist', { recursive: true });
  writeFileSync(`dist/chaos-report-${MESSAGES}.json`, `${JSON.stringify(reports, null, 2)}\n`);
  for (const r of reports) console.log(summaryLine(r));
  const page = writeReliability(reports, {
    started: STARTED,
    seed: SEED,
    messages: MESSAGES,
    orderingGuard: ORDERING_GUARD,
  });
  if (page) console.log(`reliability figures written to ${page}`);
});

describe.each([
  { mode: 'standard', fifo: false },
  { mode: 'fifo', fifo: true },
])('$mode queue under sustained faults', ({ fifo }) => {
  it(
    `applies, supersedes or dead-letters with a reason every one of ${MESSAGES} updates: none lost, none left in flight, none stale`,
    async () => {
      const linesBefore = output.lines.length;
      const report = await runChaos({
        messages: MESSAGES,
        phones: Math.max(20, Math.round(MESSAGES / 30)),
        fifo,
        seed: SEED,
        faultRate: 0.2,
        pollers: SHIPPED.maxConcurrency,
        maxMs: MAX_MS,
        orderingGuard: ORDERING_GUARD,
      });
      const logged = logRecords(output.lines.slice(linesBefore));
      const retries = logged.filter((line) => line.outcome === 'retry-scheduled');
      const retriesByCode = Object.fromEntries(
        Object.entries(Object.groupBy(retries, (line) => line.error.code)).map(([code, lines]) => [
          code,
          lines!.length,
        ]),
      );
      const credentialsRefreshed = logged.filter((line) => line.credentials_refreshed).length;
      const { supersededMessageIds, failingMessageIds, ...figures } = report;
      reports.push({ ...figures, retriesScheduled: retries.length, retriesByCode, credentialsRefreshed });

      expect(report.violations).toEqual([]);
      // The run's updates, and the failing number's one after its outage.
      expect(report.applied + report.superseded + report.deadLettered).toBe(MESSAGES + 1);
      expect(report.stale).toBe(0);
      // Its two dead letters, redriven after that newer update landed, were superseded: neither applied nor dead-lettered again.
      expect(report.redrive).toEqual({ redriven: 2, applied: 0, deadLetteredAgain: 0 });
      // Each update counted as superseded was judged so by the function itself, in a log line of its own.
      const judged = new Set(logged.filter((line) => line.outcome === 'superseded').map((line) => line.correlation_id));
      expect(supersededMessageIds.filter((id) => !judged.has(id))).toEqual([]);
      // The store failed too, and some failures outlasted the SDK's own retries.
      expect(retriesByCode.ORDERING_STORE_UNAVAILABLE).toBeGreaterThan(0);
      // The run met every kind of fault, and the function worked through them.
      expect(Object.keys(report.faultsMet).sort()).toEqual(['garbage', 'hang', 'rate-limit', 'reset', 'status']);
      // Secrets Manager's outage and the rotation reached the function, and it recovered from both.
      expect(retriesByCode.SECRET_UNAVAILABLE).toBeGreaterThan(0);
      expect(credentialsRefreshed).toBeGreaterThan(0);
      // Updates that can never succeed go straight to the DLQ; transient faults are worked through,
      // unless they outlast every delivery (the number Thulium keeps failing).
      expect(Object.keys(report.deadLetterReasons)).toEqual(
        expect.arrayContaining(['MALFORMED_JSON', 'THULIUM_REFUSED', 'VALIDATION_FAILED']),
      );
      // The failing number's 503s were left for retry as transient. Its dead letters' own reasons are
      // transient too (the accounting checks it), though a last delivery may meet another fault first.
      const failing = new Set(failingMessageIds);
      expect(
        retries.filter((line) => failing.has(line.correlation_id) && line.error.code === 'THULIUM_UNAVAILABLE').length,
      ).toBeGreaterThan(0);
    },
    // The drain, then the newer update's and the redrive's own runs, each within MAX_MS.
    MAX_MS * 2 + 30_000,
  );
});
