/**
 * The floor: a handler that does nothing but a keep-alive undici POST to Thulium, with the API
 * user in hand (from the environment). No validation, no secret, no logging, no error mapping.
 */
import { Pool } from 'undici';

const thulium = new URL(process.env.THULIUM_BASE_URL!);
const pool = new Pool(thulium.origin, { connections: 10 });
const authorization = `Basic ${Buffer.from(`${process.env.THULIUM_USERNAME}:${process.env.THULIUM_PASSWORD}`).toString('base64')}`;

async function post(body: string) {
  const response = await pool.request({
    path: '/api/outbound_status_by_phone_number',
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body,
  });
  return { statusCode: response.statusCode, body: await response.body.text() };
}

export async function handler(event: { body?: string; Records?: { body: string }[] }) {
  if (event.Records) {
    await Promise.all(event.Records.map((record) => post(record.body)));
    return { batchItemFailures: [] };
  }
  return post(event.body ?? '');
}
