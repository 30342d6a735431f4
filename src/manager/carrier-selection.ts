import type { CarrierId } from "../domain/numbers.js";
import type { HealthMonitor } from "./carrier-health.js";
import type { CarrierRegistration } from "./carrier-registry.js";

export type RoutingDecision =
  | { readonly use: true; readonly demoted: boolean }
  | { readonly use: false; readonly reason: string; readonly retryAfterMs?: number };

export interface RoutingContext {
  readonly health: HealthMonitor;
  /** Milliseconds until an open breaker admits a trial call, per carrier. */
  readonly breakerRetryAfterMs: (carrierId: CarrierId) => number | undefined;
  readonly random: () => number;
}

/**
 * Whether to call an eligible carrier now, and whether to try it only after the others, from the traffic
 * weight health reports (one number for routing and for GetProviderHealth): drained carriers and open
 * breakers are skipped; unhealthy carriers (weight 0) are tried last, better than failing outright; a
 * carrier ramping up after recovery keeps its place for only its current share of traffic.
 */
export function routeCarrier(carrierId: CarrierId, context: RoutingContext): RoutingDecision {
  if (context.health.isDrained(carrierId)) return { use: false, reason: "drained by SetProviderEnabled" };
  const state = context.health.routingState(carrierId);
  if (state?.breakerState === "open") {
    const retryAfter = context.breakerRetryAfterMs(carrierId);
    const when = retryAfter === undefined ? "" : `; next trial call in ${Math.ceil(retryAfter / 1000)} s`;
    return { use: false, reason: `circuit breaker open${when}`, retryAfterMs: retryAfter };
  }
  const weight = state?.trafficWeight ?? 1;
  if (weight <= 0) return { use: true, demoted: true };
  return { use: true, demoted: weight < 1 && context.random() >= weight };
}

/** Eligible carriers in the order to try them: routed ones by priority, demoted ones after. */
export function orderForRouting(
  eligible: readonly CarrierRegistration[],
  context: RoutingContext,
): { ordered: CarrierRegistration[]; skipped: Map<CarrierId, { readonly reason: string; readonly retryAfterMs?: number }> } {
  const preferred: CarrierRegistration[] = [];
  const demoted: CarrierRegistration[] = [];
  const skipped = new Map<CarrierId, { readonly reason: string; readonly retryAfterMs?: number }>();
  for (const registration of eligible) {
    const carrierId = registration.adapter.descriptor.id;
    const decision = routeCarrier(carrierId, context);
    if (!decision.use) skipped.set(carrierId, { reason: decision.reason, retryAfterMs: decision.retryAfterMs });
    else if (decision.demoted) demoted.push(registration);
    else preferred.push(registration);
  }
  return { ordered: [...preferred, ...demoted], skipped };
}
