import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';

/** The function's handler as Lambda calls it, with either face's events. */
export type Handler = (event: unknown, context: Context) => Promise<any>;

/** A new container of the bundle at `bundlePath`: each query string is a new module instance, with its own caches and pool. */
export async function importContainer(bundlePath: string): Promise<Handler> {
  return (await import(`${pathToFileURL(bundlePath).href}?container=${randomUUID()}`)).handler;
}

/** The context Lambda hands an invocation with `timeoutMs` to run; the function reads its deadline from it. */
export function lambdaContext(timeoutMs = 30_000, functionName = 'thulium-outbound-status'): Context {
  const started = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-central-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => timeoutMs - (Date.now() - started),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
