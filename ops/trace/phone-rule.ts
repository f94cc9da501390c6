import {
  PHONE_NORMALISATIONS,
  type PhoneNormalisation,
  type PhonePolicy,
} from '../../functions/outbound-status/core/phone-number.ts';
import { STACK_OUTPUTS } from '../../infra/stack-outputs.ts';
import { outputOf, type StackOutputs } from './stack.ts';

/** Where a setting came from: its flag, its environment variable, the stack's outputs, or a guess. */
export type Source = 'flag' | 'environment' | 'stack' | 'guess';

export interface Sourced<T> {
  value: T;
  from: Source;
}

/** The deployment's PHONE_NORMALISATION and PHONE_COUNTRY_CODE, as far as the flags and the environment give them. */
export interface GivenRule {
  normalisation?: Sourced<PhoneNormalisation>;
  countryCode?: Sourced<string>;
}

/** How the function keys a number, and how the trace knows. */
export interface PhoneRule {
  policy: PhonePolicy;
  normalisationFrom: Source;
  countryCodeFrom: Source;
  /** What was guessed and why, when anything was: a guess may look up another number than the function keys. */
  warning?: string;
}

/** The function's own defaults (functions/outbound-status/environment.ts): the guess when nothing says. */
const DEFAULT_NORMALISATION: PhoneNormalisation = 'as-is';
const DEFAULT_COUNTRY_CODE = '48';

export const isNormalisation = (value: string): value is PhoneNormalisation =>
  (PHONE_NORMALISATIONS as readonly string[]).includes(value);
export const isCountryCode = (value: string) => /^[1-9][0-9]{0,3}$/.test(value);

/** The stack is read for the rule when the normalisation is not given, or is national without its code. */
export const ruleNeedsStack = (given: GivenRule) =>
  given.normalisation === undefined || (given.normalisation.value === 'national' && given.countryCode === undefined);

/** As given, else the stack's outputs, else the function's default, said to be a guess. */
export function resolvePhoneRule(given: GivenRule, stack: StackOutputs, stackName: string): PhoneRule {
  const guesses: string[] = [];
  const settle = <T extends string>(
    setting: Sourced<T> | undefined,
    what: { variable: string; flag: string; output: string; fallback: T; valid: (value: string) => value is T },
  ): Sourced<T> => {
    if (setting !== undefined) return setting;
    const output = outputOf(stack, stackName, what.output);
    if ('value' in output && what.valid(output.value)) return { value: output.value, from: 'stack' };
    const why =
      'why' in output
        ? output.why
        : `stack "${stackName}" outputs ${what.output} "${output.value}", which is no setting`;
    guesses.push(
      `${what.variable} ${what.fallback} is a guess (the function's default): not given (${what.flag} or ${what.variable}), and ${why}`,
    );
    return { value: what.fallback, from: 'guess' };
  };
  const normalisation = settle(given.normalisation, {
    variable: 'PHONE_NORMALISATION',
    flag: '--normalisation',
    output: STACK_OUTPUTS.phoneNormalisation,
    fallback: DEFAULT_NORMALISATION,
    valid: isNormalisation,
  });
  // Only national uses the code: a guessed code that changes nothing is no warning.
  const countryCode =
    normalisation.value === 'national'
      ? settle(given.countryCode, {
          variable: 'PHONE_COUNTRY_CODE',
          flag: '--country-code',
          output: STACK_OUTPUTS.phoneCountryCode,
          fallback: DEFAULT_COUNTRY_CODE,
          valid: (value): value is string => isCountryCode(value),
        })
      : (given.countryCode ?? { value: DEFAULT_COUNTRY_CODE, from: 'guess' as const });
  return {
    policy: { normalisation: normalisation.value, countryCode: countryCode.value },
    normalisationFrom: normalisation.from,
    countryCodeFrom: countryCode.from,
    ...(guesses.length > 0 && {
      warning: `${guesses.join('; ')}. If the deployment sets another, this trace looks up another form of the number than the function keys, and finds nothing of it: give --normalisation (and --country-code) as the deployment sets them.`,
    }),
  };
}
