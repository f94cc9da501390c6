/**
 * `npm start`'s console: each JSON log line of the function becomes one line a person reads, an
 * update's outcome with its masked number, status and reason, and so does each outcome event it
 * publishes. The fields are the function's own (already masked); LOCAL_LOGS=json keeps the lines
 * as Lambda would ship them, and the events as a rule's target would receive them.
 */
type LogRecord = Record<string, unknown> & {
  level?: string;
  reference?: string;
  message?: string;
  timestamp?: string;
  error?: { code?: string; message?: string; thulium_request_id?: string };
};

/** One person-readable line for one JSON log line; anything that is not one is left as it is. */
export function consoleLine(text: string, maxReceiveCount: number): string {
  let record: LogRecord;
  try {
    record = JSON.parse(text);
  } catch {
    return text;
  }
  if (typeof record !== 'object' || record === null || typeof record.level !== 'string') return text;
  const time = typeof record.timestamp === 'string' ? record.timestamp.slice(11, 23) : '';
  const head = `${time} ${record.level.padEnd(5)}`;
  if (typeof record.outcome !== 'string') return `${head} ${record.message ?? ''}${reason(record)}`;
  const details = [
    record.campaigns !== undefined && `${record.campaigns} campaign${record.campaigns === 1 ? '' : 's'}`,
    record.receive_count !== undefined && `delivery ${record.receive_count} of ${maxReceiveCount}`,
    record.visibility_seconds !== undefined && `back in ${record.visibility_seconds} s`,
    ...bothSay(record),
    record.error?.thulium_request_id !== undefined && `Thulium request ${record.error.thulium_request_id}`,
    record.duration_ms !== undefined && `${record.duration_ms} ms`,
  ].filter(Boolean);
  return `${head} ${String(record.face).padEnd(5)} ${record.outcome.padEnd(15)} ${subject(record)}${reason(record)} (${details.join(', ')})`;
}

type EventDetail = LogRecord & { outbound_id?: unknown[] };

/**
 * One line for one outcome event, in the columns of the log lines, so the two read together: the
 * event's detail-type, the masked number and status, and what a sender reads in it.
 */
export function eventLine(event: { 'detail-type': string; detail: unknown }, at = new Date()): string {
  const detail = (typeof event.detail === 'object' && event.detail !== null ? event.detail : {}) as EventDetail;
  const details = [
    Array.isArray(detail.outbound_id) && `campaigns ${detail.outbound_id.join(', ')}`,
    ...bothSay(detail),
  ].filter(Boolean);
  const head = `${at.toISOString().slice(11, 23)} EVENT ${String(detail.face ?? '').padEnd(5)}`;
  const tail = details.length > 0 ? ` (${details.join(', ')})` : '';
  return `${head} ${event['detail-type'].padEnd(27)} ${subject(detail)}${reason(detail)}${tail}`;
}

/** What a log line and an outcome event both tell of an update: the newer version, the envelope, the reference. */
const bothSay = (record: LogRecord) => [
  record.applied_version !== undefined && `newer applied: ${record.applied_version}`,
  record.envelope !== undefined && `via ${record.envelope} ${record.envelope_origin ?? ''}`.trimEnd(),
  record.reference !== undefined && `ref ${record.reference}`,
];

/** Codes of a body that was looked at but could not be read as JSON, or at all. */
const UNREADABLE = new Set(['MALFORMED_JSON', 'MALFORMED_BODY', 'PAYLOAD_TOO_LARGE']);

/**
 * The update as the function logged it (its number already masked). A line without one is an update
 * the function never got out of the body: its code says whether the body was unreadable, read but
 * not a valid update, or never looked at (a wrong method or content type, no time left).
 */
function subject(record: LogRecord): string {
  if (record.phone_number !== undefined) return `${record.phone_number} status ${record.status_id}`;
  const code = record.error?.code ?? '';
  if (UNREADABLE.has(code)) return '(unreadable body)';
  return code === 'VALIDATION_FAILED' ? '(body not a valid update)' : '(body not read)';
}

const reason = (record: LogRecord) =>
  record.error ? `: ${record.error.code ?? ''} ${record.error.message ?? ''}`.trimEnd() : '';

/** Rewrites what is written to stdout and stderr (the logger writes WARN and ERROR there) line by line; returns the undo. */
export function showConsoleLines(maxReceiveCount: number): () => void {
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write);
  streams.forEach((stream, i) => {
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      const lines = text.split('\n').map((line) => (line.startsWith('{') ? consoleLine(line, maxReceiveCount) : line));
      return (originals[i] as (...a: unknown[]) => boolean).call(stream, lines.join('\n'), ...rest);
    }) as typeof stream.write;
  });
  return () => {
    for (const [i, stream] of streams.entries()) stream.write = originals[i];
  };
}
