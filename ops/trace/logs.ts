import { GetQueryResultsCommand, StartQueryCommand, StopQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import { numberHash, numberKeyOf } from '../../functions/outbound-status/adapters/number-key.ts';
import { CliError, describeError } from '../dlq/cli-error.ts';
import { type Interrupt, pause } from '../dlq/interrupt.ts';
import { type AwsClients, isNotFound, SERVICES } from './aws.ts';
import type { HashKey } from './hash-key.ts';
import { type LogRow, logQuery, logRow, queryWindow, startQueryCommand } from './log-query.ts';
import type { Options } from './options.ts';
import type { Target } from './targets.ts';

export interface LogsSection {
  numberKey?: string;
  logGroup?: string;
  /** The window the query and the command cover, as given: `24h`. */
  since: string;
  query?: string;
  /** `aws logs start-query …`, when the log group is known. */
  command?: string;
  /** Why the log group is unknown, when it is and the query was not to be run; or why there is no number_key. */
  note?: string;
  /** With --logs: what the query found, newest first. */
  results?: LogRow[];
  interrupted?: boolean;
  error?: string;
}

/** Insights queries a day of one function's logs in seconds; past this the console is the better place. */
const QUERY_WAIT_MS = 60_000;
const POLL_MS = 1_000;

/** The number's `number_key` and its query; run with --logs. */
export async function readLogs(
  aws: AwsClients,
  options: Options,
  logGroup: Target,
  key: HashKey,
  normalised: string,
  interrupt: Interrupt,
  now: number,
): Promise<LogsSection> {
  const since = options.since;
  if ('none' in key) return { since, note: `no number_key without the key: ${key.none}, so the function logs none` };
  if ('error' in key) return { since, error: `no number_key without the key: ${key.error}` };
  const numberKey = numberKeyOf(numberHash(key.key, normalised));
  const query = logQuery(numberKey);
  const window = queryWindow(now, options.sinceMs);
  if (!('value' in logGroup)) {
    const why = `the log group is ${'missing' in logGroup ? logGroup.missing : logGroup.none}`;
    return { numberKey, since, query, ...(options.logs ? { error: why } : { note: why }) };
  }
  const section: LogsSection = {
    numberKey,
    logGroup: logGroup.value,
    since,
    query,
    command: startQueryCommand(logGroup.value, query, window),
  };
  if (!options.logs) return section;
  try {
    const found = await runQuery(aws, logGroup.value, query, window, interrupt);
    return found === 'interrupted' ? { ...section, interrupted: true } : { ...section, results: found };
  } catch (error) {
    if (error instanceof CliError) return { ...section, error: error.message };
    if (isNotFound(error)) return { ...section, error: `log group ${logGroup.value} not found` };
    return { ...section, error: describeError(error, SERVICES.logs) };
  }
}

/** StartQuery, then GetQueryResults once a second until Insights is done, for at most QUERY_WAIT_MS. */
async function runQuery(
  aws: AwsClients,
  logGroupName: string,
  queryString: string,
  window: { startTime: number; endTime: number },
  interrupt: Interrupt,
): Promise<LogRow[] | 'interrupted'> {
  const logs = aws.logs();
  const { queryId } = await logs.send(new StartQueryCommand({ logGroupName, queryString, ...window }));
  if (queryId === undefined) throw new CliError('CloudWatch Logs started no query');
  // A query left running costs until Insights' own 60-minute timeout; stopped on every way out.
  const stop = () => logs.send(new StopQueryCommand({ queryId })).catch(() => undefined);
  const giveUp = Date.now() + QUERY_WAIT_MS;
  for (;;) {
    const { status, results = [] } = await logs.send(new GetQueryResultsCommand({ queryId }));
    if (status === 'Complete') return results.map(logRow);
    if (status !== 'Scheduled' && status !== 'Running') {
      throw new CliError(`the log query ended ${String(status ?? 'without a status').toLowerCase()}`);
    }
    if (interrupt.requested()) {
      await stop();
      return 'interrupted';
    }
    if (Date.now() >= giveUp) {
      await stop();
      throw new CliError(
        `the log query did not finish within ${QUERY_WAIT_MS / 1000} s; narrow --since, or run the query in the console`,
      );
    }
    await pause(POLL_MS, interrupt);
  }
}
