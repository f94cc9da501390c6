import { STACK_OUTPUTS } from '../../infra/stack-outputs.ts';
import type { Options } from './options.ts';
import { outputOf, type StackOutputs } from './stack.ts';

/** A name to use, why there is none, or (`none`) that the deployment rightly has none. */
export type Target = { value: string } | { missing: string } | { none: string };

export interface Targets {
  table: Target;
  keySecret: Target;
  logGroup: Target;
}

const WANTED = {
  table: { option: 'tableName', output: STACK_OUTPUTS.orderingTable, flag: '--table', variable: 'ORDERING_TABLE_NAME' },
  keySecret: {
    option: 'keySecretId',
    output: STACK_OUTPUTS.orderingKey,
    flag: '--key-secret',
    variable: 'ORDERING_KEY_SECRET_ID',
  },
  logGroup: { option: 'logGroup', output: STACK_OUTPUTS.logGroup, flag: '--log-group', variable: 'LOG_GROUP_NAME' },
} as const;

/**
 * Whether the stack must be read for a name. Not for the table or the key with ORDERING_GUARD=off,
 * nor for the log group alone unless the query is to run (it prints without it): so a trace given the
 * table and the key needs no cloudformation:DescribeStacks.
 */
export const targetsNeedStack = (options: Options) =>
  (!options.guardOff && (options.tableName === undefined || options.keySecretId === undefined)) ||
  (options.logGroup === undefined && options.logs);

/** The table, the key's secret and the log group: as given, else from the stack's outputs. */
export function resolveTargets(options: Options, stack: StackOutputs): Targets {
  const resolve = ({ option, output, flag, variable }: (typeof WANTED)[keyof typeof WANTED]): Target => {
    const given = options[option];
    if (given !== undefined) return { value: given };
    const found = outputOf(stack, options.stack, output);
    return 'value' in found ? found : { missing: `not given (${flag} or ${variable}), and ${found.why}` };
  };
  const off = guardOff(options, stack);
  return {
    // With the guard off the table holds the shared budget at most, nothing of a number.
    table: off ?? resolve(WANTED.table),
    keySecret: options.keySecretId === undefined && off ? off : resolve(WANTED.keySecret),
    logGroup: resolve(WANTED.logGroup),
  };
}

/**
 * The guard is off when the environment says so, or when the stack, read for the key, has none. A
 * stack without the log group output predates these outputs: its missing key says nothing.
 */
function guardOff(options: Options, stack: StackOutputs): { none: string } | undefined {
  if (options.guardOff) return { none: 'the ordering guard is off (ORDERING_GUARD=off)' };
  if (options.keySecretId !== undefined || stack === undefined || !('outputs' in stack)) return undefined;
  const { outputs } = stack;
  if (outputs[STACK_OUTPUTS.orderingKey] !== undefined || outputs[STACK_OUTPUTS.logGroup] === undefined)
    return undefined;
  return {
    none: `the ordering guard is off (stack "${options.stack}" has no output ${STACK_OUTPUTS.orderingKey})`,
  };
}
