import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Service } from '../dlq/cli-error.ts';
import { LIMITS } from '../dlq/sqs-client.ts';

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

/** The services a trace calls, as `describeError` names them. */
export const SERVICES = {
  dynamodb: { name: 'DynamoDB', endpoint: 'AWS_ENDPOINT_URL_DYNAMODB' },
  secrets: { name: 'Secrets Manager', endpoint: 'AWS_ENDPOINT_URL_SECRETS_MANAGER' },
  logs: { name: 'CloudWatch Logs', endpoint: 'AWS_ENDPOINT_URL_CLOUDWATCH_LOGS' },
  cloudformation: { name: 'CloudFormation', endpoint: 'AWS_ENDPOINT_URL_CLOUDFORMATION' },
  sqs: { name: 'SQS', endpoint: 'AWS_ENDPOINT_URL_SQS' },
} as const satisfies Record<string, Service>;

/** DynamoDB, Secrets Manager and CloudWatch Logs name a missing table, secret or log group so. */
export const isNotFound = (error: unknown) => (error as Error)?.name === 'ResourceNotFoundException';
