import type { CarrierId } from "../domain/numbers.js";
import type { HealthMonitor } from "./carrier-health.js";
import type { CarrierRegistration } from "./carrier-registry.js";
import { orderTier, type TierOrderContext } from "./tier-order.js";

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

/** Why numbergate will not call a carrier now, and when it may again. */
export interface SkippedCarrier {
  readonly reason: string;
  readonly retryAfterMs?: number;
}

/**
 * The carriers of a read in priority tiers: each tier is every routed carrier of one priority (best first),
 * ordered within by the selection mode; carriers demoted by their traffic weight (unhealthy, or ramping up
 * and not drawn this time) follow in tiers of their own, by priority. Searches ask a tier at once and the next
 * tier only when needed; availability asks the same carriers one at a time, in the same order.
 */
export interface RoutePlan {
  readonly tiers: readonly (readonly CarrierRegistration[])[];
  readonly skipped: ReadonlyMap<CarrierId, SkippedCarrier>;
}

/** Routes eligible carriers (in priority order, ties by id) into tiers; see RoutePlan. */
export function planRoute(eligible: readonly CarrierRegistration[], context: RoutingContext, order: TierOrderContext): RoutePlan {
  const preferred: CarrierRegistration[] = [];
  const demoted: CarrierRegistration[] = [];
  const skipped = new Map<CarrierId, SkippedCarrier>();
  for (const registration of eligible) {
    const carrierId = registration.adapter.descriptor.id;
    const decision = routeCarrier(carrierId, context);
    if (!decision.use) skipped.set(carrierId, { reason: decision.reason, retryAfterMs: decision.retryAfterMs });
    else if (decision.demoted) demoted.push(registration);
    else preferred.push(registration);
  }
  const tiers = [...byPriority(preferred), ...byPriority(demoted)].map((tier) => orderTier(tier, order));
  return { tiers, skipped };
}

/** Consecutive carriers of equal priority, grouped (the input is in priority order). */
function byPriority(ordered: readonly CarrierRegistration[]): CarrierRegistration[][] {
  const tiers: CarrierRegistration[][] = [];
  for (const registration of ordered) {
    const last = tiers.at(-1);
    if (last && last[0]?.priority === registration.priority) last.push(registration);
    else tiers.push([registration]);
  }
  return tiers;
}
