/** The drains' and the bursts' part of the benchmark's report: their targets, tables and what each runs. */
import { BUDGET_ITEM_KEY } from '../functions/outbound-status/adapters/ordering-table.ts';
import { DEFAULT_SETTINGS as SHIPPED } from '../infra/settings.ts';
import type { BurstResult } from './burst.ts';
import type { DrainResult } from './drain.ts';
import { drainKind, type DrainKind } from './options.ts';
import type { Results, Target } from './report.ts';
import { num } from './stats.ts';

const SETTINGS_LINE = `${SHIPPED.maxConcurrency} pollers, batches of ${SHIPPED.batchSize}, a ${SHIPPED.batchWindowSeconds} s window, ${SHIPPED.recordConcurrency} records at once`;

const perCall = (storeCalls: number | undefined, calls: number) =>
  storeCalls === undefined ? Number.NaN : storeCalls / calls;

/** The drain as the targets name it: its containers, the tenant's limit, the function's setting. */
const drainName = (d: DrainResult) =>
  `${d.containers} queue containers${drainKind(d) === 'stack' ? " (the stack's)" : ''} at ${d.callsPerSecond} calls/s${d.setRate ? `, rate set to ${d.setRate}` : ''}`;

function drainTargets(d: DrainResult): Target[] {
  const kind = drainKind(d);
  const store: Target = {
    name: `drain, ${d.callsPerSecond ? drainName(d) : 'no limit'}: budget store calls per Thulium call`,
    ratio: perCall(d.budgetStoreCalls, d.calls),
    limit: 0.2,
  };
  if (kind === 'no-limit') {
    return [{ name: 'drain without a limit: updates not applied', ratio: d.updates - d.applied, limit: 0 }, store];
  }
  const name = `drain, ${drainName(d)}`;
  const time = {
    name: `${name}: time ÷ ideal (${d.updates} ÷ ${d.callsPerSecond} s)`,
    ratio: d.seconds / d.idealSeconds!,
    limit: kind === 'stack' ? 1.05 : 1.1,
  };
  const notApplied = { name: `${name}: updates not applied`, ratio: d.updates - d.applied, limit: 0 };
  if (kind === 'set-rate') {
    return [
      { name: `${name}: share of Thulium calls answered 429`, ratio: d.rejected / d.calls, limit: 0.01 },
      time,
      notApplied,
      store,
    ];
  }
  return [
    time,
    { name: `${name}: Thulium calls per update applied`, ratio: d.calls / d.applied, limit: 1.05 },
    notApplied,
    { name: `${name}: updates dead-lettered`, ratio: d.deadLettered, limit: 0 },
    store,
  ];
}

function burstTargets(b: BurstResult): Target[] {
  const name = `burst, ${b.containers} HTTP containers at ${b.callsPerSecond} calls/s`;
  return [
    {
      name: `${name}: accepted calls/s ÷ the limit`,
      ratio: b.accepted / b.elapsedSeconds / b.callsPerSecond,
      limit: 0.95,
      atLeast: true,
    },
    { name: `${name}: Thulium calls per accepted call`, ratio: b.calls / b.accepted, limit: 1.05 },
  ];
}

/** The function's drain and burst targets, as ratios from this run. */
export const drainAndBurstTargets = (results: Results): Target[] => [
  ...results.drains.filter((d) => d.variant === 'function').flatMap(drainTargets),
  ...results.bursts.filter((b) => b.variant === 'function').flatMap(burstTargets),
];

const storeCell = (r: { storeCalls?: number; budgetStoreCalls?: number; calls: number }) =>
  `${num(perCall(r.storeCalls, r.calls))} / ${num(perCall(r.budgetStoreCalls, r.calls))}`;

const drainRow = (d: DrainResult) =>
  [
    d.callsPerSecond ? `${d.callsPerSecond} calls/s` : 'no limit',
    d.variant,
    d.containers,
    d.setRate ? `${d.setRate} calls/s` : '',
    d.updates,
    `${d.applied}${d.left ? ` (${d.left} left)` : ''}`,
    d.deadLettered,
    d.stopped ? `stopped at ${num(d.seconds)}` : num(d.seconds),
    d.idealSeconds === undefined ? '' : `${d.stopped ? '> ' : ''}${num(d.seconds / d.idealSeconds)}`,
    num(d.applied / d.seconds),
    (d.calls / d.applied).toFixed(2),
    d.rejected,
    storeCell(d),
  ].join(' | ');

