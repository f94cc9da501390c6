import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { describeError } from '../dlq/cli-error.ts';
import { type AwsClients, SERVICES } from './aws.ts';

/**
 * What the stack said: its outputs by key, or why they could not be read. `undefined`: not read, as
 * nothing needed it.
 */
export type StackOutputs = { outputs: Record<string, string> } | { unread: string } | undefined;

/** One DescribeStacks for everything the trace was not given. */
export async function readStackOutputs(aws: AwsClients, stack: string): Promise<StackOutputs> {
  const missing = { unread: `stack "${stack}" does not exist here (--stack)` };
  try {
    const { Stacks = [] } = await aws.cloudformation().send(new DescribeStacksCommand({ StackName: stack }));
    if (Stacks[0] === undefined) return missing;
    return {
      outputs: Object.fromEntries(
        (Stacks[0].Outputs ?? []).flatMap(({ OutputKey, OutputValue }) =>
          OutputKey === undefined || OutputValue === undefined ? [] : [[OutputKey, OutputValue]],
        ),
      ),
    };
  } catch (error) {
    // CloudFormation answers a missing stack with a ValidationError "Stack with id X does not exist".
    if (/does not exist/.test((error as Error)?.message ?? '')) return missing;
    return {
      unread: `the outputs of stack "${stack}" could not be read: ${describeError(error, SERVICES.cloudformation)}`,
    };
  }
}

/** An output's value, or why there is none, worded to follow "not given (…), and ". */
export function outputOf(stack: StackOutputs, stackName: string, name: string): { value: string } | { why: string } {
  if (stack === undefined) return { why: 'the stack was not read' };
  if ('unread' in stack) return { why: stack.unread };
  const value = stack.outputs[name];
  return value === undefined ? { why: `stack "${stackName}" has no output ${name}` } : { value };
}
