import { PhoneNumber } from '../../functions/outbound-status/core/contract.ts';
import { maskPhoneNumbersIn, PHONE_NORMALISATIONS } from '../../functions/outbound-status/core/phone-number.ts';
import { usageError } from '../dlq/cli-error.ts';
import { parseFlags, wholeNumber } from '../dlq/options.ts';
import { DEFAULT_STACK } from '../dlq/queue-names.ts';
import { type GivenRule, isCountryCode, isNormalisation, type Sourced } from './phone-rule.ts';

export interface Options {
  /** The number as typed: never printed whole. */
  phone: string;
  /** What the flags and the environment say of the function's normalisation; the stack tells the rest. */
  phoneRule: GivenRule;
  /** ORDERING_GUARD=off, as the function's: no item and no key to look for. */
  guardOff: boolean;
  json: boolean;
  logs: boolean;
  /** How far back the log query looks, ms. */
  sinceMs: number;
  /** As typed, for the output: `24h`. */
  since: string;
  stack: string;
  dlqUrl?: string;
  tableName?: string;
  keySecretId?: string;
  logGroup?: string;
  visibilityTimeout: number;
}

type Parsed = { help: true } | { help: false; options: Options };

const DEFAULT_SINCE = '24h';
const DEFAULT_VISIBILITY_SECONDS = 60;

const FLAGS = {
  json: { type: 'boolean' },
  logs: { type: 'boolean' },
  since: { type: 'string' },
  stack: { type: 'string' },
  dlq: { type: 'string' },
  table: { type: 'string' },
  'key-secret': { type: 'string' },
  'log-group': { type: 'string' },
  normalisation: { type: 'string' },
  'country-code': { type: 'string' },
  'visibility-timeout': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Usage errors echo what was typed: a phone number among it must not reach the terminal whole. */
const misuse = (message: string) => usageError(maskPhoneNumbersIn(message));

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): Parsed {
  const { values, positionals } = parseFlags(argv, FLAGS, misuse);
  if (values.help) return { help: true };
  const [typed, ...extra] = positionals;
  if (typed === undefined) throw misuse('a phone number is needed: npm run -s trace -- <phone_number> (see --help)');
  if (extra.length > 0) throw misuse(`unexpected argument "${extra[0]}" (see --help)`);
  const phone = PhoneNumber.safeParse(typed);
  if (!phone.success) {
    throw misuse(
      `"${typed}" is not a phone number: ASCII digits, optionally with spaces, dashes, dots, slashes, parentheses or a leading +`,
    );
  }
  const since = values.since ?? DEFAULT_SINCE;
  return {
    help: false,
    options: {
      phone: phone.data,
      phoneRule: {
        normalisation: given(values.normalisation, env.PHONE_NORMALISATION, normalisation),
        countryCode: given(values['country-code'], env.PHONE_COUNTRY_CODE, countryCode),
      },
      guardOff: env.ORDERING_GUARD === 'off',
      json: values.json ?? false,
      logs: values.logs ?? false,
      since,
      sinceMs: parseDuration(since),
      stack: values.stack ?? DEFAULT_STACK,
      dlqUrl: values.dlq ?? (env.DLQ_URL || undefined),
      tableName: values.table ?? (env.ORDERING_TABLE_NAME || undefined),
      keySecretId: values['key-secret'] ?? (env.ORDERING_KEY_SECRET_ID || undefined),
      logGroup: values['log-group'] ?? (env.LOG_GROUP_NAME || undefined),
      visibilityTimeout:
        values['visibility-timeout'] === undefined
          ? DEFAULT_VISIBILITY_SECONDS
          : wholeNumber('--visibility-timeout', values['visibility-timeout'], 1, 43_200, misuse),
    },
  };
}

/** The flag, else its variable (empty is unset, as in the DLQ tool), else nothing: the stack may say. */
function given<T>(flag: string | undefined, variable: string | undefined, check: (value: string) => T) {
  if (flag !== undefined) return { value: check(flag), from: 'flag' } satisfies Sourced<T>;
  return variable ? ({ value: check(variable), from: 'environment' } satisfies Sourced<T>) : undefined;
}

function normalisation(value: string) {
  if (isNormalisation(value)) return value;
  throw misuse(`--normalisation (or PHONE_NORMALISATION) must be ${PHONE_NORMALISATIONS.join(', ')}, not "${value}"`);
}

function countryCode(value: string): string {
  if (isCountryCode(value)) return value;
  throw misuse(`--country-code (or PHONE_COUNTRY_CODE) must be 1 to 4 digits, not starting with 0, not "${value}"`);
}

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** Logs Insights reads back as far as the log group keeps; a year bounds a typo such as 7000d. */
const MAX_SINCE_MS = 366 * UNIT_MS.d;

/** `15m`, `24h`, `7d` to milliseconds. */
export function parseDuration(text: string): number {
  const match = /^([1-9][0-9]{0,5})([mhd])$/.exec(text);
  const ms = match === null ? Number.NaN : Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  if (!(ms <= MAX_SINCE_MS)) {
    throw misuse(`--since must be a duration such as 15m, 24h or 7d (at most 366d), not "${text}"`);
  }
  return ms;
}
