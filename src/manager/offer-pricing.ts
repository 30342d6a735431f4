import type { PriceTable } from "../config/price-table.js";
import type { AvailableNumberOffer } from "../domain/numbers.js";

/** max_monthly_rate_cents is in US cents; a price in another currency cannot be compared and counts as unknown. */
export const PRICE_LIMIT_CURRENCY = "USD";

/** Fills in the operator's price where the carrier gave none. */
export function priceOffer(offer: AvailableNumberOffer, priceTable: PriceTable): AvailableNumberOffer {
  if (offer.monthlyPrice) return { ...offer, priceSource: offer.priceSource ?? "carrier" };
  const price = priceTable.priceOf(offer.carrierId, offer.countryCode, offer.numberType);
  return price ? { ...offer, monthlyPrice: price, priceSource: "price_table" } : offer;
}

export type PriceVerdict = "within" | "unknown" | "over";

export function judgePrice(offer: AvailableNumberOffer, maxMonthlyRateCents: number | undefined): PriceVerdict {
  if (maxMonthlyRateCents === undefined) return "within";
  const price = offer.monthlyPrice;
  if (!price || price.currencyCode !== PRICE_LIMIT_CURRENCY) return "unknown";
  return price.amountCents <= maxMonthlyRateCents ? "within" : "over";
}
