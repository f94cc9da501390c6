import { SQSClient } from '@aws-sdk/client-sqs';

/** Generous beside the function's own limits: a person waits, and long polls take a second. */
export const LIMITS = { maxAttempts: 5, requestHandler: { connectionTimeout: 3_000, requestTimeout: 30_000 } };

/**
 * The SDK's own configuration (AWS_PROFILE, keys, AWS_REGION, AWS_ENDPOINT_URL_SQS), as for the AWS
 * CLI. A queue URL never overrides the endpoint. Without a configured region, the region a
 * regional queue URL names is used.
 */
export async function createSqsClient(queueUrlHint?: string): Promise<SQSClient> {
  const client = new SQSClient({ ...LIMITS, useQueueUrlAsEndpoint: false });
  const hinted = queueUrlHint === undefined ? undefined : regionOf(queueUrlHint);
  if (hinted === undefined) return client;
  try {
    await client.config.region();
    return client;
  } catch {
    client.destroy();
    return new SQSClient({ ...LIMITS, useQueueUrlAsEndpoint: false, region: hinted });
  }
}

const regionOf = (url: string) => /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\//.exec(url)?.[1];
