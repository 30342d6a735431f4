/**
 * How fast an estimate forgets: after this long without a new observation an estimate has fallen to 1/e of
 * itself (Finagle's Peak EWMA uses the same 10 s by default). The decay is what lets a carrier that was slow
 * once be tried again later: an estimate nobody refreshes drifts towards zero, the value of a carrier never
 * measured.
 */
export const LATENCY_DECAY_MS = 10_000;

interface Estimate {
  readonly valueMs: number;
  readonly at: number;
}

/**
 * Peak EWMA of latencies, as the latency-aware balancers of Finagle and Linkerd keep it: an observation above
 * the estimate replaces it at once (a carrier that slows down is noticed on its first slow answer), one below
 * it is blended in with a weight that grows with the time since the last observation, and the estimate decays
 * towards zero while nothing is observed. Keys are free-form (carrier and operation).
 */
export class LatencyEwma {
  readonly #estimates = new Map<string, Estimate>();
  readonly #now: () => number;
  readonly #decayMs: number;

  constructor(now: () => number, decayMs = LATENCY_DECAY_MS) {
    this.#now = now;
    this.#decayMs = decayMs;
  }

  /**
   * One finished attempt. A failure only ever raises the estimate: a carrier that fails fast (connection
   * refused) has not shown that it is fast, while one that fails slowly (a timeout) has shown that it is slow.
   */
  observe(key: string, durationMs: number, succeeded: boolean): void {
    const now = this.#now();
    const previous = this.#estimates.get(key);
    if (!previous) {
      this.#estimates.set(key, { valueMs: durationMs, at: now });
      return;
    }
    const keep = Math.exp(-Math.max(0, now - previous.at) / this.#decayMs);
    const decayed = previous.valueMs * keep;
    let valueMs = decayed;
    if (durationMs > decayed) valueMs = durationMs;
    else if (succeeded) valueMs = decayed + durationMs * (1 - keep);
    this.#estimates.set(key, { valueMs, at: now });
  }

  /** The estimate now, decayed since its last observation; undefined when nothing was ever observed. */
  estimate(key: string): number | undefined {
    const current = this.#estimates.get(key);
    if (!current) return undefined;
    return current.valueMs * Math.exp(-Math.max(0, this.#now() - current.at) / this.#decayMs);
  }
}