const burstRow = (b: BurstResult) =>
  [
    `${b.callsPerSecond} calls/s`,
    b.variant,
    b.containers,
    b.requests,
    Object.entries(b.answers)
      .sort(([a], [z]) => a.localeCompare(z))
      .map(([status, count]) => `${status}: ${count}`)
      .join(', '),
    b.accepted,
    num(b.elapsedSeconds),
    (b.accepted / b.elapsedSeconds / b.callsPerSecond).toFixed(2),
    (b.calls / b.accepted).toFixed(2),
    b.rejected,
    num(b.p50Ms),
    num(b.p99Ms),
    storeCell(b),
  ].join(' | ');

/** The report's sections on draining a queue and on the HTTP burst. */
export function drainSections(results: Results): string[] {
  const { options } = results;
  const burst = options.bursts[0];
  const sized = (kind: DrainKind) => options.drains.find((d) => drainKind(d) === kind)?.containers;
  const kinds: [DrainKind, string][] = [
    [
      'stack',
      `- **The stack's ${SHIPPED.maxConcurrency} queue containers**: the stack as it ships, at each R, and without a limit.`,
    ],
    [
      'containers',
      `- **${sized('containers')} queue containers**: the event source mapping's maximum concurrency raised to ${sized('containers')}, everything else the stack's; all of them share the one tenant's R calls a second, so the deployment must split it among them, not each container learn it alone.`,
    ],
    [
      'set-rate',
      `- **Rate set**: ${sized('set-rate')} queue containers with the function told the tenant's limit (\`THULIUM_CALLS_PER_SECOND\` = R): its budget refills at R from the start, so next to no call should meet a 429. The peer has no such setting and does not run it (its drain would be the one above).`,
    ],
  ];
  return [
    '## Draining a queue into a rate-limited Thulium',
    '',
    `N updates for N numbers queued at once; Lambda's event source mapping (the stack's: ${SETTINGS_LINE}) drives one container of the bundle per poller, in the benchmark's process; Thulium answers in ${options.thuliumLatencyMs} ms and accepts R calls a second (a token bucket holding one second's worth; beyond it 429 with \`Retry-After: 1\`). Time: Thulium's first call → the last call it accepted; ideal N ÷ R, the tenant's limit used from the first call to the last. The peer is stopped at 1.5 × ideal + 5 s: a record it fails waits out the queue's visibility timeout.`,
    '',
    ...kinds.filter(([kind]) => options.drains.some((d) => drainKind(d) === kind)).map(([, text]) => text),
    `- Every run is a new deployment: a fresh, empty DynamoDB table (dynalite) as \`ORDERING_TABLE_NAME\`, so no rate one run learned carries over; the function runs with the stack's environment (\`THULIUM_BUDGET=${SHIPPED.thuliumBudget}\`, as the stack ships) and that table. Store calls per Thulium call: the DynamoDB calls during the run, all of them (the ordering guard's included, as the counting front counts them) / those naming the budget's item (\`${BUDGET_ITEM_KEY}\`, counted by a pass-through before that front), ÷ Thulium's calls.`,
    '',
    "| Thulium accepts | variant | queue containers | function's rate setting | updates | applied | dead-lettered | time (s) | time ÷ ideal | updates applied/s | Thulium calls per update applied | 429s | store calls per Thulium call: all / budget |",
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...results.drains.map((d) => `| ${drainRow(d)} |`),
    '',
    '## A burst on the HTTP face',
    '',
    ...(burst
      ? [
          `${burst.containers} HTTP containers, each with a caller of its own sending API Gateway HTTP API events back to back (the next request as soon as the answer comes, a 503's \`Retry-After\` not waited for) for ${burst.seconds} s, each caller going round numbers of its own; the containers run in the benchmark's process, on a fresh table each run as above, and Thulium accepts ${burst.callsPerSecond} calls a second as above. Ideal: the limit used throughout, accepted calls/s ÷ the limit = 1 (the bucket, full at the start, can put it a little over), every call Thulium gets one it accepts. Time: the callers' start → the last answer; latency: every answer's, whatever its status.`,
          '',
          '| Thulium accepts | variant | HTTP containers | requests | answers by status | accepted (200) | time (s) | accepted/s ÷ limit | Thulium calls per accepted call | 429s | p50 (ms) | p99 (ms) | store calls per Thulium call: all / budget |',
          '|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|',
          ...results.bursts.map((b) => `| ${burstRow(b)} |`),
        ]
      : ['No burst in this run.']),
    '',
  ];
}
