import { describe, expect, it } from 'vitest';
import { STACK_OUTPUTS } from '../../infra/stack-outputs.ts';
import { parseOptions } from '../../ops/trace/options.ts';
import { resolvePhoneRule, ruleNeedsStack } from '../../ops/trace/phone-rule.ts';
import type { StackOutputs } from '../../ops/trace/stack.ts';
import { resolveTargets, targetsNeedStack } from '../../ops/trace/targets.ts';

const STACK = 'ThuliumOutboundStatus';

const optionsOf = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  const parsed = parseOptions(['48700000140', '--stack', STACK, ...argv], env);
  if (parsed.help) throw new Error('help');
  return parsed.options;
};

/** A stack as the current one outputs, with the guard on unless said. */
const stack = (outputs: Record<string, string> = {}, guard = true): StackOutputs => ({
  outputs: {
    [STACK_OUTPUTS.logGroup]: '/aws/lambda/fn',
    [STACK_OUTPUTS.orderingTable]: 'table',
    ...(guard && { [STACK_OUTPUTS.orderingKey]: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:key' }),
    [STACK_OUTPUTS.phoneNormalisation]: 'national',
    [STACK_OUTPUTS.phoneCountryCode]: '49',
    ...outputs,
  },
});

const ruleOf = (argv: string[], env: NodeJS.ProcessEnv, outputs: StackOutputs) =>
  resolvePhoneRule(optionsOf(argv, env).phoneRule, outputs, STACK);

describe("the function's phone normalisation", () => {
  it('is the flag, else the variable, else the stack: none of them a guess', () => {
    expect(ruleOf(['--normalisation', 'strip-separators'], { PHONE_NORMALISATION: 'national' }, stack())).toEqual({
      policy: { normalisation: 'strip-separators', countryCode: '48' },
      normalisationFrom: 'flag',
      countryCodeFrom: 'guess',
    });
    expect(ruleOf([], { PHONE_NORMALISATION: 'national' }, stack())).toEqual({
      policy: { normalisation: 'national', countryCode: '49' },
      normalisationFrom: 'environment',
      countryCodeFrom: 'stack',
    });
    expect(ruleOf([], {}, stack())).toEqual({
      policy: { normalisation: 'national', countryCode: '49' },
      normalisationFrom: 'stack',
      countryCodeFrom: 'stack',
    });
    expect(ruleOf(['--country-code', '1'], {}, stack())).toMatchObject({
      policy: { normalisation: 'national', countryCode: '1' },
      countryCodeFrom: 'flag',
    });
  });

  it('needs the stack only when the normalisation, or national’s code, is not given', () => {
    expect(ruleNeedsStack(optionsOf([]).phoneRule)).toBe(true);
    expect(ruleNeedsStack(optionsOf([], { PHONE_NORMALISATION: 'as-is' }).phoneRule)).toBe(false);
    expect(ruleNeedsStack(optionsOf(['--normalisation', 'national']).phoneRule)).toBe(true);
    expect(ruleNeedsStack(optionsOf(['--normalisation', 'national', '--country-code', '48']).phoneRule)).toBe(false);
  });

  it('falls back to the function’s defaults, and says it guessed and why', () => {
    const unreadable = ruleOf([], {}, { unread: `stack "${STACK}" does not exist here (--stack)` });
    expect(unreadable).toMatchObject({
      policy: { normalisation: 'as-is', countryCode: '48' },
      normalisationFrom: 'guess',
    });
    expect(unreadable.warning).toBe(
      `PHONE_NORMALISATION as-is is a guess (the function's default): not given (--normalisation or PHONE_NORMALISATION), and stack "${STACK}" does not exist here (--stack). If the deployment sets another, this trace looks up another form of the number than the function keys, and finds nothing of it: give --normalisation (and --country-code) as the deployment sets them.`,
    );
    // A stack deployed before it output its normalisation.
    const older = ruleOf([], {}, { outputs: { [STACK_OUTPUTS.orderingTable]: 'table' } });
    expect(older.warning).toMatch(/^PHONE_NORMALISATION as-is is a guess .* has no output PhoneNormalisation\. /);
    // National as given, its code from nowhere.
    const code = ruleOf(['--normalisation', 'national'], {}, { unread: 'the outputs could not be read: denied' });
    expect(code).toMatchObject({ policy: { countryCode: '48' }, normalisationFrom: 'flag', countryCodeFrom: 'guess' });
    expect(code.warning).toMatch(/^PHONE_COUNTRY_CODE 48 is a guess .*, and the outputs could not be read: denied\. /);
    // An output that is no setting is no answer either.
    const odd = ruleOf([], {}, stack({ [STACK_OUTPUTS.phoneNormalisation]: 'e164' }));
    expect(odd.warning).toMatch(/stack "ThuliumOutboundStatus" outputs PhoneNormalisation "e164", which is no setting/);
  });
});

describe("the stack's names, and a guard that is off", () => {
  const key = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:key';

  it('takes what is not given from the outputs', () => {
    expect(resolveTargets(optionsOf(['--table', 'mine']), stack())).toEqual({
      table: { value: 'mine' },
      keySecret: { value: key },
      logGroup: { value: '/aws/lambda/fn' },
    });
  });

  it('a stack with the log group but no key output has the guard off: nothing to look for, not a failure', () => {
    const off = { none: `the ordering guard is off (stack "${STACK}" has no output ${STACK_OUTPUTS.orderingKey})` };
    expect(resolveTargets(optionsOf([]), stack({}, false))).toEqual({
      table: off,
      keySecret: off,
      logGroup: { value: '/aws/lambda/fn' },
    });
    // A key given is used: the stack's missing one says nothing of it.
    expect(resolveTargets(optionsOf(['--key-secret', 'k']), stack({}, false)).keySecret).toEqual({ value: 'k' });
  });

  it('a stack that could not be read, or predates the outputs, leaves the names missing: failures', () => {
    expect(resolveTargets(optionsOf([]), { unread: 'denied' }).keySecret).toEqual({
      missing: 'not given (--key-secret or ORDERING_KEY_SECRET_ID), and denied',
    });
    expect(resolveTargets(optionsOf([]), { outputs: {} }).keySecret).toEqual({
      missing: `not given (--key-secret or ORDERING_KEY_SECRET_ID), and stack "${STACK}" has no output OrderingKeySecretArn`,
    });
  });

  it('ORDERING_GUARD=off: no table or key to look for, and no stack read for them', () => {
    const options = optionsOf([], { ORDERING_GUARD: 'off' });
    expect(targetsNeedStack(options)).toBe(false);
    expect(targetsNeedStack({ ...options, logs: true })).toBe(true);
    expect(resolveTargets(options, undefined)).toMatchObject({
      table: { none: 'the ordering guard is off (ORDERING_GUARD=off)' },
      keySecret: { none: 'the ordering guard is off (ORDERING_GUARD=off)' },
    });
    // The function logs a number_key whenever it has a key, the guard on or off.
    const keyed = optionsOf(['--key-secret', 'k'], { ORDERING_GUARD: 'off' });
    expect(resolveTargets(keyed, undefined).keySecret).toEqual({ value: 'k' });
  });

  it('needs the stack only for a name not given', () => {
    expect(targetsNeedStack(optionsOf([]))).toBe(true);
    expect(targetsNeedStack(optionsOf(['--table', 't', '--key-secret', 'k']))).toBe(false);
    expect(targetsNeedStack(optionsOf(['--table', 't', '--key-secret', 'k', '--logs']))).toBe(true);
  });
});
