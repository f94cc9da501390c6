/** mulberry32: a small, fast PRNG whose sequence is fixed by its seed, so runs draw the same faults (which request meets which still depends on arrival order). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** One of `items`, drawn with `random`. */
export const pick = <T>(items: readonly T[], random: () => number): T => items[Math.floor(random() * items.length)];
