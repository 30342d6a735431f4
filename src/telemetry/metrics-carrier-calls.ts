import type { Counter, Histogram, Meter } from "@opentelemetry/api";
import type { BreakerStateName, CarrierCallObserver, CarrierReadObserver } from "../domain/carrier-calls.js";
import { errorTypeOf } from "../resilience/call-failures.js";
import type { CarrierOperation } from "../domain/carrier-operation.js";
import type { CarrierId } from "../domain/numbers.js";
import { DURATION_BUCKETS_SECONDS } from "./metrics.js";

/**
 * The counting of carrier calls, the one source of truth for them (/metrics, GetProviderMetrics and the status
 * page all read these instruments): an observer of the ResilientInvoker (beside ProviderMetrics' rolling window
 * and the HealthMonitor) putting every attempt at a carrier into numbergate.carrier.call.duration (seconds) and
 * numbergate.carrier.calls, every scheduled retry into numbergate.carrier.retries, every breaker transition into
 * numbergate.carrier.breaker.transitions; and of the manager's reads, every cache lookup into
 * numbergate.carrier.cache.lookups and every single-flight join into numbergate.carrier.single_flight.joins.
 * Attributes are the carrier id, the operation, the outcome and the error kind: nothing from the request.
 */
export class CarrierCallMetrics implements CarrierCallObserver, CarrierReadObserver {
  readonly #duration: Histogram;
  readonly #calls: Counter;
  readonly #retries: Counter;
  readonly #transitions: Counter;
  readonly #cacheLookups: Counter;
  readonly #joins: Counter;

  constructor(meter: Meter) {
    this.#duration = meter.createHistogram("numbergate.carrier.call.duration", {
      description: "Duration of each attempt at a carrier (a retry is another attempt)",
      unit: "s",
      advice: { explicitBucketBoundaries: DURATION_BUCKETS_SECONDS },
    });
    this.#calls = meter.createCounter("numbergate.carrier.calls", {
      description: "Attempts at a carrier by outcome; failure means a carrier failure (a refused bad input is a success)",
      unit: "{call}",
    });
    this.#retries = meter.createCounter("numbergate.carrier.retries", {
      description: "Retries scheduled after a failed attempt at a carrier",
      unit: "{retry}",
    });
    this.#transitions = meter.createCounter("numbergate.carrier.breaker.transitions", {
      description: "Circuit breaker transitions, by the state entered",
      unit: "{transition}",
    });
    this.#cacheLookups = meter.createCounter("numbergate.carrier.cache.lookups", {
      description: "Reads that looked for a carrier's answer in cache, by result (hit: the cached answer served)",
      unit: "{lookup}",
    });
    this.#joins = meter.createCounter("numbergate.carrier.single_flight.joins", {
      description: "Cache misses that joined a carrier call another read had started instead of making their own",
      unit: "{join}",
    });
  }

  attemptFinished(carrierId: CarrierId, operation: CarrierOperation, outcome: "success" | "failure", durationMs: number, error?: unknown): void {
    const attributes = outcome === "failure" ? { carrier: carrierId, operation, outcome, "error.type": errorTypeOf(error) } : { carrier: carrierId, operation, outcome };
    this.#duration.record(Math.max(0, durationMs) / 1000, attributes);
    this.#calls.add(1, attributes);
  }

  breakerChanged(carrierId: CarrierId, state: BreakerStateName): void {
    this.#transitions.add(1, { carrier: carrierId, state });
  }

  retryScheduled(carrierId: CarrierId, operation: CarrierOperation): void {
    this.#retries.add(1, { carrier: carrierId, operation });
  }

  cacheLookup(carrierId: CarrierId, operation: CarrierOperation, hit: boolean): void {
    this.#cacheLookups.add(1, { carrier: carrierId, operation, result: hit ? "hit" : "miss" });
  }

  singleFlightJoined(carrierId: CarrierId, operation: CarrierOperation): void {
    this.#joins.add(1, { carrier: carrierId, operation });
  }
}
