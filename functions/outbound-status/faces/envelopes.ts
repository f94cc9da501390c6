import { parseJsonBody, referenceIn, tooLarge, toStatusUpdate, type StatusUpdate } from '../core/contract.ts';
import { InvalidRequestError } from '../core/errors.ts';
import { isObject } from './event-kind.ts';
import { maskPhoneNumbersIn } from '../core/phone-number.ts';
import { truncate } from '../shared/text.ts';

/** Who wrapped a queue body: nobody, an SNS subscription without raw delivery, or an EventBridge rule target. */
export type Envelope = 'none' | 'sns' | 'eventbridge';

export interface Unwrapped {
  envelope: Envelope;
  /** The update as its sender wrote it, still to be checked against the contract. */
  payload: unknown;
  /** The raw payload's size in bytes, for the body limit: an envelope's own fields do not count. */
  payloadBytes: number;
  /** The topic or the event source, for logs: where to look for the sender. */
  origin?: string;
  /** When SNS took the message in (`Timestamp`), or the event's `time`; epoch ms. */
  sentAt?: number;
}

/** SNS's own fields take about 1 KiB; a queue body may exceed the payload limit by this much when wrapped. */
const ENVELOPE_ALLOWANCE_BYTES = 4_096;

const isSns = (json: Record<string, unknown>) =>
  typeof json.Type === 'string' && typeof json.TopicArn === 'string' && 'Message' in json;
const isEventBridge = (json: Record<string, unknown>) =>
  typeof json['detail-type'] === 'string' && typeof json.source === 'string' && 'detail' in json;

/**
 * Takes a parsed queue body apart. A body that is none of the envelopes is its own payload, so the
 * contract decides about it; a body that is an envelope but not a usable one says what is wrong.
 */
export function unwrapEnvelope(json: unknown, rawBytes: number): Unwrapped {
  if (!isObject(json)) return { envelope: 'none', payload: json, payloadBytes: rawBytes };
  if (isSns(json)) return unwrapSns(json);
  if (isEventBridge(json)) {
    return {
      envelope: 'eventbridge',
      payload: json.detail,
      payloadBytes: Buffer.byteLength(JSON.stringify(json.detail) ?? '', 'utf8'),
      origin: printable(json.source),
      sentAt: timeOf(json.time),
    };
  }
  return { envelope: 'none', payload: json, payloadBytes: rawBytes };
}

function unwrapSns(json: Record<string, unknown>): Unwrapped {
  const origin = topicOf(json.TopicArn);
  if (json.Type === 'SubscriptionConfirmation') {
    // Never confirmed by the function: who may feed the queue is the queue policy's decision.
    throw new InvalidRequestError(
      'MALFORMED_BODY',
      `An SNS subscription confirmation from ${origin}, not an update: confirm it with aws sns confirm-subscription and the Token in this body`,
    );
  }
  if (json.Type !== 'Notification' || typeof json.Message !== 'string') {
    throw new InvalidRequestError(
      'MALFORMED_BODY',
      `An SNS message of type ${truncate(maskPhoneNumbersIn(String(json.Type)), 40, '…')} without a Message string`,
    );
  }
  const payloadBytes = Buffer.byteLength(json.Message, 'utf8');
  let payload: unknown;
  try {
    payload = JSON.parse(json.Message);
  } catch {
    throw new InvalidRequestError('MALFORMED_JSON', "The SNS notification's Message is not valid JSON");
  }
  return { envelope: 'sns', payload, payloadBytes, origin, sentAt: timeOf(json.Timestamp) };
}

const timeOf = (value: unknown) => {
  const at = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isFinite(at) ? at : undefined;
};

/** Sender-controlled text bound for logs and dead-letter reasons. */
const printable = (value: unknown) => truncate(maskPhoneNumbersIn(String(value)), 200, '…');

const TOPIC_ARN = /^(arn:[a-z-]+:sns:[a-z0-9-]+:\d{12}:)(.*)$/;

/** A topic ARN keeps its account id, which ops need and which is no phone number; the rest is masked like any text. */
function topicOf(value: unknown): string {
  const match = TOPIC_ARN.exec(String(value));
  return match ? match[1] + printable(match[2]) : printable(value);
}

/**
 * A queue body, plain or wrapped, to an update. The payload limit is the same as over HTTP; the
 * envelope around it gets its own allowance.
 */
export function parseQueueBody(body: string, maxBytes: number): { update: StatusUpdate } & Omit<Unwrapped, 'payload'> {
  const rawBytes = Buffer.byteLength(body, 'utf8');
  let json: unknown;
  try {
    json = parseJsonBody(body, maxBytes + ENVELOPE_ALLOWANCE_BYTES);
  } catch (error) {
    throw rawBytes > maxBytes ? tooLarge(rawBytes, maxBytes) : error;
  }
  const { payload, ...unwrapped } = unwrapEnvelope(json, rawBytes);
  if (unwrapped.payloadBytes > maxBytes) throw tooLarge(unwrapped.payloadBytes, maxBytes);
  return { update: toStatusUpdate(payload), ...unwrapped };
}

/** The sender's reference in a body the contract refused, plain or wrapped; undefined when there is none to read. */
export function referenceOfBody(body: string): string | undefined {
  try {
    return referenceIn(unwrapEnvelope(JSON.parse(body), Buffer.byteLength(body, 'utf8')).payload);
  } catch {
    return undefined;
  }
}
