import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AWS_CLIENT_LIMITS } from './shared/deadline.ts';
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, Context, SQSEvent } from 'aws-lambda';
import { readConfig } from './config.ts';
import { secretsManagerCredentials, secretsProvider } from './adapters/credentials.ts';
import { secretsManagerKey } from './adapters/ordering-key.ts';
import { dynamoDbOrderingGuard } from './adapters/ordering-store.ts';
import { unguarded } from './core/ordering.ts';
import { sqsDeadLetterQueue } from './adapters/dead-letter-queue.ts';
import { failure, OutboundStatusError } from './core/errors.ts';
import { eventKind, shapeOf } from './faces/event-kind.ts';
import { errorResponse, fromHttpApiEvent, fromRestApiEvent, handleHttpRequest } from './faces/http-face.ts';
import { logger, metrics, recordStoreFailure } from './faces/observability.ts';
import { budgetEvents, recordBudgetRate } from './faces/budget-observability.ts';
import { createThuliumBudget } from './adapters/budget/thulium-budget.ts';
import { dynamoDbBudgetStore } from './adapters/budget/dynamodb-store.ts';
import { METRIC } from './faces/metric-names.ts';
import { handleQueueBatch } from './faces/queue-face.ts';
import { lazySqsCalls } from './adapters/sqs-calls.ts';
import { createThuliumClient } from './adapters/thulium-client.ts';
import { createUpdateStatus } from './core/update-status.ts';
import { numberKeys } from './adapters/number-key.ts';
import { eventBridgePutEvents } from './adapters/event-bridge.ts';
import { outcomeEvents } from './faces/outcome-events.ts';
import { OUTCOME_EVENT_SOURCE } from './faces/outcome-event.ts';

/** Without a Lambda context (a plain local call) an invocation gets this long. */
const DEFAULT_INVOCATION_MS = 30_000;

/** Built once per container, at init: config, one Thulium connection pool, the ordering guard, SQS on first need. */
function createRuntime() {
  const config = readConfig();
  const sqs = lazySqsCalls();
  const secrets = secretsProvider();
  const { ordering } = config;
  // One DynamoDB client and connection pool for the guard and the budget, built only if either uses the table.
  const dynamo = ordering || config.budget.tableName ? new DynamoDBClient(AWS_CLIENT_LIMITS) : undefined;
  // One budget per container, shared by both faces, drawing on the deployment's when there is one.
  const budget = createThuliumBudget({
    shared: config.budget.tableName && dynamo ? dynamoDbBudgetStore(config.budget.tableName, dynamo) : undefined,
    callsPerSecond: config.budget.callsPerSecond,
    maxInFlight: config.thulium.connections,
    ...budgetEvents,
  });
  // The numbers' key: the guard's hashes, and the number_key of log lines and events (also with the guard off, when set).
  const hashKey = config.numberKeySecretId ? secretsManagerKey(config.numberKeySecretId, secrets) : undefined;
  const numberKey = numberKeys(hashKey, config.phonePolicy);
  const events = outcomeEvents(
    config.outcomeEventBus ? eventBridgePutEvents(config.outcomeEventBus, OUTCOME_EVENT_SOURCE) : undefined,
  );
  const updateStatus = createUpdateStatus({
    credentials: secretsManagerCredentials(
      config.secretId,
      config.secretTtlSeconds,
      config.credentialsRejectionHoldSeconds,
      secrets,
    ),
    thulium: createThuliumClient(config.thulium, budget),
    budget,
    phonePolicy: config.phonePolicy,
    ordering:
      ordering && hashKey
        ? dynamoDbOrderingGuard({
            client: dynamo,
            tableName: ordering.tableName,
            ttlSeconds: ordering.ttlSeconds,
            hashKey,
            onFailure: recordStoreFailure,
          })
        : unguarded,
  });
  return {
    config,
    budget,
    http: {
      updateStatus,
      maxBodyBytes: config.maxBodyBytes,
      numberKey,
      events,
      safetyMarginMs: config.deadlineSafetyMarginMs,
    },
    queue: {
      updateStatus,
      sqs,
      deadLetters: sqsDeadLetterQueue(sqs, config.deadLetterQueueUrl),
      maxBodyBytes: config.maxBodyBytes,
      queue: config.queue,
      safetyMarginMs: config.deadlineSafetyMarginMs,
      numberKey,
      events,
    },
  };
}

let runtime: ReturnType<typeof createRuntime> | undefined;
let configurationError: OutboundStatusError | undefined;
try {
  runtime = createRuntime();
} catch (error) {
  configurationError =
    error instanceof OutboundStatusError && error.code === 'CONFIGURATION_INVALID'
      ? error
      : failure('CONFIGURATION_INVALID', `Cannot start: ${(error as Error).message}`, { cause: error });
}

export async function handler(event: unknown, context: Context) {
  const kind = eventKind(event);
  if (context?.functionName) logger.addContext(context);
  metrics.captureColdStartMetric();
  try {
    if (kind === 'unknown') {
      logger.error('unsupported event', { event_shape: shapeOf(event) });
      metrics.addMetric(METRIC.unsupportedEvents, MetricUnit.Count, 1);
      throw new Error('Unsupported event: expected API Gateway REST (payload 1.0), HTTP API (payload 2.0) or SQS');
    }
    if (!runtime) {
      logger.error('function is misconfigured', { error: configurationError as Error });
      // SQS delivers the whole batch again, until the redrive policy takes it: nothing is deleted.
      if (kind === 'sqs') throw configurationError;
      const requestId = (event as APIGatewayProxyEvent).requestContext?.requestId ?? 'unknown';
      return errorResponse(configurationError as OutboundStatusError, requestId);
    }
    const { config } = runtime;
    const remaining = context?.getRemainingTimeInMillis?.() ?? DEFAULT_INVOCATION_MS;
    if (kind === 'sqs') {
      const deadline = Date.now() + remaining - config.deadlineSafetyMarginMs;
      return await handleQueueBatch(event as SQSEvent, runtime.queue, deadline, context);
    }
    const deadline = Date.now() + Math.min(remaining, config.httpTimeoutMs) - config.deadlineSafetyMarginMs;
    const request =
      kind === 'http-api'
        ? fromHttpApiEvent(event as APIGatewayProxyEventV2)
        : fromRestApiEvent(event as APIGatewayProxyEvent);
    return await handleHttpRequest(request, runtime.http, deadline);
  } finally {
    if (runtime) recordBudgetRate(runtime.budget.snapshot());
    metrics.publishStoredMetrics();
  }
}
