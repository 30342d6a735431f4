import type { AvailableNumberOffer, CarrierId } from "../domain/numbers.js";
import { isUsableOffer } from "./carrier-problems.js";
import type { CarrierRegistration } from "./carrier-registry.js";
import type { SearchNumbersQuery } from "./manager-queries.js";
import { OfferMerge } from "./offer-ranking.js";
import { judgePrice, priceOffer } from "./offer-pricing.js";
import type { ReadCollector } from "./read-route.js";
import type { ReadContext } from "./read-context.js";
import type { CarrierSearchAnswer } from "./search-keys.js";

/** What one carrier's answer left out for price. */
export interface PriceExclusions {
  readonly excludedUnknownPrice: number;
  readonly excludedOverPrice: number;
}

/**
 * The offers of a search across carriers, merged as the answers arrive (see OfferMerge): priced (the
 * carrier's own price, else the operator's table), filtered (valid numbers with the asked features, not held
 * or owned anywhere, within max_monthly_rate_cents), deduplicated and ranked. The request is served once
 * `limit` distinct numbers are in.
 */
export class SearchCollector implements ReadCollector<CarrierSearchAnswer> {
  readonly #merge = new OfferMerge();
  readonly #exclusions = new Map<CarrierId, PriceExclusions>();
  readonly #warnings: string[] = [];
  readonly #heldSnapshots = new Set<ReadonlySet<string>>();
  readonly #routePositions: ReadonlyMap<CarrierId, number>;

  constructor(
    private readonly context: ReadContext,
    private readonly query: SearchNumbersQuery,
    routeOrder: readonly CarrierRegistration[],
  ) {
    this.#routePositions = new Map(routeOrder.map((registration, position) => [registration.adapter.descriptor.id, position]));
  }

  /** Distinct usable numbers taken in so far. */
  get found(): number {
    return this.#merge.size;
  }

  served(): boolean {
    return this.#merge.size >= this.query.limit;
  }

  /**
   * The held-numbers snapshot every answer was judged by, if they were all judged by the same one (see
   * SearchMemo); undefined when none was taken in or the snapshot changed in between.
   */
  get heldSnapshot(): ReadonlySet<string> | undefined {
    return this.#heldSnapshots.size === 1 ? [...this.#heldSnapshots][0] : undefined;
  }

  /**
   * Reads which of the offered numbers are held or owned, then returns the step that merges the rest. At most
   * `limit` offers of one answer are considered (taken or left out for price), as if the carrier had been
   * asked for `limit`: a cached answer may hold more than this search asked for.
   */
  async accept(registration: CarrierRegistration, answer: CarrierSearchAnswer): Promise<() => void> {
    const held = await this.context.heldSnapshot();
    this.#heldSnapshots.add(held);
    return () => {
      const carrierId = registration.adapter.descriptor.id;
      const standing = { priority: registration.priority, routePosition: this.#routePositions.get(carrierId) ?? Number.MAX_SAFE_INTEGER };
      let considered = 0;
      let excludedUnknownPrice = 0;
      let excludedOverPrice = 0;
      for (const [answerIndex, rawOffer] of answer.offers.entries()) {
        if (considered >= this.query.limit) break;
        const offer = priceOffer(rawOffer, this.context.priceTable);
        if (!isUsableOffer(offer, this.query.criteria) || held.has(offer.phoneNumber)) continue;
        considered += 1;
        const verdict = judgePrice(offer, this.query.maxMonthlyRateCents);
        if (verdict === "unknown") excludedUnknownPrice += 1;
        else if (verdict === "over") excludedOverPrice += 1;
        else this.#merge.add(offer, { ...standing, answerIndex });
      }
      this.#exclusions.set(carrierId, { excludedUnknownPrice, excludedOverPrice });
      this.#warnings.push(...answer.warnings.map((warning) => `${carrierId}: ${warning}`));
    };
  }

  /** What a carrier's answer left out for price (zero for a carrier not taken in). */
  exclusionsOf(carrierId: CarrierId): PriceExclusions {
    return this.#exclusions.get(carrierId) ?? { excludedUnknownPrice: 0, excludedOverPrice: 0 };
  }

  /** The search's answer: the best `limit` offers in merge order, and how many each carrier contributed. */
  result(): { readonly numbers: readonly AvailableNumberOffer[]; readonly contributed: ReadonlyMap<CarrierId, number>; readonly warnings: readonly string[] } {
    const numbers = this.#merge.ranked(this.query.limit);
    const contributed = new Map<CarrierId, number>();
    for (const offer of numbers) contributed.set(offer.carrierId, (contributed.get(offer.carrierId) ?? 0) + 1);
    return { numbers, contributed, warnings: [...this.#warnings] };
  }
}
