import { Logger } from '@aws-lambda-powertools/logger'; import { Metrics } from '@aws-lambda-powertools/metrics'; import { BatchProcessor } from '@aws-lambda-powertools/batch'; import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
export const x = [Logger, Metrics, BatchProcessor, SecretsProvider];
