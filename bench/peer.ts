/**
 * The peer: the same job written the way Powertools for AWS Lambda documents it. BatchProcessor
 * for partial batch responses, getSecret with its cache, Logger, zod imported as Powertools'
 * parser pages do, and an undici Pool imported from `undici`.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { Pool } from 'undici';
import { z } from 'zod';

const processor = new BatchProcessor(EventType.SQS);
const logger = new Logger({ serviceName: 'thulium-outbound-status-peer' });
const thulium = new URL(process.env.THULIUM_BASE_URL!);
const pool = new Pool(thulium.origin, { connections: 10 });

const StatusUpdate = z.strictObject({
  phone_number: z
    .union([
      z
        .string()
        .regex(/^\+?[0-9\-(). /]+$/)
        .max(32),
      z.int().min(0),
    ])
    .transform(String),
  status_id: z.union([z.string().regex(/^[1-9][0-9]{0,14}$/), z.int().min(1)]).transform(String),
});
const ThuliumAnswer = z.object({ outbound_id: z.array(z.string()) });

async function setStatus(body: string | null | undefined) {
  const update = StatusUpdate.parse(JSON.parse(body ?? ''));
  const { username, password } = (await getSecret(process.env.THULIUM_SECRET_ID!, {
    transform: 'json',
    maxAge: 300,
  })) as { username: string; password: string };
  const response = await pool.request({
    path: '/api/outbound_status_by_phone_number',
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
    },
    body: JSON.stringify(update),
  });
  const answer = await response.body.json();
  if (response.statusCode !== 200) throw new Error(`Thulium answered HTTP ${response.statusCode}`);
  const { outbound_id } = ThuliumAnswer.parse(answer);
  logger.info('status updated', { outbound_id });
  return { outbound_id };
}

const recordHandler = async (record: SQSRecord) => {
  await setStatus(record.body);
};

export async function handler(event: SQSEvent | { body?: string | null }, context: Context) {
  logger.addContext(context);
  if ('Records' in event) return processPartialResponse(event, recordHandler, processor, { context });
  try {
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(await setStatus(event.body)),
    };
  } catch (error) {
    logger.error('status update failed', error as Error);
    const statusCode = error instanceof z.ZodError || error instanceof SyntaxError ? 400 : 502;
    return { statusCode, body: JSON.stringify({ message: (error as Error).message }) };
  }
}
