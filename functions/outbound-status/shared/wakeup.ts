/** One timer that calls `run` at the earliest time asked for: a later request never delays an earlier one. */
export function createWakeup(run: () => void, now: () => number = Date.now) {
  let timer: NodeJS.Timeout | undefined;
  let wakeAt = Infinity;
  const cancel = () => {
    clearTimeout(timer);
    timer = undefined;
    wakeAt = Infinity;
  };
  return {
    /** At `at` (epoch ms), unless an earlier wake-up is set already; Infinity asks for none. */
    at(at: number): void {
      if (!Number.isFinite(at) || (timer && wakeAt <= at)) return;
      clearTimeout(timer);
      wakeAt = at;
      timer = setTimeout(
        () => {
          cancel();
          run();
        },
        Math.max(1, at - now()),
      );
    },
    /** Nothing left to wait for: no timer is left behind. */
    cancel,
  };
}
