import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDuration, parseOptions } from '../../ops/trace/options.ts';
import { USAGE } from '../../ops/trace/usage.ts';
import { DEFAULT_STACK } from '../../ops/dlq/queue-names.ts';

const PHONE = '+48 700 000 123';

const optionsOf = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  const parsed = parseOptions(argv, env);
  if (parsed.help) throw new Error('help');
  return parsed.options;
};

/** The one line and exit code a misuse ends in. */
const misuse = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  try {
    parseOptions(argv, env);
  } catch (error) {
    return { message: (error as Error).message, code: (error as { exitCode?: number }).exitCode };
  }
  throw new Error('accepted');
};

describe('npm run trace: options', () => {
  it('defaults as the function and the DLQ tool do', () => {
    expect(optionsOf([PHONE])).toEqual({
      phone: PHONE,
      // Not given: the stack's outputs tell them, else they are guessed (phone-rule.ts).
      phoneRule: { normalisation: undefined, countryCode: undefined },
      guardOff: false,
      json: false,
      logs: false,
      since: '24h',
      sinceMs: 86_400_000,
      stack: DEFAULT_STACK,
      dlqUrl: undefined,
      tableName: undefined,
      keySecretId: undefined,
      logGroup: undefined,
      visibilityTimeout: 60,
    });
    expect(parseOptions(['--help'], {})).toEqual({ help: true });
    expect(parseOptions([PHONE, '-h'], {})).toEqual({ help: true });
  });

  it('takes every name from the environment, a flag winning over its variable', () => {
    const env = {
      DLQ_URL: 'https://sqs.eu-central-1.amazonaws.com/111122223333/X-updates-dlq',
      ORDERING_TABLE_NAME: 'table-from-env',
      ORDERING_KEY_SECRET_ID: 'key-from-env',
      LOG_GROUP_NAME: '/aws/lambda/from-env',
      PHONE_NORMALISATION: 'national',
      PHONE_COUNTRY_CODE: '49',
    };
    expect(optionsOf([PHONE], env)).toMatchObject({
      dlqUrl: env.DLQ_URL,
      tableName: 'table-from-env',
      keySecretId: 'key-from-env',
      logGroup: '/aws/lambda/from-env',
      phoneRule: {
        normalisation: { value: 'national', from: 'environment' },
        countryCode: { value: '49', from: 'environment' },
      },
    });
    const flags = ['--table', 't', '--key-secret', 'k', '--log-group', 'g', '--dlq', 'd', '--stack', 'S'];
    const given = optionsOf([PHONE, ...flags, '--normalisation', 'strip-separators', '--country-code', '1'], env);
    expect(given).toMatchObject({ tableName: 't', keySecretId: 'k', logGroup: 'g', dlqUrl: 'd', stack: 'S' });
    expect(given.phoneRule).toEqual({
      normalisation: { value: 'strip-separators', from: 'flag' },
      countryCode: { value: '1', from: 'flag' },
    });
    // An empty variable is unset, as in the DLQ tool.
    expect(optionsOf([PHONE], { ORDERING_TABLE_NAME: '', PHONE_NORMALISATION: '' })).toMatchObject({
      tableName: undefined,
      phoneRule: { normalisation: undefined },
    });
    // The function's own variable: only `off` turns the guard off.
    expect(optionsOf([PHONE], { ORDERING_GUARD: 'off' }).guardOff).toBe(true);
    expect(optionsOf([PHONE], { ORDERING_GUARD: 'on' }).guardOff).toBe(false);
    expect(optionsOf([PHONE, '--logs', '--since', '7d', '--json', '--visibility-timeout', '5'])).toMatchObject({
      logs: true,
      json: true,
      since: '7d',
      sinceMs: 7 * 86_400_000,
      visibilityTimeout: 5,
    });
  });

  it('turns misuse into one line, exit 2, and never echoes a number whole', () => {
    expect(misuse([])).toEqual({
      message: 'a phone number is needed: npm run -s trace -- <phone_number> (see --help)',
      code: 2,
    });
    expect(misuse([PHONE, '48700000124']).message).toBe('unexpected argument "********124" (see --help)');
    expect(misuse(['48-700-abc']).message).toMatch(/^"48-700-abc" is not a phone number/);
    expect(misuse([PHONE, '--tabel', 'x']).message).toMatch(/^Unknown option '--tabel'/);
    expect(misuse([PHONE, '--normalisation', 'e164']).message).toBe(
      '--normalisation (or PHONE_NORMALISATION) must be as-is, strip-separators, national, not "e164"',
    );
    expect(misuse([PHONE], { PHONE_COUNTRY_CODE: '048' }).message).toMatch(/^--country-code .* not "048"$/);
    expect(misuse([PHONE, '--visibility-timeout', '0']).message).toMatch(/from 1 to 43200, not "0"/);
    expect(misuse([PHONE, '--country-code', '48700000125']).message).not.toContain('48700000125');
  });
});

describe('--since', () => {
  it('reads minutes, hours and days', () => {
    expect(parseDuration('15m')).toBe(15 * 60_000);
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('366d')).toBe(366 * 86_400_000);
  });

  it.each(['', '0m', '24', 'h', '1.5h', '-1d', '24H', '1w', '367d', '9999999d'])('refuses "%s"', (text) => {
    expect(() => parseDuration(text)).toThrow(/--since must be a duration such as 15m, 24h or 7d/);
  });
});

describe('the commands it shows', () => {
  it('all run npm with -s: without it npm echoes the number in full', () => {
    const shown = [
      ...USAGE.split('\n'),
      ...readFileSync(new URL('../../docs/trace.md', import.meta.url), 'utf8').split('\n'),
      misuse([]).message,
    ].filter((line) => /npm run (-\S+ )*trace\b/.test(line));
    expect(shown.length).toBeGreaterThanOrEqual(7);
    for (const line of shown) expect(line).not.toMatch(/npm run trace\b/);
  });
});
