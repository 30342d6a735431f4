import { PriceSource } from "../../generated/numbergate/v1/numbers.js";
import { BreakerState, ProviderStatus, type Provider, type ProviderHealth, type ProviderMetrics as ProtoProviderMetrics } from "../../generated/numbergate/v1/providers.js";
import type { CarrierFeature } from "../domain/carrier-adapter.js";
import type { CarrierHealthSnapshot } from "../manager/carrier-health.js";
import { DEFAULT_WEIGHT, type CarrierRegistration } from "../manager/carrier-registry.js";
import type { CarrierId } from "../domain/numbers.js";
import { figures, type MetricsFigures } from "../manager/provider-metrics.js";
import type { CarrierTotals } from "../telemetry/carrier-totals.js";
import { capabilityToProto, numberTypeToProto } from "./proto-enums.js";
import { millisecondsToDuration } from "./proto-mapping.js";

const STATUS: Readonly<Record<CarrierHealthSnapshot["status"], ProviderStatus>> = {
  healthy: ProviderStatus.PROVIDER_STATUS_HEALTHY,
  degraded: ProviderStatus.PROVIDER_STATUS_DEGRADED,
  unhealthy: ProviderStatus.PROVIDER_STATUS_UNHEALTHY,
  disabled: ProviderStatus.PROVIDER_STATUS_DISABLED,
};

const BREAKER: Readonly<Record<CarrierHealthSnapshot["breakerState"], BreakerState>> = {
  closed: BreakerState.BREAKER_STATE_CLOSED,
  open: BreakerState.BREAKER_STATE_OPEN,
  half_open: BreakerState.BREAKER_STATE_HALF_OPEN,
};

/** ts-proto represents google.protobuf.Timestamp as a Date. */
export function toTimestamp(epochMs: number | undefined): Date | undefined {
  return epochMs === undefined ? undefined : new Date(epochMs);
}

/**
 * A configured carrier for ListProviders and SetProviderEnabled. What it supports comes from the features
 * numbergate offers there (declared in its descriptor and backed by its adapter), the same set routing and
 * the lifecycle use: a feature is never advertised that a call would then refuse.
 */
export function providerToProto(registration: CarrierRegistration, drained: boolean, offered: ReadonlySet<CarrierFeature>): Provider {
  const { descriptor } = registration.adapter;
  return {
    providerId: descriptor.id,
    displayName: descriptor.displayName,
    enabled: registration.enabled && !drained,
    priority: registration.priority,
    sandbox: registration.sandbox,
    capabilities: descriptor.capabilities.map(capabilityToProto),
    numberTypes: descriptor.numberTypes.map(numberTypeToProto),
    countryCodes: [...descriptor.countries],
    supportsReservations: offered.has("reservations"),
    supportsPorting: offered.has("porting"),
    disabledReason: !registration.enabled ? (registration.disabledReason ?? "disabled") : drained ? "drained by SetProviderEnabled" : "",
    weight: registration.weight ?? DEFAULT_WEIGHT,
    priceSource: registration.priceSource === "carrier" ? PriceSource.PRICE_SOURCE_CARRIER : PriceSource.PRICE_SOURCE_PRICE_TABLE,
  };
}

export function healthToProto(snapshot: CarrierHealthSnapshot): ProviderHealth {
  return {
    providerId: snapshot.carrierId,
    healthy: snapshot.healthy,
    status: STATUS[snapshot.status],
    uptime: snapshot.uptime,
    breakerState: BREAKER[snapshot.breakerState],
    lastError: snapshot.lastError ?? "",
    lastCheckTime: toTimestamp(snapshot.lastCheckAt),
    lastSuccessTime: toTimestamp(snapshot.lastSuccessAt),
    trafficWeight: snapshot.trafficWeight,
    statusChangeTime: toTimestamp(snapshot.statusChangedAt),
  };
}

/**
 * A carrier's metrics: since start from the instruments' totals (the figures /metrics shows), the rolling window
 * from the routing's own window.
 */
export function metricsToProto(carrierId: CarrierId, totals: CarrierTotals, sinceMs: number, rollingWindow: MetricsFigures, uptime: number): ProtoProviderMetrics {
  const sinceStart = figures({ total: totals.attempts, successful: totals.attempts - totals.failedAttempts, failed: totals.failedAttempts, latencySumMs: totals.durationSumMs }, sinceMs);
  return {
    providerId: carrierId,
    totalRequests: sinceStart.totalRequests,
    successfulRequests: sinceStart.successfulRequests,
    failedRequests: sinceStart.failedRequests,
    averageResponseTime: millisecondsToDuration(sinceStart.averageResponseTimeMs),
    errorRate: sinceStart.errorRate,
    uptime,
    rollingWindow: {
      period: millisecondsToDuration(rollingWindow.periodMs),
      totalRequests: rollingWindow.totalRequests,
      successfulRequests: rollingWindow.successfulRequests,
      failedRequests: rollingWindow.failedRequests,
      averageResponseTime: millisecondsToDuration(rollingWindow.averageResponseTimeMs),
      errorRate: rollingWindow.errorRate,
      uptime,
    },
    cacheHitRate: totals.cacheLookups === 0 ? 0 : totals.cacheHits / totals.cacheLookups,
    breakerTransitions: totals.breakerTransitions,
  };
}
