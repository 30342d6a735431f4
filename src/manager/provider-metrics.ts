import type { CarrierOperation } from "../domain/carrier-operation.js";
import type { CarrierId } from "../domain/numbers.js";
import type { CarrierCallObserver } from "../domain/carrier-calls.js";
import { LatencyEwma } from "./latency-ewma.js";
import { RollingWindow, type WindowCounts } from "./rolling-window.js";

export interface MetricsFigures {
  readonly periodMs: number;
  readonly totalRequests: number;
  readonly successfulRequests: number;
  readonly failedRequests: number;
  readonly averageResponseTimeMs: number;
  /** Percent, 0-100. */
  readonly errorRate: number;
}

/** Successful attempts remembered per carrier and operation for latency percentiles (hedging). */
const LATENCY_SAMPLES = 64;

/**
 * What routing decisions need of recent carrier calls: the error rate and latency over a rolling window
 * (GetProviderMetrics' rolling_window), the latency of the last successful attempts (hedging) and a peak EWMA
 * (least-latency selection). Totals since start are not here: they are counted once, by the OpenTelemetry
 * instruments (telemetry/metrics-carrier-calls.ts) that /metrics shows. A request is one attempt at the carrier
 * (a retry is another); it failed when the carrier failed (network, timeout, 5xx, 429, auth, unreadable body),
 * not when it rightly refused bad input.
 */
export class ProviderMetrics implements CarrierCallObserver {
  readonly #windows = new Map<CarrierId, RollingWindow>();
  /** Durations of the last successful attempts, per carrier and operation, oldest first. */
  readonly #recentLatencies = new Map<string, number[]>();
  /** Peak EWMA of every attempt's duration, per carrier and operation (least-latency selection). */
  readonly #latencyEwma: LatencyEwma;
  readonly #windowMs: number;
  readonly #now: () => number;

  constructor(windowMs: number, now: () => number = () => performance.now()) {
    this.#windowMs = windowMs;
    this.#now = now;
    this.#latencyEwma = new LatencyEwma(now);
  }

  attemptFinished(carrierId: CarrierId, operation: CarrierOperation, outcome: "success" | "failure", durationMs: number): void {
    const success = outcome === "success";
    if (success) this.#rememberLatency(carrierId, operation, durationMs);
    this.#latencyEwma.observe(`${carrierId}|${operation}`, durationMs, success);
    this.#window(carrierId).record(success, durationMs);
  }

  breakerChanged(): void {
    // Transitions are counted by the instruments; nothing here depends on them.
  }

  /**
   * The `quantile` (0-1) of the durations of the carrier's last successful attempts at an operation, or
   * undefined while fewer than `minSamples` are known. Only successes: an attempt that never answered has no
   * duration to learn from.
   */
  recentLatency(carrierId: CarrierId, operation: CarrierOperation, quantile: number, minSamples: number): number | undefined {
    const samples = this.#recentLatencies.get(`${carrierId}|${operation}`);
    if (!samples || samples.length < Math.max(1, minSamples)) return undefined;
    const sorted = [...samples].sort((left, right) => left - right);
    return sorted[Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)];
  }

  /**
   * The carrier's recent latency at an operation as a latency-aware balancer sees it (peak EWMA, decaying
   * while unobserved; see LatencyEwma), or undefined when it was never called for it.
   */
  latencyEstimate(carrierId: CarrierId, operation: CarrierOperation): number | undefined {
    return this.#latencyEwma.estimate(`${carrierId}|${operation}`);
  }

  /** The carrier's attempts over the rolling window. */
  window(carrierId: CarrierId): MetricsFigures {
    return figures(this.#window(carrierId).read(), this.#windowMs);
  }

  #rememberLatency(carrierId: CarrierId, operation: CarrierOperation, durationMs: number): void {
    const key = `${carrierId}|${operation}`;
    let samples = this.#recentLatencies.get(key);
    if (!samples) this.#recentLatencies.set(key, (samples = []));
    samples.push(durationMs);
    if (samples.length > LATENCY_SAMPLES) samples.shift();
  }

  #window(carrierId: CarrierId): RollingWindow {
    let window = this.#windows.get(carrierId);
    if (!window) this.#windows.set(carrierId, (window = new RollingWindow(this.#windowMs, this.#now)));
    return window;
  }
}

/** The figures GetProviderMetrics reports of a set of attempts. */
export function figures(counts: WindowCounts, periodMs: number): MetricsFigures {
  return {
    periodMs,
    totalRequests: counts.total,
    successfulRequests: counts.successful,
    failedRequests: counts.failed,
    averageResponseTimeMs: counts.total === 0 ? 0 : counts.latencySumMs / counts.total,
    errorRate: counts.total === 0 ? 0 : (counts.failed / counts.total) * 100,
  };
}
