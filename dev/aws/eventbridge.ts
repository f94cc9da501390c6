/**
 * EventBridge's PutEvents, as the function calls it through the SDK v3 (AWS JSON 1.1,
 * `AWSEvents.PutEvents`), answered the way EventBridge answers: more than 10 entries refuse the
 * whole call; an entry without Source, DetailType or a JSON Detail fails on its own inside a 200,
 * as can entries an injected failure picks. Every call is recorded, and each accepted event is
 * kept and handed to subscribers as a rule's target would receive it.
 */
import { randomUUID } from 'node:crypto';

/** One entry of a PutEvents request, as the SDK sends it (Time in epoch seconds). */
export interface PutEventsEntry {
  Time?: number;
  Source?: string;
  Resources?: string[];
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  TraceHeader?: string;
}

/** An entry as sent, its Detail parsed (when it is JSON), and what EventBridge answered for it. */
export interface RecordedEntry extends PutEventsEntry {
  detail?: unknown;
  EventId?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
}

export interface PutEventsCall {
  /** The bus every entry names, when they all name the same one (EventBridge takes it per entry). */
  EventBusName?: string;
  Entries: RecordedEntry[];
  /** Set when the call failed as a whole (its entries then have no answer): the error type. */
  error?: string;
}

/** An accepted event, as a rule's target (SQS, Lambda) receives it. */
export interface DeliveredEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

type EventAnswer = { status: number; body: unknown };

const ACCOUNT = '000000000000';
const MAX_ENTRIES = 10;

export class LoopbackEventBus {
  readonly calls: PutEventsCall[] = [];
  /** Every accepted event, in the order they were accepted. */
  readonly events: DeliveredEvent[] = [];
  private failing = { remaining: 0, errorCode: 'InternalFailure' };
  private readonly listeners = new Set<(event: DeliveredEvent) => void>();
  private readonly callListeners = new Set<(call: PutEventsCall) => void>();

  /** The next `count` well-formed entries come back failed inside a 200 answer (FailedEntryCount > 0). */
  failEntries(count: number, errorCode = 'InternalFailure'): void {
    this.failing = { remaining: count, errorCode };
  }

  clearFailures(): void {
    this.failing.remaining = 0;
  }

  /** Calls `listener` with each event accepted from now on; returns the unsubscribe. */
  onEvent(listener: (event: DeliveredEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls `listener` with each PutEvents call from now on, refused ones too; returns the unsubscribe. */
  onPutEvents(listener: (call: PutEventsCall) => void): () => void {
    this.callListeners.add(listener);
    return () => this.callListeners.delete(listener);
  }

  /** A call refused before its entries were looked at (an injected failure of the whole call). */
  refused(input: { Entries?: PutEventsEntry[] }, type: string): void {
    this.record(callOf(entriesOf(input).map(parsed), type));
  }

  /** `region`: the one the caller signed for, as EventBridge's events carry their bus's region. */
  putEvents(input: { Entries?: PutEventsEntry[] }, region: string): EventAnswer {
    const entries = entriesOf(input).map(parsed);
    if (entries.length === 0 || entries.length > MAX_ENTRIES) {
      this.record(callOf(entries, 'ValidationException'));
      const size = entries.length === 0 ? 'greater than or equal to 1' : `less than or equal to ${MAX_ENTRIES}`;
      return {
        status: 400,
        body: {
          __type: 'ValidationException',
          message: `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length ${size}`,
        },
      };
    }
    const accepted: DeliveredEvent[] = [];
    for (const entry of entries) {
      const invalid = invalidity(entry);
      if (invalid) Object.assign(entry, invalid);
      else if (this.failing.remaining > 0) {
        this.failing.remaining--;
        Object.assign(entry, { ErrorCode: this.failing.errorCode, ErrorMessage: 'Injected failure' });
      } else {
        entry.EventId = randomUUID();
        accepted.push(delivered(entry, region));
      }
    }
    this.record(callOf(entries));
    this.events.push(...accepted);
    for (const event of accepted) for (const listener of this.listeners) listener(event);
    return {
      status: 200,
      body: {
        FailedEntryCount: entries.filter((entry) => entry.ErrorCode).length,
        Entries: entries.map(({ EventId, ErrorCode, ErrorMessage }) =>
          EventId ? { EventId } : { ErrorCode, ErrorMessage },
        ),
      },
    };
  }

  private record(call: PutEventsCall): void {
    this.calls.push(call);
    for (const listener of this.callListeners) listener(call);
  }
}

const entriesOf = (input: { Entries?: PutEventsEntry[] }) => (Array.isArray(input.Entries) ? input.Entries : []);

function parsed(entry: PutEventsEntry): RecordedEntry {
  try {
    return { ...entry, detail: JSON.parse(entry.Detail ?? '') };
  } catch {
    return { ...entry };
  }
}

function callOf(entries: RecordedEntry[], error?: string): PutEventsCall {
  const buses = new Set(entries.map((entry) => entry.EventBusName));
  const bus = buses.size === 1 ? [...buses][0] : undefined;
  return { ...(bus !== undefined && { EventBusName: bus }), Entries: entries, ...(error && { error }) };
}

/** EventBridge's own refusals of one entry, with its codes. */
function invalidity(entry: RecordedEntry): Pick<RecordedEntry, 'ErrorCode' | 'ErrorMessage'> | undefined {
  for (const field of ['Source', 'DetailType', 'Detail'] as const) {
    if (!entry[field]) {
      return {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
      };
    }
  }
  const detail = entry.detail;
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail))
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  return undefined;
}

function delivered(entry: RecordedEntry, region: string): DeliveredEvent {
  // EventBridge stamps events to the second.
  const time = new Date(entry.Time !== undefined ? entry.Time * 1000 : Date.now());
  return {
    version: '0',
    id: entry.EventId!,
    'detail-type': entry.DetailType!,
    source: entry.Source!,
    account: ACCOUNT,
    time: `${time.toISOString().slice(0, 19)}Z`,
    region,
    resources: entry.Resources ?? [],
    detail: entry.detail,
  };
}
