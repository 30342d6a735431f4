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

export interface CarrierMetricsSnapshot {
  readonly carrierId: CarrierId;
  readonly sinceStart: MetricsFigures;
  readonly rollingWindow: MetricsFigures;
  /** 0-1; 0 when nothing was looked up. */
  readonly cacheHitRate: number;
  readonly breakerTransitions: number;
}

/** Successful attempts remembered per carrier and operation for latency percentiles (hedging). */
const LATENCY_SAMPLES = 64;

interface CarrierCounters {
  readonly lifetime: WindowCounts;
  readonly window: RollingWindow;
  cacheHits: number;
  cacheLookups: number;
  breakerTransitions: number;
}

/**
 * Per-carrier request metrics. A request is one attempt at the carrier (a retry is another request);
 * answers served from cache are not requests but count towards the cache hit rate. A request failed when
 * the carrier failed (network, timeout, 5xx, 429, auth, unreadable body), not when it rightly refused bad input.
 */
export class ProviderMetrics implements CarrierCallObserver {
  readonly #counters = new Map<CarrierId, CarrierCounters>();
  /** Durations of the last successful attempts, per carrier and operation, oldest first. */
  readonly #recentLatencies = new Map<string, number[]>();
  /** Peak EWMA of every attempt's duration, per carrier and operation (least-latency selection). */
  readonly #latencyEwma: LatencyEwma;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #startedAt: number;

  constructor(windowMs: number, now: () => number = () => performance.now()) {
    this.#windowMs = windowMs;
    this.#now = now;
    this.#startedAt = now();
    this.#latencyEwma = new LatencyEwma(now);
  }

  attemptFinished(carrierId: CarrierId, operation: CarrierOperation, outcome: "success" | "failure", durationMs: number): void {
    const counters = this.#for(carrierId);
    const success = outcome === "success";
    if (success) this.#rememberLatency(carrierId, operation, durationMs);
    this.#latencyEwma.observe(`${carrierId}|${operation}`, durationMs, success);
    counters.lifetime.total += 1;
    if (success) counters.lifetime.successful += 1;
    else counters.lifetime.failed += 1;
    counters.lifetime.latencySumMs += durationMs;
    counters.window.record(success, durationMs);
  }

  breakerChanged(carrierId: CarrierId): void {
    this.#for(carrierId).breakerTransitions += 1;
  }

  recordCacheLookup(carrierId: CarrierId, hit: boolean): void {
    const counters = this.#for(carrierId);
    counters.cacheLookups += 1;
    if (hit) counters.cacheHits += 1;
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

  snapshot(carrierId: CarrierId): CarrierMetricsSnapshot {
    const counters = this.#for(carrierId);
    return {
      carrierId,
      sinceStart: figures(counters.lifetime, this.#now() - this.#startedAt),
      rollingWindow: figures(counters.window.read(), this.#windowMs),
      cacheHitRate: counters.cacheLookups === 0 ? 0 : counters.cacheHits / counters.cacheLookups,
      breakerTransitions: counters.breakerTransitions,
    };
  }

  #rememberLatency(carrierId: CarrierId, operation: CarrierOperation, durationMs: number): void {
    const key = `${carrierId}|${operation}`;
    let samples = this.#recentLatencies.get(key);
    if (!samples) this.#recentLatencies.set(key, (samples = []));
    samples.push(durationMs);
    if (samples.length > LATENCY_SAMPLES) samples.shift();
  }

  #for(carrierId: CarrierId): CarrierCounters {
    let counters = this.#counters.get(carrierId);
    if (!counters) {
      counters = {
        lifetime: { total: 0, successful: 0, failed: 0, latencySumMs: 0 },
        window: new RollingWindow(this.#windowMs, this.#now),
        cacheHits: 0,
        cacheLookups: 0,
        breakerTransitions: 0,
      };
      this.#counters.set(carrierId, counters);
    }
    return counters;
  }
}

function figures(counts: WindowCounts, periodMs: number): MetricsFigures {
  return {
    periodMs,
    totalRequests: counts.total,
    successfulRequests: counts.successful,
    failedRequests: counts.failed,
    averageResponseTimeMs: counts.total === 0 ? 0 : counts.latencySumMs / counts.total,
    errorRate: counts.total === 0 ? 0 : (counts.failed / counts.total) * 100,
  };
}
