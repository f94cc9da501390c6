/** Reads until `ok` holds or `ms` pass, every 50 ms; the last reading either way, for the caller's assertion. */
export async function until<T>(
  read: () => T | Promise<T>,
  ok: (value: T) => boolean = Boolean,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
