/**
 * The outcome event: what the function publishes on EventBridge when an update reaches its final
 * outcome (docs/outcome-events.md). One schema for the publisher, the producer helper's reader and
 * the generated JSON Schema. Only zod here: the producer helper bundles this file.
 */
import * as z from 'zod/mini';

export const OUTCOME_EVENT_SOURCE = 'thulium.outbound-status';

/** The final outcomes, each with its EventBridge `detail-type`. */
export const OUTCOME_DETAIL_TYPES = {
  applied: 'Status update applied',
  superseded: 'Status update superseded',
  'dead-lettered': 'Status update dead-lettered',
} as const;

export type FinalOutcome = keyof typeof OUTCOME_DETAIL_TYPES;
const OUTCOMES = Object.keys(OUTCOME_DETAIL_TYPES) as [FinalOutcome, ...FinalOutcome[]];

const text = (description: string) => z.string().register(z.globalRegistry, { description });
const optionalText = (description: string) => z.optional(text(description));

/** Loose: a reader written today keeps working when a field is added. */
export const OutcomeEventDetail = z
  .looseObject({
    outcome: z.enum(OUTCOMES).register(z.globalRegistry, {
      description:
        '`applied`: Thulium set the status; `superseded`: a newer update stood; `dead-lettered`: in the DLQ.',
    }),
    face: z.enum(['http', 'queue']).register(z.globalRegistry, { description: 'How the update came in.' }),
    correlation_id: text(
      "API Gateway's request id, or the SQS message id (what SendMessage returned; a message an SNS topic or an EventBridge rule queued has an id its sender never saw: match on `reference`).",
    ),
    reference: optionalText("The sender's `reference`, as echoed (a run of six or more digits masked)."),
    number_key: optionalText(
      "A short keyed hash of the normalised number, as in the function's log lines (`npm run trace` computes it); absent when the function has no key (`ORDERING_KEY_SECRET_ID`, set with the ordering guard).",
    ),
    phone_number: optionalText('The number, masked as in the logs; absent when the body could not be read.'),
    status_id: optionalText('The status id sent (a long digit run in it masked).'),
    update_version: optionalText("The update's version (ISO 8601): its `updated_at`, else when AWS took it in."),
    version_source: optionalText(
      'Where the version came from: `updated_at`, `sqs`, `api-gateway`, `sns`, `eventbridge`, `dead-letter`.',
    ),
    outbound_id: z.optional(
      z.array(z.union([z.string(), z.number()])).register(z.globalRegistry, {
        description: 'Applied: the campaigns Thulium named.',
      }),
    ),
    thulium_request_id: optionalText("Thulium's request id, when it gave one."),
    applied_version: optionalText('Superseded: the version of the newer update that stands.'),
    error: z.optional(
      z
        .looseObject({
          code: text('The error code (docs/contract.md: the error codes).'),
          kind: text('The error kind.'),
          message: text('What went wrong, phone numbers masked.'),
          thulium_request_id: optionalText("Thulium's request id, when Thulium gave one."),
        })
        .register(z.globalRegistry, { description: 'Dead-lettered: why.' }),
    ),
    envelope: z.optional(
      z
        .enum(['sns', 'eventbridge'])
        .register(z.globalRegistry, { description: 'A wrapped queue message: who wrapped it.' }),
    ),
    envelope_origin: optionalText('The SNS topic ARN or the EventBridge source that wrapped it.'),
  })
  .register(z.globalRegistry, {
    title: 'OutcomeEventDetail',
    description: `The detail of an EventBridge event of source ${OUTCOME_EVENT_SOURCE}: one per update that reached its final outcome.`,
  });
export type OutcomeEventDetail = z.infer<typeof OutcomeEventDetail>;

/** An EventBridge event as a rule target receives it: only the fields a reader needs are checked. */
export const OutcomeEvent = z.looseObject({
  source: z.literal(OUTCOME_EVENT_SOURCE),
  'detail-type': z.enum(Object.values(OUTCOME_DETAIL_TYPES) as [string, ...string[]]),
  time: z.optional(z.string()),
  detail: OutcomeEventDetail,
});
export type OutcomeEvent = z.infer<typeof OutcomeEvent>;
