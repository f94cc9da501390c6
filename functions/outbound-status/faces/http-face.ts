import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, APIGatewayProxyResult } from 'aws-lambda';
import type { ErrorAnswer, ErrorBody } from './answers.ts';
import { echoedReference, parseStatusUpdate, type StatusUpdate } from '../core/contract.ts';
import type { NumberKeys } from '../adapters/number-key.ts';
import type { OutcomeBatch, OutcomeEvents } from './outcome-events.ts';
import { versionOf, versionText, type UpdateVersion } from '../core/ordering.ts';
import {
  InvalidRequestError,
  OutboundStatusError,
  SupersededError,
  ThuliumRefusedError,
  ThuliumUnavailableError,
} from '../core/errors.ts';
import { entryOf } from '../core/error-catalogue.ts';
import { headerValue } from '../shared/headers.ts';
import { logger, metrics, type OutcomeRecord, recordOutcome } from './observability.ts';
import { truncate } from '../shared/text.ts';
import { maskPhoneNumbersIn } from '../core/phone-number.ts';
import { METRIC } from './metric-names.ts';
import type { UpdateStats, UpdateStatus } from '../core/update-status.ts';

/** What the HTTP face needs from either API Gateway payload format. */
export interface HttpRequest {
  method: string;
  headers: Record<string, string | undefined>;
  body: string | null | undefined;
  isBase64Encoded: boolean;
  requestId: string;
  /** When API Gateway took the request in (epoch ms): the version of an update without updated_at. */
  receivedAt: number;
}

export type HttpResponse = APIGatewayProxyResult & { headers: Record<string, string> };

export const fromRestApiEvent = (event: APIGatewayProxyEvent): HttpRequest => ({
  method: event.httpMethod,
  headers: event.headers ?? {},
  body: event.body,
  isBase64Encoded: event.isBase64Encoded === true,
  requestId: event.requestContext?.requestId ?? 'unknown',
  receivedAt: event.requestContext?.requestTimeEpoch ?? Date.now(),
});

export const fromHttpApiEvent = (event: APIGatewayProxyEventV2): HttpRequest => ({
  method: event.requestContext.http.method,
  headers: event.headers ?? {},
  body: event.body,
  isBase64Encoded: event.isBase64Encoded === true,
  requestId: event.requestContext.requestId,
  receivedAt: event.requestContext.timeEpoch ?? Date.now(),
});

/** The longest an answer waits for its outcome's event to be taken. */
const HTTP_PUBLISH_WAIT_MS = 500;

export interface HttpDependencies {
  updateStatus: UpdateStatus;
  maxBodyBytes: number;
  numberKey: NumberKeys;
  events: OutcomeEvents;
  /** Time kept after the deadline, part of it for publishing the outcome's event. */
  safetyMarginMs: number;
}

/** The answer, and the outcome's event published before it is returned (Lambda freezes what runs after). */
export async function handleHttpRequest(
  request: HttpRequest,
  deps: HttpDependencies,
  deadline: number,
): Promise<HttpResponse> {
  const events = deps.events.open(deadline + deps.safetyMarginMs / 2);
  const response = await answer(request, deps, deadline, events);
  // A person is waiting for the answer: the event gets a round trip or two, not the queue's patience.
  await events.close(Math.min(deadline + deps.safetyMarginMs / 2, Date.now() + HTTP_PUBLISH_WAIT_MS));
  return response;
}

