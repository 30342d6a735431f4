import { DataPointType, type MetricData, type ResourceMetrics } from "@opentelemetry/sdk-metrics";

/** A carrier's figures since start, as the carrier-call instruments (metrics-carrier-calls.ts) hold them. */
export interface CarrierTotals {
  /** Attempts at the carrier (a retry is another). */
  readonly attempts: number;
  readonly failedAttempts: number;
  /** Sum of the attempts' durations. */
  readonly durationSumMs: number;
  readonly cacheLookups: number;
  readonly cacheHits: number;
  readonly singleFlightJoins: number;
  readonly breakerTransitions: number;
}

export const NO_TOTALS: CarrierTotals = { attempts: 0, failedAttempts: 0, durationSumMs: 0, cacheLookups: 0, cacheHits: 0, singleFlightJoins: 0, breakerTransitions: 0 };

type Mutable<T> = { -readonly [Key in keyof T]: T[Key] };

/**
 * Every carrier's totals from one collection of the instruments: what GetProviderMetrics and the status page
 * answer with, so they can never disagree with /metrics (there is no second counter to drift).
 */
export function carrierTotals(collected: ResourceMetrics): ReadonlyMap<string, CarrierTotals> {
  const totals = new Map<string, Mutable<CarrierTotals>>();
  const of = (carrier: unknown): Mutable<CarrierTotals> | undefined => {
    if (typeof carrier !== "string") return undefined;
    let entry = totals.get(carrier);
    if (!entry) totals.set(carrier, (entry = { ...NO_TOTALS }));
    return entry;
  };
  for (const scope of collected.scopeMetrics) {
    for (const metric of scope.metrics) addMetric(metric, of);
  }
  return totals;
}

function addMetric(metric: MetricData, of: (carrier: unknown) => Mutable<CarrierTotals> | undefined): void {
  const name = metric.descriptor.name;
  if (metric.dataPointType === DataPointType.HISTOGRAM) {
    if (name !== "numbergate.carrier.call.duration") return;
    for (const point of metric.dataPoints) {
      const entry = of(point.attributes["carrier"]);
      if (entry) entry.durationSumMs += (point.value.sum ?? 0) * 1000;
    }
    return;
  }
  if (metric.dataPointType !== DataPointType.SUM) return;
  for (const point of metric.dataPoints) {
    const entry = of(point.attributes["carrier"]);
    if (!entry) continue;
    switch (name) {
      case "numbergate.carrier.calls":
        entry.attempts += point.value;
        if (point.attributes["outcome"] === "failure") entry.failedAttempts += point.value;
        break;
      case "numbergate.carrier.cache.lookups":
        entry.cacheLookups += point.value;
        if (point.attributes["result"] === "hit") entry.cacheHits += point.value;
        break;
      case "numbergate.carrier.single_flight.joins":
        entry.singleFlightJoins += point.value;
        break;
      case "numbergate.carrier.breaker.transitions":
        entry.breakerTransitions += point.value;
        break;
    }
  }
}
