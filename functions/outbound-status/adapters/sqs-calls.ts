import type { ChangeMessageVisibilityCommandInput, SendMessageCommandInput } from '@aws-sdk/client-sqs';
import { AWS_CLIENT_LIMITS } from '../shared/deadline.ts';

/** The two SQS calls the function makes, both for a record that failed. */
export interface SqsCalls {
  sendMessage(input: SendMessageCommandInput): Promise<void>;
  changeMessageVisibility(input: ChangeMessageVisibilityCommandInput): Promise<void>;
}

/**
 * SQS, loaded and built on the first failed record: an applied update and every HTTP request
 * never need it, so a cold start does not load its code (docs/performance.md).
 */
export function lazySqsCalls(): SqsCalls {
  let loading: ReturnType<typeof load> | undefined;
  const client = () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
  return {
    async sendMessage(input) {
      const { sdk, sqs } = await client();
      await sqs.send(new sdk.SendMessageCommand(input));
    },
    async changeMessageVisibility(input) {
      const { sdk, sqs } = await client();
      await sqs.send(new sdk.ChangeMessageVisibilityCommand(input));
    },
  };
}

async function load() {
  const sdk = await import('@aws-sdk/client-sqs');
  // The QueueUrl of a message must not override AWS_ENDPOINT_URL_SQS or the regional endpoint.
  return { sdk, sqs: new sdk.SQSClient({ ...AWS_CLIENT_LIMITS, useQueueUrlAsEndpoint: false }) };
}