async function answer(
  request: HttpRequest,
  deps: HttpDependencies,
  deadline: number,
  events: OutcomeBatch,
): Promise<HttpResponse> {
  const startedAt = Date.now();
  const correlationId = request.requestId;
  let update: StatusUpdate | undefined;
  let version: UpdateVersion | undefined;
  let numberKey: Promise<string | undefined> | undefined;
  /** The sender's reference, as echoed everywhere. */
  let reference: string | undefined;
  const stats: UpdateStats = { attempts: 0, credentialsRefreshed: false };
  const outcome = async (fields: Omit<OutcomeRecord, 'face' | 'correlationId' | 'startedAt'>) =>
    recordOutcome(
      {
        ...fields,
        face: 'http',
        correlationId,
        startedAt,
        reference,
        numberKey: await numberKey,
      },
      events,
    );
  try {
    update = parseStatusUpdate(readBody(request, deps.maxBodyBytes), deps.maxBodyBytes);
    version = versionOf(update, { at: request.receivedAt, source: 'api-gateway' });
    numberKey = deps.numberKey(update.phoneNumber, deadline);
    reference = echoedReference(update.reference);
    const trail = { face: 'http' as const, correlationId, reference };
    // During a pause Thulium asked for, the caller hears so at once, with its Retry-After.
    const answer = await deps.updateStatus({ ...update, version }, deadline, stats, { urgency: 'interactive', trail });
    await outcome({
      outcome: 'updated',
      update,
      version,
      stats,
      outboundIds: answer.outbound_id,
      extra: { campaigns: answer.outbound_id.length },
    });
    return json(200, answer);
  } catch (error) {
    if (!(error instanceof OutboundStatusError)) {
      logger.error('unexpected failure', { correlation_id: correlationId, error: error as Error });
      metrics.addMetric(METRIC.unexpectedErrors, MetricUnit.Count, 1);
      return json(500, {
        error: {
          code: 'INTERNAL_ERROR',
          message: 'Unexpected failure; the function logs it under this request_id',
          request_id: correlationId,
        },
      } satisfies ErrorAnswer);
    }
    const superseded = error instanceof SupersededError;
    await outcome({
      outcome: superseded ? 'superseded' : 'answered-error',
      update,
      version,
      stats: update && stats,
      error,
    });
    return errorResponse(error, correlationId);
  }
}

function readBody(request: HttpRequest, maxBodyBytes: number): string {
  if (request.method.toUpperCase() !== 'POST') {
    throw new InvalidRequestError(
      'METHOD_NOT_ALLOWED',
      `Method ${truncate(maskPhoneNumbersIn(request.method), 16)} is not allowed; use POST`,
    );
  }
  const contentType = headerValue(request.headers, 'content-type');
  if (contentType !== undefined && !/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(contentType.trim())) {
    throw new InvalidRequestError('UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json');
  }
  const raw = request.body ?? '';
  if (!request.isBase64Encoded) return raw;
  const compact = raw.replace(/\s+/g, '');
  // base64 grows the body by a third; refuse before decoding what is clearly too large.
  if (compact.length > Math.ceil(maxBodyBytes / 3) * 4) {
    throw new InvalidRequestError('PAYLOAD_TOO_LARGE', `Body is over the limit of ${maxBodyBytes} bytes`);
  }
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) {
    throw new InvalidRequestError('MALFORMED_BODY', 'Body is flagged base64-encoded but is not valid base64');
  }
  return Buffer.from(compact, 'base64').toString('utf8');
}

export function errorResponse(error: OutboundStatusError, requestId: string): HttpResponse {
  const headers: Record<string, string> = {};
  // Our own setup is none of the caller's business: the details go to the logs, under this request id.
  const message =
    error.code === 'CONFIGURATION_INVALID'
      ? 'The function is misconfigured; its logs name the problem under this request_id'
      : error.message;
  const body: ErrorBody = { code: error.code, message, request_id: requestId };
  if (error instanceof InvalidRequestError && error.fields.length > 0) body.fields = error.fields;
  if (error instanceof ThuliumRefusedError) body.thulium_errors = error.thuliumErrors;
  if (error.thuliumRequestId !== undefined) body.thulium_request_id = error.thuliumRequestId;
  if (error instanceof SupersededError) {
    body.update_version = versionText(error.version);
    body.applied_version = versionText(error.appliedVersion);
  }
  if (error.code === 'METHOD_NOT_ALLOWED') headers.allow = 'POST';
  const { httpStatus: status, retryAfterSeconds } = entryOf(error.code);
  if (status === 503) {
    const retryAfter = error instanceof ThuliumUnavailableError ? error.retryAfterSeconds : (retryAfterSeconds ?? 1);
    headers['retry-after'] = String(retryAfter);
    body.retry_after_seconds = retryAfter;
  }
  return json(status, { error: body } satisfies ErrorAnswer, headers);
}

function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}
