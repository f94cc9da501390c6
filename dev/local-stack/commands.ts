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
  /** Absent without the function's environment to take the stores from (the docs' default ports). */
  trace?: string;
}

const KEYS = `AWS_ACCESS_KEY_ID=${LOCAL_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${LOCAL_CREDENTIALS.secretAccessKey}`;

export interface LocalEndpoints {
  httpUrl: string;
  sqsEndpoint: string;
  queueUrl: string;
  topicArn: string;
  /** The function's environment: the trace command reads the same table, key and DLQ it uses. */
  trace?: NodeJS.ProcessEnv;
}

export function localCommands({ httpUrl, sqsEndpoint, queueUrl, topicArn, trace }: LocalEndpoints): LocalCommands {
  const cli = `${KEYS} aws --endpoint-url ${sqsEndpoint} --region ${LOCAL_REGION}`;
  const sdk = `AWS_ENDPOINT_URL_SQS=${sqsEndpoint} AWS_REGION=${LOCAL_REGION} ${KEYS}`;
  const update = (phone: string, status: string, more = '') =>
    `'{"phone_number":"${phone}","status_id":"${status}"${more}}'`;
  return {
    curl: `curl -X POST -H "Content-Type: application/json" -d ${update('111222333', '3', ',"reference":"crm-42"')} ${httpUrl}${SIMULATOR_PATH}`,
    sendMessage: `${cli} sqs send-message --queue-url ${queueUrl} --message-body ${update('111222333', '8')}`,
    publish: `${cli} sns publish --topic-arn ${topicArn} --message ${update('333444555', '8')}`,
    producer:
      `${sdk} npx node --input-type=module -e "import { sendStatusUpdate } from 'thulium-outbound-status/client';` +
      ` await sendStatusUpdate('${queueUrl}', { phoneNumber: '333444555', statusId: 3 }); console.log('queued')"`,
    sendRefused: `${cli} sqs send-message --queue-url ${queueUrl} --message-body ${update('111222333', '77')}`,
    dlqList: `${sdk} npm run dlq -- list`,
    // -s: npm's own header would echo the number in full, above a report that masks it.
    ...(trace && { trace: `${traceEnvironment(trace, sqsEndpoint)} npm run -s trace -- 111222333` }),
  };
}

/**
 * The function's own table, key secret, guard, normalisation and endpoints, and the local SQS (the
 * trace finds the DLQ by the stack's queue names, as `npm run dlq` does): everything a trace would
 * otherwise ask CloudFormation for, which has no local stack. The local keys only when the function
 * has them: with keys of the user's own, a key secret may be in AWS itself, and those keys are not printed.
 */
function traceEnvironment(env: NodeJS.ProcessEnv, sqsEndpoint: string): string {
  // The function's defaults when unset (functions/outbound-status/environment.ts).
  const normalisation = env.PHONE_NORMALISATION || 'as-is';
  const settings = {
    AWS_ENDPOINT_URL_DYNAMODB: env.AWS_ENDPOINT_URL_DYNAMODB,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: env.AWS_ENDPOINT_URL_SECRETS_MANAGER,
    AWS_ENDPOINT_URL_SQS: sqsEndpoint,
    ORDERING_GUARD: env.ORDERING_GUARD === 'off' ? 'off' : undefined,
    ORDERING_TABLE_NAME: env.ORDERING_TABLE_NAME,
    ORDERING_KEY_SECRET_ID: env.ORDERING_KEY_SECRET_ID,
    PHONE_NORMALISATION: normalisation,
    PHONE_COUNTRY_CODE: normalisation === 'national' ? env.PHONE_COUNTRY_CODE || '48' : undefined,
    AWS_REGION: env.AWS_REGION ?? LOCAL_REGION,
  };
  const pairs = Object.entries(settings).flatMap(([key, value]) => (value ? [`${key}=${value}`] : []));
  const localKeys = env.AWS_ACCESS_KEY_ID === LOCAL_CREDENTIALS.accessKeyId;
  return [...pairs, ...(localKeys ? [KEYS] : [])].join(' ');
}
