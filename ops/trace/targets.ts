import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { STACK_OUTPUTS } from '../../infra/stack-outputs.ts';
import { type AwsClients, describeFailure, SERVICES } from './aws.ts';
import type { Options } from './options.ts';

/** A name to use, or why there is none. */
export type Target = { value: string } | { missing: string };

export interface Targets {
  table: Target;
  keySecret: Target;
  logGroup: Target;
}

const WANTED = [
  {
    part: 'table',
    option: 'tableName',
    output: STACK_OUTPUTS.orderingTable,
    flag: '--table',
    variable: 'ORDERING_TABLE_NAME',
  },
  {
    part: 'keySecret',
    option: 'keySecretId',
    output: STACK_OUTPUTS.orderingKey,
    flag: '--key-secret',
    variable: 'ORDERING_KEY_SECRET_ID',
  },
  {
    part: 'logGroup',
    option: 'logGroup',
    output: STACK_OUTPUTS.logGroup,
    flag: '--log-group',
    variable: 'LOG_GROUP_NAME',
  },
] as const;

/**
 * The table, the key's secret and the log group: as given, else from the stack's outputs. The
 * stack is read only when something needed is missing, so a trace given the table and the key
 * (and the log group, with --logs) needs no cloudformation:DescribeStacks.
 */
export async function resolveTargets(aws: AwsClients, options: Options): Promise<Targets> {
  // The log group alone is worth a stack read only when the query is to run: the query prints without it.
  const needed = WANTED.filter(
    ({ option }) => options[option] === undefined && (option !== 'logGroup' || options.logs),
  );
  const outputs = needed.length === 0 ? undefined : await stackOutputs(aws, options.stack);
  const resolve = ({ option, output, flag, variable }: (typeof WANTED)[number]): Target => {
    const given = options[option];
    if (given !== undefined) return { value: given };
    if (outputs === undefined) return { missing: `not given (${flag} or ${variable})` };
    if (typeof outputs === 'string') return { missing: `not given (${flag} or ${variable}), and ${outputs}` };
    const value = outputs[output];
    return value === undefined
      ? { missing: `not given (${flag} or ${variable}), and stack "${options.stack}" has no output ${output}` }
      : { value };
  };
  return {
    table: resolve(WANTED[0]),
    keySecret: resolve(WANTED[1]),
    logGroup: resolve(WANTED[2]),
  };
}

/** The stack's outputs by key, or why they could not be read. */
async function stackOutputs(aws: AwsClients, stack: string): Promise<Record<string, string> | string> {
  try {
    const { Stacks = [] } = await aws.cloudformation().send(new DescribeStacksCommand({ StackName: stack }));
    return Object.fromEntries(
      (Stacks[0]?.Outputs ?? []).flatMap(({ OutputKey, OutputValue }) =>
        OutputKey === undefined || OutputValue === undefined ? [] : [[OutputKey, OutputValue]],
      ),
    );
  } catch (error) {
    // CloudFormation answers a missing stack with a ValidationError "Stack with id X does not exist".
    if (/does not exist/.test((error as Error)?.message ?? '')) return `stack "${stack}" does not exist here (--stack)`;
    return `the outputs of stack "${stack}" could not be read: ${describeFailure(SERVICES.cloudformation, error)}`;
  }
}
