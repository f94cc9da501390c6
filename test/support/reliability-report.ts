/**
 * The reliability run's figures as a page, bench/RELIABILITY.md, written by the run itself with
 * when, where and how it ran: a figure quoted anywhere else can be traced to the run that measured it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLine } from '../../bench/report.ts';
import type { ChaosReport } from './chaos.ts';

/** One queue type's run: the report, with what the function's own log lines tell. */
export type Figures = Omit<ChaosReport, 'supersededMessageIds' | 'failingMessageIds'> & {
  retriesScheduled: number;
  retriesByCode: Record<string, number>;
  credentialsRefreshed: number;
};

export interface RunSettings {
  started: Date;
  seed: number;
  messages: number;
  orderingGuard: boolean;
}

const DEFAULT_PAGE = fileURLToPath(new URL('../../bench/RELIABILITY.md', import.meta.url));
const MODES = [
  { mode: 'standard', title: 'Standard queue' },
  { mode: 'fifo', title: 'FIFO queue' },
] as const;

/** The line the run prints for each queue type. */
export function summaryLine(r: Figures): string {
  return (
    `chaos ${r.mode}: ${r.messages} messages, ${r.applied} applied, ${r.superseded} superseded, ${r.deadLettered} dead-lettered ${JSON.stringify(r.deadLetterReasons)}, ` +
    `${r.lost} lost, ${r.stale} numbers stale; redrive ${JSON.stringify(r.redrive)}; ${r.redeliveries} redeliveries, ${r.storeCallsPerUpdate} store calls per update ${JSON.stringify(r.storeFaultsMet)}, ${r.thuliumCallsPerUpdate} Thulium calls per update, ` +
    `${r.secretReads} secret reads, retries ${JSON.stringify(r.retriesByCode)}, faults ${JSON.stringify(r.faultsMet)}, ${r.wallSeconds} s`
  );
}

/**
 * The command as it was typed: `npm run <script>`, or vitest on the run's file, with the run's
 * CHAOS_ settings first, but not those the npm script sets itself.
 */
export function commandLine(env: NodeJS.ProcessEnv = process.env): string {
  const script = env.npm_lifecycle_event && env.npm_lifecycle_event !== 'npx' ? env.npm_lifecycle_event : undefined;
  const ownSettings = new Set(
    [...(script ? (env.npm_lifecycle_script ?? '') : '').matchAll(/\b(CHAOS_\w+)=/g)].map((m) => m[1]),
  );
  const settings = Object.keys(env)
    .filter((name) => name.startsWith('CHAOS_') && !ownSettings.has(name))
    .sort()
    .map((name) => `${name}=${shellWord(env[name] ?? '')}`);
  const run = script ? `npm run ${script}` : 'npx vitest run test/integration/chaos.test.ts';
  return [...settings, run].join(' ');
}

const shellWord = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`);

const counts = (byName: Record<string, number>) =>
  Object.entries(byName)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, count]) => `${name} ${count}`)
    .join(', ') || 'none';

function table(r: Figures): string[] {
  const rows: [string, string | number][] = [
    ["updates sent (the failing number's newer one included)", r.messages],
    ['phone numbers (besides the one Thulium keeps failing)', r.phones],
    ['applied', r.applied],
    ['superseded', r.superseded],
    ['dead-lettered, by reason', `${r.deadLettered} (${counts(r.deadLetterReasons)})`],
    ['lost', r.lost],
    ['numbers stale', r.stale],
    [
      "redrive of the failing number's dead letters",
      `${r.redrive.redriven} redriven, ${r.redrive.applied} applied, ${r.redrive.deadLetteredAgain} dead-lettered again`,
    ],
    ['redeliveries', r.redeliveries],
    ['store calls per update (faults met)', `${r.storeCallsPerUpdate} (${counts(r.storeFaultsMet)})`],
    ['Thulium calls per update', `${r.thuliumCallsPerUpdate} (${r.thuliumCalls} calls)`],
    ['secret reads', r.secretReads],
    ['left for retry, by code', `${r.retriesScheduled} (${counts(r.retriesByCode)})`],
    ['Thulium faults met', counts(r.faultsMet)],
    [
      'invocations (timed out; deletes the mapping lost)',
      `${r.queue.invocations} (${r.queue.timedOutInvocations}; ${r.queue.lostDeletes})`,
    ],
    ['wall time (s)', r.wallSeconds],
    ['broken promises', r.violations.length === 0 ? 'none' : r.violations.join('; ').replaceAll('|', '\\|')],
  ];
  return ['| figure | value |', '|---|---|', ...rows.map(([figure, value]) => `| ${figure} | ${value} |`)];
}

export function renderReliability(
  reports: Figures[],
  settings: RunSettings,
  finished = new Date(),
  command = commandLine(),
): string {
  const lines = [
    '# Reliability run',
    '',
    'Written by the reliability run (`test/integration/chaos.test.ts`) when `CHAOS_MESSAGES` is set, as `npm run test:chaos` sets it. docs/testing.md describes what the run does and what it checks.',
    '',
    `- Date: ${settings.started.toISOString()} to ${finished.toISOString()}`,
    `- Machine: ${machineLine()}`,
    `- Command: \`${command}\``,
    `- Seed ${settings.seed}; ${settings.messages} messages per queue type; the ordering guard ${settings.orderingGuard ? 'on' : 'off'}`,
  ];
  for (const { mode, title } of MODES) {
    const report = reports.find((r) => r.mode === mode);
    lines.push('', `## ${title}`, '', ...(report ? table(report) : ['No figures: this run failed before counting.']));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Writes the page when the run was asked for by CHAOS_MESSAGES (the default run inside `npm test`
 * leaves the checked-in page alone), to CHAOS_RESULTS_FILE if set; returns where it went.
 */
export function writeReliability(
  reports: Figures[],
  settings: RunSettings,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (!env.CHAOS_MESSAGES) return undefined;
  const path = env.CHAOS_RESULTS_FILE ? resolve(env.CHAOS_RESULTS_FILE) : DEFAULT_PAGE;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, renderReliability(reports, settings));
  return path;
}
