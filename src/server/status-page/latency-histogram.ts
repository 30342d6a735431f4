/**
 * Latency percentiles per carrier, read from the Prometheus scrape (numbergate_carrier_call_duration, every
 * attempt at a carrier, all operations and outcomes). The histogram is cumulative since start; the difference
 * between two readings is the histogram of the interval between them, from which percentiles are estimated the
 * way PromQL's histogram_quantile does (linear within a bucket).
 */

const BUCKET_SERIES = "numbergate_carrier_call_duration_bucket{";
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Per carrier: cumulative count per upper bound (seconds; Infinity for +Inf), summed over every other label. */
export type CarrierHistograms = Map<string, Map<number, number>>;

export function parseCarrierHistograms(text: string): CarrierHistograms {
  const histograms: CarrierHistograms = new Map();
  for (const line of text.split("\n")) {
    if (!line.startsWith(BUCKET_SERIES)) continue;
    const close = line.lastIndexOf("}");
    if (close < 0) continue;
    let carrier: string | undefined;
    let le: number | undefined;
    for (const match of line.slice(BUCKET_SERIES.length, close).matchAll(LABEL)) {
      if (match[1] === "carrier") carrier = match[2];
      else if (match[1] === "le") le = match[2] === "+Inf" ? Number.POSITIVE_INFINITY : Number(match[2]);
    }
    const count = Number(line.slice(close + 1).trim().split(/\s+/)[0]);
    if (carrier === undefined || le === undefined || Number.isNaN(le) || !Number.isFinite(count)) continue;
    let buckets = histograms.get(carrier);
    if (!buckets) histograms.set(carrier, (buckets = new Map()));
    buckets.set(le, (buckets.get(le) ?? 0) + count);
  }
  return histograms;
}

/** The interval's buckets: now minus before, per bound (a bound absent before counts from zero). */
export function bucketDelta(now: ReadonlyMap<number, number> | undefined, before: ReadonlyMap<number, number> | undefined): Map<number, number> {
  const delta = new Map<number, number>();
  for (const [bound, count] of now ?? []) delta.set(bound, Math.max(0, count - (before?.get(bound) ?? 0)));
  return delta;
}

/**
 * The `quantile` (0-1) of a cumulative histogram, in ms; null when it holds nothing. A rank in the +Inf bucket
 * answers the highest finite bound (all that is known: "at least this").
 */
export function histogramQuantileMs(buckets: ReadonlyMap<number, number>, quantile: number): number | null {
  const bounds = [...buckets.entries()].sort(([left], [right]) => left - right);
  const total = bounds.at(-1)?.[1] ?? 0;
  if (total <= 0) return null;
  const rank = quantile * total;
  let previousBound = 0;
  let previousCount = 0;
  for (const [bound, count] of bounds) {
    if (count >= rank && count > previousCount) {
      if (!Number.isFinite(bound)) return previousBound * 1000;
      return (previousBound + ((bound - previousBound) * (rank - previousCount)) / (count - previousCount)) * 1000;
    }
    if (Number.isFinite(bound)) previousBound = bound;
    previousCount = count;
  }
  return previousBound * 1000;
}
