import type { AvailableNumberOffer } from "../domain/numbers.js";
import { PRICE_LIMIT_CURRENCY } from "./offer-pricing.js";

/** Where an offer stands apart from its price: its carrier's priority and place in the route, and its place in the carrier's answer. */
export interface OfferStanding {
  /** The carrier's configured priority: lower is preferred. */
  readonly priority: number;
  /** The carrier's place in the read's route (tiers, then the selection mode's order within each). */
  readonly routePosition: number;
  /** The offer's place in its carrier's answer. */
  readonly answerIndex: number;
}

export interface StandingOffer {
  readonly offer: AvailableNumberOffer;
  readonly standing: OfferStanding;
}

/**
 * How prices rank: a price in US cents (the unit callers filter by) first, then prices in other currencies
 * (comparable only among themselves, so grouped by currency), then offers with no price at all.
 */
function priceGroup(offer: AvailableNumberOffer): number {
  if (!offer.monthlyPrice) return 2;
  return offer.monthlyPrice.currencyCode === PRICE_LIMIT_CURRENCY ? 0 : 1;
}

/**
 * The merge order of offers, best first: known price before unknown, the lower price, the better carrier
 * priority, the carrier's place in the route (which the selection mode decides among equal priorities), and
 * finally the carrier's own order. A total order, so merging is the same whatever order answers arrive in.
 */
export function compareOffers(left: StandingOffer, right: StandingOffer): number {
  const leftPrice = left.offer.monthlyPrice;
  const rightPrice = right.offer.monthlyPrice;
  return (
    priceGroup(left.offer) - priceGroup(right.offer) ||
    (leftPrice?.currencyCode ?? "").localeCompare(rightPrice?.currencyCode ?? "") ||
    (leftPrice?.amountCents ?? 0) - (rightPrice?.amountCents ?? 0) ||
    left.standing.priority - right.standing.priority ||
    left.standing.routePosition - right.standing.routePosition ||
    left.standing.answerIndex - right.standing.answerIndex
  );
}

/**
 * Offers from several carriers merged into one list: deduplicated by E.164 (the same number offered by two
 * carriers is one offer, the better one by compareOffers) and ranked by compareOffers.
 */
export class OfferMerge {
  readonly #byNumber = new Map<string, StandingOffer>();

  /** Distinct numbers merged so far. */
  get size(): number {
    return this.#byNumber.size;
  }

  /** Adds an offer; returns false when the same number is already here from a carrier whose offer is better. */
  add(offer: AvailableNumberOffer, standing: OfferStanding): boolean {
    const candidate = { offer, standing };
    const existing = this.#byNumber.get(offer.phoneNumber);
    if (existing && compareOffers(existing, candidate) <= 0) return false;
    this.#byNumber.set(offer.phoneNumber, candidate);
    return true;
  }

  /** The first `limit` offers in merge order. */
  ranked(limit: number): AvailableNumberOffer[] {
    return [...this.#byNumber.values()]
      .sort(compareOffers)
      .slice(0, Math.max(0, limit))
      .map((entry) => entry.offer);
  }
}
