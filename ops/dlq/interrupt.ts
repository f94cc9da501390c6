import { EXIT_INTERRUPTED } from './cli-error.ts';

export interface Interrupt {
  requested(): boolean;
  /** What the first Ctrl-C announces; a command sets it to what it will do. */
  notice: string;
  /** Settles on the first Ctrl-C, so waits can end at once. */
  readonly whenRequested: Promise<void>;
  dispose(): void;
}

/**
 * The first Ctrl-C (or SIGTERM) asks the running command to stop at a safe point and report; the
 * second one quits at once, for an operator who cannot wait: what was in hand then comes back to
 * the DLQ after its visibility timeout.
 */
export function watchInterrupt(firstNotice: string, secondNotice: string): Interrupt {
  let requested = false;
  let settle = () => {};
  const whenRequested = new Promise<void>((resolve) => (settle = resolve));
  const onSignal = () => {
    if (requested) {
      process.stderr.write(`\n${secondNotice}\n`);
      process.exit(EXIT_INTERRUPTED);
    }
    requested = true;
    process.stderr.write(`\n${interrupt.notice} (Ctrl-C again quits at once)\n`);
    settle();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const interrupt: Interrupt = {
    requested: () => requested,
    notice: firstNotice,
    whenRequested,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
  return interrupt;
}

/** Waits `ms`, or less when interrupted. */
export function pause(ms: number, interrupt?: Interrupt): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void interrupt?.whenRequested.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
