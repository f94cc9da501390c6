import * as z from 'zod/mini';

/**
 * The error envelope of every HTTP answer but 200, the function's and API Gateway's alike. The
 * function imports it as a type only, so the published contract costs the bundle nothing.
 */
export const ErrorAnswer = z
  .object({
    error: z.object({
      code: z.string().register(z.globalRegistry, {
        description: 'What went wrong; the values possible at each HTTP status are listed there.',
      }),
      message: z.string().register(z.globalRegistry, {
        description: 'For people: what went wrong and, where it helps, what to change.',
      }),
      request_id: z.string().register(z.globalRegistry, {
        description: "API Gateway's request id: the correlation id under which the function logged this request.",
      }),
      fields: z.optional(
        z.array(z.object({ field: z.string(), message: z.string() })).register(z.globalRegistry, {
          description: 'VALIDATION_FAILED from the function: every offending field (the first 20).',
        }),
      ),
      thulium_errors: z.optional(
        z
          .array(z.object({ message: z.string(), code: z.optional(z.union([z.string(), z.number()])) }))
          .register(z.globalRegistry, {
            description: "THULIUM_REFUSED: Thulium's own errors, phone-like numbers masked.",
          }),
      ),
      thulium_request_id: z.optional(
        z.string().register(z.globalRegistry, { description: "Thulium's id of the request, for Thulium's support." }),
      ),
      update_version: z.optional(
        z.string().register(z.globalRegistry, {
          description: "SUPERSEDED: this update's version (its updated_at, or when API Gateway received it), UTC.",
        }),
      ),
      applied_version: z.optional(
        z.string().register(z.globalRegistry, {
          description: 'SUPERSEDED: the version of the newer update already applied for this number, UTC.',
        }),
      ),
      retry_after_seconds: z.optional(
        z
          .int()
          .check(z.minimum(1))
          .register(z.globalRegistry, { description: '503 only: the Retry-After header, in seconds.' }),
      ),
    }),
  })
  .register(z.globalRegistry, {
    title: 'ErrorAnswer',
    description: "The body of every error answer: the function's own, and API Gateway's refusals in the same envelope.",
  });
export type ErrorAnswer = z.infer<typeof ErrorAnswer>;
export type ErrorBody = ErrorAnswer['error'];
