import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import {
  REASON_ATTRIBUTES,
  REFERENCE_ATTRIBUTE,
  UPDATE_VERSION_ATTRIBUTE,
} from '../../functions/outbound-status/adapters/dead-letter-queue.ts';
import { unwrapEnvelope } from '../../functions/outbound-status/faces/envelopes.ts';
import { maskPhoneNumber, maskPhoneNumbersIn } from '../../functions/outbound-status/core/phone-number.ts';
import { truncate } from '../../functions/outbound-status/shared/text.ts';
import { kindOf, UNRECORDED } from './reasons.ts';

const REASON_NAMES = new Set<string>(REASON_ATTRIBUTES);

/** A dead letter as an operator may see it: personal data masked, the body itself never shown whole. */
export interface DeadLetter {
  messageId: string;
  reason: string;
  kind?: string;
  errorMessage?: string;
  failedAt?: string;
  receiveCount?: string;
  /** When the update was first sent (the function's version, as ISO 8601); a redrive keeps it. */
  updateVersion?: string;
  thuliumRequestId?: string;
  sourceMessageId?: string;
  /** The sender's reference (the `UpdateReference` attribute), digit runs masked. */
  reference?: string;
  messageGroupId?: string;
  /** Who wrapped the body: none, sns, eventbridge; `unreadable` when it is not JSON or not an envelope we can open. */
  envelope: string;
  phone?: string;
  statusId?: string;
  /** Only for a body that could not be read: its start, phone-like numbers masked. */
  bodyPreview?: string;
}

const PREVIEW_CHARACTERS = 120;

export function readDeadLetter(message: Message): DeadLetter {
  const attribute = (name: string) => message.MessageAttributes?.[name]?.StringValue;
  const reason = attribute('ErrorCode') ?? UNRECORDED;
  const errorMessage = attribute('ErrorMessage');
  return {
    messageId: message.MessageId ?? '?',
    reason,
    kind: kindOf(reason, attribute('ErrorKind')),
    // The function masks what it writes; masked again here, as the reason can hold a sender's text.
    errorMessage: errorMessage === undefined ? undefined : maskPhoneNumbersIn(errorMessage),
    failedAt: attribute('FailedAt'),
    receiveCount: attribute('ReceiveCount'),
    updateVersion: shownVersion(attribute(UPDATE_VERSION_ATTRIBUTE)),
    thuliumRequestId: attribute('ThuliumRequestId'),
    sourceMessageId: attribute('SourceMessageId'),
    // Echoed with its digit runs masked already; masked again, as any sender's text.
    reference: shown(attribute(REFERENCE_ATTRIBUTE), maskPhoneNumbersIn, 128),
    messageGroupId:
      message.Attributes?.MessageGroupId === undefined
        ? undefined
        : maskPhoneNumbersIn(message.Attributes.MessageGroupId),
    ...readBody(message.Body ?? ''),
  };
}

/** The update inside a body, plain or wrapped by SNS or EventBridge, as the function reads it. */
function readBody(body: string): Pick<DeadLetter, 'envelope' | 'phone' | 'statusId' | 'bodyPreview'> {
  try {
    const { envelope, payload } = unwrapEnvelope(JSON.parse(body), Buffer.byteLength(body, 'utf8'));
    if (typeof payload !== 'object' || payload === null) return unreadable(body);
    const { phone_number: phone, status_id: statusId } = payload as Record<string, unknown>;
    return { envelope, phone: shown(phone, maskPhoneNumber), statusId: shown(statusId, maskPhoneNumbersIn) };
  } catch {
    return unreadable(body);
  }
}

/** A field of any type the sender chose, as short masked text; a status id in the phone's place is masked too. */
function shown(value: unknown, mask: (text: string) => string, length = 40): string | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return truncate(mask(text), length, '…');
}

/**
 * The function writes an ISO 8601 time, shown as it is (masking would take its digits). Anything
 * else came from a sender that named its own attribute so, and is masked like other sender text.
 */
function shownVersion(value: string | undefined): string | undefined {
  if (value === undefined || /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(value)) return value;
  return truncate(maskPhoneNumbersIn(value), 40, '…');
}

const unreadable = (body: string) => ({
  envelope: 'unreadable',
  bodyPreview: truncate(maskPhoneNumbersIn(body), PREVIEW_CHARACTERS, '…'),
});

/**
 * The sender's own attributes, for a message sent back to the main queue without the function's
 * reason. The update's version is not a reason: it travels too, so the function judges the redriven
 * update by when it was first sent. A message SQS moved itself (redrive policy) has none: on a
 * standard queue it gets its SentTimestamp, which that move keeps, so a redrive never makes it new. Only the value fields
 * travel: SQS reserves the list fields and refuses them when set.
 */
export function senderAttributes(message: Message): Record<string, MessageAttributeValue> | undefined {
  const kept: Record<string, MessageAttributeValue> = Object.fromEntries(
    Object.entries(message.MessageAttributes ?? {})
      .filter(([name]) => !REASON_NAMES.has(name))
      .map(([name, { DataType, StringValue, BinaryValue }]) => [name, { DataType, StringValue, BinaryValue }] as const),
  );
  const sent = Number(message.Attributes?.SentTimestamp);
  // A FIFO DLQ's message was enqueued anew by the move: its SentTimestamp is no version.
  const fifo = message.Attributes?.MessageGroupId !== undefined;
  if (!(UPDATE_VERSION_ATTRIBUTE in kept) && !fifo && sent > 0 && Object.keys(kept).length < MAX_ATTRIBUTES) {
    kept[UPDATE_VERSION_ATTRIBUTE] = { DataType: 'String', StringValue: new Date(sent).toISOString() };
  }
  return Object.keys(kept).length === 0 ? undefined : kept;
}

/** SQS's limit of message attributes. */
const MAX_ATTRIBUTES = 10;
