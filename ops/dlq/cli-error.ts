/** A failure the operator can act on: one line on stderr, no stack, and this exit code. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Bad flags, unknown reason codes: exit 2, as shells expect of a misuse. */
export const usageError = (message: string) => new CliError(message, 2);

export const EXIT_INTERRUPTED = 130;

const ACCESS_ERRORS = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'UnrecognizedClientException',
]);
const EXPIRED_ERRORS = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired']);

/** A missing queue, by the SDK's name or by SQS's old query code. */
export const isMissingQueue = (error: unknown) =>
  ['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue'].includes((error as Error)?.name);

/** A service as errors name it, with the variable that points the SDK elsewhere. */
export interface Service {
  name: string;
  endpoint: string;
}

const SQS: Service = { name: 'SQS', endpoint: 'AWS_ENDPOINT_URL_SQS' };

/**
 * Whatever was thrown, as the one line an operator reads. The SDK's own messages are kept where
 * they are already clear; the common setup mistakes get what to do about them. A tool that calls
 * several services names the one that failed: "cannot reach SQS" would send the operator elsewhere.
 */
export function describeError(error: unknown, service: Service = SQS): string {
  if (error instanceof CliError) return error.message;
  const e = (error ?? {}) as { name?: string; message?: string; code?: string; errors?: unknown[] };
  if (e.name === 'CredentialsProviderError') {
    return 'no AWS credentials found: set AWS_PROFILE (after aws sso login) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';
  }
  if (e.message === 'Region is missing') return 'no AWS region: set AWS_REGION (or AWS_PROFILE with a region)';
  if (isMissingQueue(error)) return 'queue not found';
  if (e.name !== undefined && ACCESS_ERRORS.has(e.name))
    return `access denied by AWS (${e.name}): ${oneLine(e.message)}`;
  if (e.name !== undefined && EXPIRED_ERRORS.has(e.name))
    return 'the AWS credentials have expired: renew them (aws sso login) and run again';
  // Node reports a refused connection to a name with several addresses as an AggregateError without a message.
  const network = e.code ?? (e.errors?.[0] as { code?: string } | undefined)?.code;
  if (network !== undefined && /^E[A-Z]+$/.test(network)) {
    return `cannot reach ${service.name} (${network}); check AWS_REGION, ${service.endpoint} and the network`;
  }
  if (e.name === 'TimeoutError') return `${service.name} did not answer in time; try again`;
  // SQS's JSON protocol names errors by their old query codes, e.g. AWS.SimpleQueueService.InvalidParameterValue.
  return `${(e.name ?? 'Error').replace(/^AWS\.SimpleQueueService\./, '')}: ${oneLine(e.message ?? String(error))}`;
}

const oneLine = (text = '') => text.replace(/\s+/g, ' ').trim();

/** Runs a tool's `main` to its exit code; whatever it throws, even late, is one line on stderr, never a stack trace. */
export function runCli(name: string, main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${name}: ${describeError(error)}\n`);
      process.exitCode = error instanceof CliError ? error.exitCode : 1;
    },
  );
  process.on('unhandledRejection', (error) => {
    process.stderr.write(`${name}: ${describeError(error)}\n`);
    process.exit(1);
  });
}
