import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'; import { SQSClient } from '@aws-sdk/client-sqs'; export const x = [SecretsManagerClient, SQSClient];
