import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describeError } from '../dlq/cli-error.ts';

/** As the DLQ tool's: generous beside the function's own limits, as a person waits. */
const LIMITS = { maxAttempts: 5, requestHandler: { connectionTimeout: 3_000, requestTimeout: 30_000 } };

/**
 * The SDK's own configuration (AWS_PROFILE, keys, AWS_REGION, AWS_ENDPOINT_URL_<SERVICE>), as for
 * the AWS CLI. Made on first use: a part that is not read opens no connection.
 */
export class AwsClients {
  private made: { destroy(): void }[] = [];

  readonly dynamodb = this.lazy(() => new DynamoDBClient(LIMITS));
  readonly secrets = this.lazy(() => new SecretsManagerClient(LIMITS));
  readonly logs = this.lazy(() => new CloudWatchLogsClient(LIMITS));
  readonly cloudformation = this.lazy(() => new CloudFormationClient(LIMITS));

  destroy(): void {
    for (const client of this.made) client.destroy();
  }

  private lazy<T extends { destroy(): void }>(make: () => T): () => T {
    let client: T | undefined;
    return () => {
      if (client === undefined) this.made.push((client = make()));
      return client;
    };
  }
}

/** The services a trace calls, as errors name them, with the variable that points the SDK elsewhere. */
export const SERVICES = {
  dynamodb: { name: 'DynamoDB', endpoint: 'AWS_ENDPOINT_URL_DYNAMODB' },
  secrets: { name: 'Secrets Manager', endpoint: 'AWS_ENDPOINT_URL_SECRETS_MANAGER' },
  logs: { name: 'CloudWatch Logs', endpoint: 'AWS_ENDPOINT_URL_CLOUDWATCH_LOGS' },
  cloudformation: { name: 'CloudFormation', endpoint: 'AWS_ENDPOINT_URL_CLOUDFORMATION' },
  sqs: { name: 'SQS', endpoint: 'AWS_ENDPOINT_URL_SQS' },
} as const;

type Service = (typeof SERVICES)[keyof typeof SERVICES];

/**
 * A failed call as one line, as the DLQ tool words it, but naming the service that failed: a trace
 * calls five, and "cannot reach SQS" would send the operator to the wrong one.
 */
export function describeFailure(service: Service, error: unknown): string {
  const e = (error ?? {}) as { name?: string; code?: string; errors?: unknown[] };
  const network = e.code ?? (e.errors?.[0] as { code?: string } | undefined)?.code;
  if (network !== undefined && /^E[A-Z]+$/.test(network)) {
    return `cannot reach ${service.name} (${network}); check AWS_REGION, ${service.endpoint} and the network`;
  }
  if (e.name === 'TimeoutError') return `${service.name} did not answer in time; try again`;
  return describeError(error);
}

/** DynamoDB, Secrets Manager and CloudWatch Logs name a missing table, secret or log group so. */
export const isNotFound = (error: unknown) => (error as Error)?.name === 'ResourceNotFoundException';
