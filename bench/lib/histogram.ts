import hdr from "hdr-histogram-js";

/** Latencies recorded in microseconds in an HDR histogram (3 significant digits, 1 µs .. 10 min); read in ms. */
export class Latencies {
  readonly #histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false });

  recordMs(ms: number): void {
    this.#histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  get count(): number {
    return this.#histogram.totalCount;
  }

  /** The latency at this percentile (0..100), in milliseconds. */
  percentileMs(percentile: number): number {
    return this.count === 0 ? Number.NaN : this.#histogram.getValueAtPercentile(percentile) / 1000;
  }

  get p50Ms(): number {
    return this.percentileMs(50);
  }

  get p99Ms(): number {
    return this.percentileMs(99);
  }

  add(other: Latencies): void {
    this.#histogram.add(other.#histogram);
  }
}
