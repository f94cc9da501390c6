/** Order statistics for the benchmark's samples. */

/** The p-th percentile (0–100) by the nearest-rank method; NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

const median = (samples: readonly number[]) => percentile(samples, 50);

/** A figure as the table shows it: the median, with the spread of the samples around it. */
export interface Figure {
  median: number;
  low: number;
  high: number;
  samples: number;
}

/** Median with the 10th–90th percentile as spread (min–max for fewer than ten samples). */
export function figure(samples: readonly number[]): Figure {
  const few = samples.length < 10;
  return {
    median: median(samples),
    low: percentile(samples, few ? 0 : 10),
    high: percentile(samples, few ? 100 : 90),
    samples: samples.length,
  };
}

/** A figure as the report prints it: three significant digits or so. */
export const num = (n: number) => n.toFixed(Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : 2);
