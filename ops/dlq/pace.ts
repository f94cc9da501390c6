import { pause } from './interrupt.ts';

/** Waits as needed so calls run at most `rate` a second; without a rate, never waits. */
export function pacer(rate: number | undefined): () => Promise<void> {
  let next = 0;
  return async () => {
    if (rate === undefined) return;
    const now = Date.now();
    if (next > now) await pause(next - now);
    next = Math.max(now, next) + 1_000 / rate;
  };
}
