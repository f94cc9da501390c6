/** Below this much time left, a call to Thulium is not started: it could only end in a timeout. */
export const MIN_ATTEMPT_MS = 250;

/** Secrets Manager and SQS clients: a slow dependency costs seconds, not the whole invocation. */
export const AWS_CLIENT_LIMITS = {
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
};

/**
 * Settles with `work`, or rejects with `onTimeout()` once `deadline` (epoch ms) passes. The work
 * itself is not cancelled; the caller just stops waiting, so an answer is still given in time.
 * A plain timer, cleared on settling: an aborted timers/promises sleep would build a DOMException
 * with a stack trace on every call (docs/performance.md).
 */
export async function beforeDeadline<T>(work: Promise<T>, deadline: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), Math.max(0, deadline - Date.now()));
    timer.unref();
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
