import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { type CliError, usageError } from './cli-error.ts';
import { DEFAULT_STACK } from './queue-names.ts';
import { parseReasons } from './reasons.ts';

const COMMANDS = ['list', 'redrive', 'discard', 'status', 'cancel'] as const;
type Command = (typeof COMMANDS)[number];

export interface Options {
  command: Command;
  reasons: string[];
  apply: boolean;
  json: boolean;
  limit?: number;
  rate?: number;
  visibilityTimeout: number;
  dlqUrl?: string;
  queueUrl?: string;
  stack: string;
}

/** SQS's own limit for a move task's rate; the per-message redrive keeps the same range. */
const MAX_RATE = 500;
const DEFAULT_VISIBILITY_SECONDS = 60;

/** Which command takes which flag: a flag that would be silently ignored is refused instead. */
const ALLOWED: Record<Command, string[]> = {
  list: ['reason', 'json', 'limit', 'visibility-timeout'],
  redrive: ['reason', 'apply', 'rate', 'visibility-timeout'],
  discard: ['reason', 'apply', 'visibility-timeout'],
  status: [],
  cancel: [],
};
const QUEUE_FLAGS = ['dlq', 'queue', 'stack', 'help'];

type Parsed = { help: true } | { help: false; options: Options };

const FLAGS = {
  reason: { type: 'string', multiple: true },
  apply: { type: 'boolean' },
  json: { type: 'boolean' },
  limit: { type: 'string' },
  rate: { type: 'string' },
  'visibility-timeout': { type: 'string' },
  dlq: { type: 'string' },
  queue: { type: 'string' },
  stack: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The flags and the positionals; a flag parseArgs refuses is `misuse` of its first sentence. */
export function parseFlags<T extends ParseArgsOptionsConfig>(argv: string[], flags: T, misuse = usageError) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options: flags });
  } catch (error) {
    throw misuse(`${(error as Error).message.split(/\. |\n/)[0]} (see --help)`);
  }
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): Parsed {
  const { values, positionals } = parseFlags(argv, FLAGS);
  if (values.help) return { help: true };
  const [command, ...extra] = positionals;
  if (command === undefined) throw usageError(`a command is needed: ${COMMANDS.join(', ')} (see --help)`);
  if (!isCommand(command)) throw usageError(`unknown command "${command}": ${COMMANDS.join(', ')} (see --help)`);
  if (extra.length > 0) throw usageError(`unexpected argument "${extra[0]}" (see --help)`);
  for (const flag of Object.keys(values)) {
    if (!ALLOWED[command].includes(flag) && !QUEUE_FLAGS.includes(flag))
      throw usageError(`${command} does not take --${flag} (see --help)`);
  }
  const reasons = parseReasons(values.reason ?? []);
  if (command === 'discard' && reasons.length === 0) {
    throw usageError('discard needs --reason: it deletes only what you name (SQS purge-queue empties a whole queue)');
  }
  return {
    help: false,
    options: {
      command,
      reasons,
      apply: values.apply ?? false,
      json: values.json ?? false,
      limit: values.limit === undefined ? undefined : wholeNumber('--limit', values.limit, 1, Number.MAX_SAFE_INTEGER),
      rate: values.rate === undefined ? undefined : wholeNumber('--rate', values.rate, 1, MAX_RATE),
      visibilityTimeout:
        values['visibility-timeout'] === undefined
          ? DEFAULT_VISIBILITY_SECONDS
          : wholeNumber('--visibility-timeout', values['visibility-timeout'], 1, 43_200),
      dlqUrl: values.dlq ?? (env.DLQ_URL || undefined),
      queueUrl: values.queue ?? (env.QUEUE_URL || undefined),
      stack: values.stack ?? DEFAULT_STACK,
    },
  };
}

const isCommand = (value: string): value is Command => (COMMANDS as readonly string[]).includes(value);

export function wholeNumber(
  flag: string,
  text: string,
  min: number,
  max: number,
  misuse: (message: string) => CliError = usageError,
): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max)
    throw misuse(`${flag} must be a whole number from ${min} to ${max}, not "${text}"`);
  return value;
}
