import {
  maskPhoneNumber,
  normalisePhoneNumber,
  type PhoneNormalisation,
} from '../../functions/outbound-status/core/phone-number.ts';
import { EXIT_INTERRUPTED } from '../dlq/cli-error.ts';
import type { Interrupt } from '../dlq/interrupt.ts';
import type { AwsClients } from './aws.ts';
import { readHashKey } from './hash-key.ts';
import { type LettersSection, readLetters } from './letters.ts';
import { type LogsSection, readLogs } from './logs.ts';
import type { Options } from './options.ts';
import { type PhoneRule, resolvePhoneRule, ruleNeedsStack, type Source } from './phone-rule.ts';
import { readStackOutputs } from './stack.ts';
import { readStore, type StoreSection } from './store.ts';
import { resolveTargets, targetsNeedStack } from './targets.ts';

/** What a trace found, each part on its own: one that could not be read says why in its `error`. */
export interface Report {
  /** As typed, masked. */
  number: string;
  /** What the function keys the number by, masked. */
  lookedUpAs: string;
  normalisation: PhoneNormalisation;
  /** Its flag, its variable, the stack's outputs, or a guess (see `warning`). */
  normalisationFrom: Source;
  /** Only where it changes anything (`national`). */
  countryCode?: string;
  countryCodeFrom?: Source;
  /** Set when the rule was guessed: the lookup may be of another form of the number than the function's. */
  warning?: string;
  store: StoreSection;
  deadLetters: LettersSection;
  logs: LogsSection;
}

/**
 * Reads the three parts. The DLQ is read from the start, beside the stack's outputs and the key; a
 * part that fails leaves the others to finish.
 */
export async function trace(aws: AwsClients, options: Options, interrupt: Interrupt): Promise<Report> {
  const now = Date.now();
  const needsStack = targetsNeedStack(options) || ruleNeedsStack(options.phoneRule);
  const stack = needsStack ? readStackOutputs(aws, options.stack) : Promise.resolve(undefined);
  const lookup = stack.then((outputs) => {
    const rule = resolvePhoneRule(options.phoneRule, outputs, options.stack);
    return { rule, policy: rule.policy, normalised: normalisePhoneNumber(options.phone, rule.policy) };
  });
  const letters = readLetters(options, lookup, interrupt);
  const { rule, normalised } = await lookup;
  const targets = resolveTargets(options, await stack);
  const key = await readHashKey(aws, targets.keySecret);
  const [store, deadLetters, logs] = await Promise.all([
    readStore(aws, targets.table, key, normalised, now),
    letters,
    readLogs(aws, options, targets.logGroup, key, normalised, interrupt, now),
  ]);
  return {
    number: maskPhoneNumber(options.phone),
    lookedUpAs: maskPhoneNumber(normalised),
    ...ruleOf(rule),
    store,
    deadLetters,
    logs,
  };
}

const ruleOf = ({ policy, normalisationFrom, countryCodeFrom, warning }: PhoneRule) => ({
  normalisation: policy.normalisation,
  normalisationFrom,
  ...(policy.normalisation === 'national' && { countryCode: policy.countryCode, countryCodeFrom }),
  ...(warning !== undefined && { warning }),
});

/** The parts that could not be read, as the sections name them. */
export function failedParts(report: Report): string[] {
  const parts: [string, { error?: string }][] = [
    ['ordering store', report.store],
    ['dead-letter queue', report.deadLetters],
    ['logs', report.logs],
  ];
  return parts.filter(([, part]) => part.error !== undefined).map(([name]) => name);
}

export function exitCodeOf(report: Report): number {
  if (report.deadLetters.interrupted || report.logs.interrupted) return EXIT_INTERRUPTED;
  return failedParts(report).length > 0 ? 1 : 0;
}
