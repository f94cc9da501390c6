import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, APIGatewayProxyResult } from 'aws-lambda';
import type { ErrorAnswer, ErrorBody } from './answers.ts';
import { parseStatusUpdate, type StatusUpdate } from '../core/contract.ts';
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
import { logger, metrics, recordOutcome } from './observability.ts';
import { truncate } from '../shared/text.ts';
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

export async function handleHttpRequest(
  request: HttpRequest,
  deps: { updateStatus: UpdateStatus; maxBodyBytes: number },
  deadline: number,
): Promise<HttpResponse> {
  const startedAt = Date.now();
  const correlationId = request.requestId;
  let update: StatusUpdate | undefined;
  let version: UpdateVersion | undefined;
  const stats: UpdateStats = { attempts: 0, credentialsRefreshed: false };
  try {
    update = parseStatusUpdate(readBody(request, deps.maxBodyBytes), deps.maxBodyBytes);
    version = versionOf(update, { at: request.receivedAt, source: 'api-gateway' });
    // During a pause Thulium asked for, the caller hears so at once, with its Retry-After.
    const answer = await deps.updateStatus({ ...update, version }, deadline, stats, { urgency: 'interactive' });
    recordOutcome({
      outcome: 'updated',
      face: 'http',
      correlationId,
      update,
      version,
      stats,
      startedAt,
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
    const outcome = error instanceof SupersededError ? 'superseded' : 'answered-error';
    recordOutcome({ outcome, face: 'http', correlationId, update, version, stats: update && stats, startedAt, error });
    return errorResponse(error, correlationId);
  }
}

function readBody(request: HttpRequest, maxBodyBytes: number): string {
  if (request.method.toUpperCase() !== 'POST') {
    throw new InvalidRequestError(
      'METHOD_NOT_ALLOWED',
      `Method ${truncate(request.method, 16)} is not allowed; use POST`,
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
