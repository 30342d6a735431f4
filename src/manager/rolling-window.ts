/** Counts kept in time buckets so that "the last N minutes" costs O(1) per event and O(buckets) per read. */
export interface WindowCounts {
  total: number;
  successful: number;
  failed: number;
  latencySumMs: number;
}

const emptyCounts = (): WindowCounts => ({ total: 0, successful: 0, failed: 0, latencySumMs: 0 });

export class RollingWindow {
  readonly #bucketMs: number;
  readonly #buckets: { startedAt: number; counts: WindowCounts }[];
  readonly #now: () => number;
  readonly windowMs: number;

  constructor(windowMs: number, now: () => number, bucketCount = 30) {
    this.windowMs = windowMs;
    this.#bucketMs = Math.max(1, Math.ceil(windowMs / bucketCount));
    this.#buckets = Array.from({ length: bucketCount }, () => ({ startedAt: Number.NEGATIVE_INFINITY, counts: emptyCounts() }));
    this.#now = now;
  }

  record(success: boolean, latencyMs = 0): void {
    const now = this.#now();
    const slot = Math.floor(now / this.#bucketMs);
    const bucket = this.#buckets[slot % this.#buckets.length];
    if (!bucket) return;
    if (bucket.startedAt !== slot * this.#bucketMs) {
      bucket.startedAt = slot * this.#bucketMs;
      bucket.counts = emptyCounts();
    }
    bucket.counts.total += 1;
    if (success) bucket.counts.successful += 1;
    else bucket.counts.failed += 1;
    bucket.counts.latencySumMs += latencyMs;
  }

  read(): WindowCounts {
    const oldest = this.#now() - this.windowMs;
    const sum = emptyCounts();
    for (const bucket of this.#buckets) {
      if (bucket.startedAt + this.#bucketMs <= oldest) continue;
      sum.total += bucket.counts.total;
      sum.successful += bucket.counts.successful;
      sum.failed += bucket.counts.failed;
      sum.latencySumMs += bucket.counts.latencySumMs;
    }
    return sum;
  }
}
