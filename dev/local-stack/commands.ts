/**
 * The commands `npm start` prints, each complete as printed: paste one into another shell in the
 * project folder and it reaches the local stack (the AWS CLI, curl, Node 24 through npx, npm).
 * test/integration/local-stack.test.ts runs each of them.
 */
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../aws/sqs.ts';
import { SIMULATOR_PATH } from '../thulium-simulator.ts';

export interface LocalCommands {
  curl: string;
  sendMessage: string;
  publish: string;
  producer: string;
  sendRefused: string;
  dlqList: string;
}

const KEYS = `AWS_ACCESS_KEY_ID=${LOCAL_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${LOCAL_CREDENTIALS.secretAccessKey}`;

export interface LocalEndpoints {
  httpUrl: string;
  sqsEndpoint: string;
  queueUrl: string;
  topicArn: string;
}

export function localCommands({ httpUrl, sqsEndpoint, queueUrl, topicArn }: LocalEndpoints): LocalCommands {
  const cli = `${KEYS} aws --endpoint-url ${sqsEndpoint} --region ${LOCAL_REGION}`;
  const sdk = `AWS_ENDPOINT_URL_SQS=${sqsEndpoint} AWS_REGION=${LOCAL_REGION} ${KEYS}`;
  const update = (phone: string, status: string) => `'{"phone_number":"${phone}","status_id":"${status}"}'`;
  return {
    curl: `curl -X POST -H "Content-Type: application/json" -d ${update('111222333', '3')} ${httpUrl}${SIMULATOR_PATH}`,
    sendMessage: `${cli} sqs send-message --queue-url ${queueUrl} --message-body ${update('111222333', '8')}`,
    publish: `${cli} sns publish --topic-arn ${topicArn} --message ${update('333444555', '8')}`,
    producer:
      `${sdk} npx node --input-type=module -e "import { sendStatusUpdate } from 'thulium-outbound-status/client';` +
      ` await sendStatusUpdate('${queueUrl}', { phoneNumber: '333444555', statusId: 3 }); console.log('queued')"`,
    sendRefused: `${cli} sqs send-message --queue-url ${queueUrl} --message-body ${update('111222333', '77')}`,
    dlqList: `${sdk} npm run dlq -- list`,
  };
}
