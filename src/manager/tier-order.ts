import type { CarrierId } from "../domain/numbers.js";
import { DEFAULT_WEIGHT, type CarrierRegistration } from "./carrier-registry.js";

/**
 * PROVIDER_SELECTION: how carriers of equal priority are ordered. The order decides which of them is asked
 * first (availability asks one at a time) and whose offers win ties in a merged search (searches ask the
 * whole tier at once).
 * - priority: by carrier id, the same every time.
 * - weighted: a random order drawn by <PREFIX>_WEIGHT, so each carrier comes first in proportion to its weight.
 * - least_latency: power of two choices over each carrier's recent latency (peak EWMA).
 */
export const SELECTION_MODES = ["priority", "weighted", "least_latency"] as const;
export type SelectionMode = (typeof SELECTION_MODES)[number];

export interface TierOrderContext {
  readonly mode: SelectionMode;
  /** 0 (inclusive) to 1 (exclusive); injected so tests can draw deterministically. */
  readonly random: () => number;
  /** The carrier's recent latency (peak EWMA), undefined while it has none. */
  readonly latencyOf: (carrierId: CarrierId) => number | undefined;
}

/** One tier (carriers of equal priority, already in id order) in the order the selection mode picks. */
export function orderTier(tier: readonly CarrierRegistration[], context: TierOrderContext): CarrierRegistration[] {
  // A tier of one has nothing to order; drawing anyway would shift every later random draw.
  if (tier.length < 2) return [...tier];
  switch (context.mode) {
    case "priority":
      return [...tier];
    case "weighted":
      return weightedOrder(tier, context.random);
    case "least_latency":
      return leastLatencyOrder(tier, context);
  }
}

/**
 * Weighted random sampling without replacement: the first carrier is drawn with probability weight / total,
 * the next among the rest the same way. With weights 1 and 3, the second comes first 3 times in 4.
 */
export function weightedOrder(tier: readonly CarrierRegistration[], random: () => number): CarrierRegistration[] {
  const remaining = [...tier];
  const ordered: CarrierRegistration[] = [];
  while (remaining.length > 1) {
    const total = remaining.reduce((sum, registration) => sum + weightOf(registration), 0);
    let draw = random() * total;
    let index = remaining.findIndex((registration) => (draw -= weightOf(registration)) < 0);
    // Floating-point rounding can leave a sliver past the last carrier: it belongs to the last one.
    if (index < 0) index = remaining.length - 1;
    ordered.push(...remaining.splice(index, 1));
  }
  return [...ordered, ...remaining];
}

/**
 * Power of two choices (Mitzenmacher), as latency-aware load balancers use it: two carriers drawn at random,
 * the one with the lower latency estimate goes first; repeated on the rest for the full order. Comparing two
 * random candidates rather than always taking the fastest keeps a carrier that just became fastest from
 * taking all traffic at once. A carrier never measured counts as fastest, so it gets measured.
 */
export function leastLatencyOrder(tier: readonly CarrierRegistration[], context: Pick<TierOrderContext, "random" | "latencyOf">): CarrierRegistration[] {
  const remaining = [...tier];
  const ordered: CarrierRegistration[] = [];
  while (remaining.length > 1) {
    const first = Math.floor(context.random() * remaining.length);
    let second = Math.floor(context.random() * (remaining.length - 1));
    if (second >= first) second += 1;
    const [left, right] = [Math.min(first, second), Math.max(first, second)];
    const latency = (index: number) => context.latencyOf(remaining[index]?.adapter.descriptor.id ?? "") ?? 0;
    // Equal estimates keep the tier's id order, so the choice is stable.
    const chosen = latency(right) < latency(left) ? right : left;
    ordered.push(...remaining.splice(chosen, 1));
  }
  return [...ordered, ...remaining];
}

function weightOf(registration: CarrierRegistration): number {
  return Math.max(0, registration.weight ?? DEFAULT_WEIGHT);
}
