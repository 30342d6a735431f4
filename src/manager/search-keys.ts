import type { AvailableNumberOffer, CarrierId, NumberSearchCriteria } from "../domain/numbers.js";

/** What one carrier answered to a search, as cached. */
export interface CarrierSearchAnswer {
  readonly offers: readonly AvailableNumberOffer[];
  readonly warnings: readonly string[];
  /** How many numbers were asked for: fewer offers than this means the carrier had no more. */
  readonly limitAsked: number;
}

/** A cache key that is equal for equal searches, however the request spelled them. */
export function searchKey(carrierId: CarrierId, criteria: Omit<NumberSearchCriteria, "limit">): string {
  return [
    carrierId,
    criteria.countryCode,
    criteria.numberType,
    criteria.areaCode ?? "",
    criteria.city?.toLowerCase() ?? "",
    criteria.region?.toUpperCase() ?? "",
    criteria.pattern ? `${criteria.pattern.position}:${criteria.pattern.digits}` : "",
    [...criteria.features].sort().join(","),
  ].join("|");
}

export function availabilityKey(carrierId: CarrierId, e164: string): string {
  return `${carrierId}|${e164}`;
}

/** Whether a cached answer can serve a request for `needed` numbers. */
export function answerCovers(answer: CarrierSearchAnswer, needed: number): boolean {
  return answer.offers.length >= needed || answer.offers.length < answer.limitAsked;
}
