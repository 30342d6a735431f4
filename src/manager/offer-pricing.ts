import type { PriceTable } from "../config/price-table.js";
import type { AvailableNumberOffer } from "../domain/numbers.js";

/** max_monthly_rate_cents is in US cents; a price in another currency cannot be compared and counts as unknown. */
export const PRICE_LIMIT_CURRENCY = "USD";

/**
 * Priced offers by the carrier's offer and the table that priced them. A cached answer keeps its offer objects,
 * so every search it serves gets the same priced objects back instead of copying each offer again (and the
 * server's proto mapping, keyed the same way, is done once too). Both are immutable: the table is loaded once.
 */
const priced = new WeakMap<PriceTable, WeakMap<AvailableNumberOffer, AvailableNumberOffer>>();

/** Fills in the operator's price where the carrier gave none. */
export function priceOffer(offer: AvailableNumberOffer, priceTable: PriceTable): AvailableNumberOffer {
  let byOffer = priced.get(priceTable);
  if (!byOffer) priced.set(priceTable, (byOffer = new WeakMap()));
  let result = byOffer.get(offer);
  if (!result) byOffer.set(offer, (result = freshlyPriced(offer, priceTable)));
  return result;
}

function freshlyPriced(offer: AvailableNumberOffer, priceTable: PriceTable): AvailableNumberOffer {
  if (offer.monthlyPrice) return Object.freeze({ ...offer, priceSource: offer.priceSource ?? "carrier" });
  const price = priceTable.priceOf(offer.carrierId, offer.countryCode, offer.numberType);
  return price ? Object.freeze({ ...offer, monthlyPrice: price, priceSource: "price_table" }) : offer;
}

export type PriceVerdict = "within" | "unknown" | "over";

export function judgePrice(offer: AvailableNumberOffer, maxMonthlyRateCents: number | undefined): PriceVerdict {
  if (maxMonthlyRateCents === undefined) return "within";
  const price = offer.monthlyPrice;
  if (!price || price.currencyCode !== PRICE_LIMIT_CURRENCY) return "unknown";
  return price.amountCents <= maxMonthlyRateCents ? "within" : "over";
}
