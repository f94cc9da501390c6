import { maskPhoneNumbersIn } from '../core/phone-number.ts';
import { truncate } from '../shared/text.ts';

export type EventKind = 'rest-api' | 'http-api' | 'sqs' | 'unknown';

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Tells the triggers apart by the shape AWS gives each event. */
export function eventKind(event: unknown): EventKind {
  if (!isObject(event)) return 'unknown';
  const { Records, requestContext } = event;
  if (Array.isArray(Records)) {
    const fromSqs = Records.length > 0 && Records.every((r) => isObject(r) && r.eventSource === 'aws:sqs');
    return fromSqs ? 'sqs' : 'unknown';
  }
  if (!isObject(requestContext)) return 'unknown';
  if (event.version === '2.0' && isObject(requestContext.http) && typeof requestContext.http.method === 'string')
    return 'http-api';
  if (typeof event.httpMethod === 'string') return 'rest-api';
  return 'unknown';
}

/** Top-level keys of an unrecognised event, each and all bounded (300 characters), for a log line that does not echo its content. */
export const shapeOf = (event: unknown): string =>
  isObject(event)
    ? maskPhoneNumbersIn(
        truncate(
          Object.keys(event)
            .slice(0, 20)
            .map((key) => truncate(key, 40, '…'))
            .join(','),
          299,
          '…',
        ),
      )
    : typeof event;
