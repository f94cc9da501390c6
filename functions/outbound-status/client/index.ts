/**
 * For workloads that call thulium-outbound-status: queue an update (fire and forget) or set it
 * over HTTP (an answer now). Each update is checked against the function's own contract first.
 * And for reading what became of an update: its outcome event, checked against the function's schema.
 */
export {
  sendStatusUpdate,
  sendStatusUpdates,
  messageGroupIdFor,
  type BatchOptions,
  type SendOptions,
} from './queue-sender.ts';
export { updateStatus, type UpdateOptions } from './http-caller.ts';
export { QueueSendError, StatusUpdateError, type FailedEntry } from './errors.ts';
export type { StatusUpdateInput } from './request-body.ts';
export type { StatusUpdateResponse } from '../core/contract.ts';
export { InvalidRequestError } from '../core/errors.ts';
export { parseOutcomeEvent, OutcomeEventError } from './outcome-events.ts';
export {
  OUTCOME_DETAIL_TYPES,
  OUTCOME_EVENT_SOURCE,
  OutcomeEvent,
  OutcomeEventDetail,
  type FinalOutcome,
} from '../faces/outcome-event.ts';
