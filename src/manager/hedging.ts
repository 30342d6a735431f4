import type { CarrierOperation } from "../domain/carrier-operation.js";
import type { CarrierId } from "../domain/numbers.js";
import type { ProviderMetrics } from "./provider-metrics.js";

/** How long to wait for a carrier's read before asking the next carrier too; undefined: do not hedge. */
export type HedgeDelay = (carrierId: CarrierId, operation: CarrierOperation) => number | undefined;

/** The carrier's recent latency percentile a hedge waits for: about 1 read in 20 is hedged when all is well. */
export const HEDGE_QUANTILE = 0.95;
/** Successful reads needed before a carrier's latency is trusted; until then reads are not hedged. */
export const HEDGE_MIN_SAMPLES = 10;
/**
 * The shortest hedge delay: on loopback a p95 of a few milliseconds would hedge on scheduling noise alone,
 * doubling traffic for nothing.
 */
export const HEDGE_MIN_DELAY_MS = 50;

/**
 * Hedged reads, after "The Tail at Scale" (Dean and Barroso): when a carrier has not answered a search or an
 * availability check within its own recent p95, the next tier of carriers is asked too, and answers are taken
 * as they come. The same delay bounds the wait for a carrier once the request is served: past it, the carrier
 * is cut off (see ReadRoute). Purchases and other writes are never hedged.
 */
export function hedgeAfterRecentLatency(metrics: ProviderMetrics): HedgeDelay {
  return (carrierId, operation) => {
    const p95 = metrics.recentLatency(carrierId, operation, HEDGE_QUANTILE, HEDGE_MIN_SAMPLES);
    return p95 === undefined ? undefined : Math.max(HEDGE_MIN_DELAY_MS, p95);
  };
}

export const NO_HEDGING: HedgeDelay = () => undefined;
