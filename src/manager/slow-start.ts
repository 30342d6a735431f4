/**
 * Gradual recovery, after Envoy's slow_start_config: a carrier whose breaker just closed, or that was just
 * re-enabled, gets a share of its normal traffic that grows linearly from MIN_WEIGHT to 1 over the window.
 */
export const SLOW_START_MIN_WEIGHT = 0.1;

export class SlowStart {
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #rampStartedAt = new Map<string, number>();

  constructor(windowMs: number, now: () => number) {
    this.#windowMs = windowMs;
    this.#now = now;
  }

  begin(carrierId: string): void {
    if (this.#windowMs > 0) this.#rampStartedAt.set(carrierId, this.#now());
  }

  /** Share of normal traffic, SLOW_START_MIN_WEIGHT to 1. */
  weight(carrierId: string): number {
    const startedAt = this.#rampStartedAt.get(carrierId);
    if (startedAt === undefined) return 1;
    const progress = (this.#now() - startedAt) / this.#windowMs;
    if (progress >= 1) {
      this.#rampStartedAt.delete(carrierId);
      return 1;
    }
    return SLOW_START_MIN_WEIGHT + (1 - SLOW_START_MIN_WEIGHT) * Math.max(0, progress);
  }

  /** Milliseconds until the ramp of a carrier ends, or undefined when it is not ramping. */
  remainingMs(carrierId: string): number | undefined {
    const startedAt = this.#rampStartedAt.get(carrierId);
    return startedAt === undefined ? undefined : Math.max(0, startedAt + this.#windowMs - this.#now());
  }
}
