import type { CountryCode } from "libphonenumber-js/max";
import type { CarrierCallOptions } from "../../domain/carrier-adapter.js";
import type { AvailableNumberOffer, NumberSearchCriteria } from "../../domain/numbers.js";
import { getCountryCallingCode, isSupportedCountry } from "../../domain/phone-number.js";
import { parseJsonBody } from "../kit/response-body.js";
import { nextOffsetOf, type PlivoAccount } from "./plivo-account-numbers.js";
import { plivoErrorFromResponse } from "./plivo-error.js";
import type { PlivoSearchRequest } from "./plivo-search-query.js";
import {
  PLIVO_MAX_PAGE_SIZE,
  e164FromPlivo,
  numberTypeFromPlivo,
  plivoAvailableNumbersPageSchema,
  plivoCapabilities,
  usdMonthlyPrice,
  type PlivoAvailableNumber,
  type PlivoAvailableNumbersPage,
} from "./plivo-wire.js";

/** numbergate asks for at most 100 numbers (MAX_SEARCH_LIMIT): five pages of Plivo's 20. */
const MAX_SEARCH_PAGES = 5;

export interface PlivoOffer {
  readonly offer: AvailableNumberOffer;
  /** Plivo's `restriction`: the number needs address or identity documents before it is activated. */
  readonly restricted: boolean;
}

/**
 * GET PhoneNumber/ pages (limit ≤ 20, offset) until `criteria.limit` matching numbers are found. The first page's
 * `meta.total_count` says how many more pages there are: those still needed are asked at once, so 100 numbers
 * take two round trips, not five (each page counts against Plivo's rate limit either way). Without a total the
 * pages are read one after another while `meta.next` says there is more. Every number is checked against what was
 * asked (the national prefix, the number type and the features), since the spec it was built from is derived,
 * not official: a number that does not match is dropped, and more pages are read if that leaves too few.
 */
export async function searchPlivoNumbers(
  account: PlivoAccount,
  plan: PlivoSearchRequest,
  criteria: NumberSearchCriteria,
  operation: string,
  options: CarrierCallOptions,
): Promise<readonly PlivoOffer[]> {
  const listPath = `${account.accountPath}/PhoneNumber/`;
  const callingCode = isSupportedCountry(criteria.countryCode) ? getCountryCallingCode(criteria.countryCode as CountryCode) : "";
  const e164Prefix = `+${callingCode}${plan.requiredPrefix ?? ""}`;
  const wanted = Math.max(criteria.limit, 1);
  const found: PlivoOffer[] = [];
  const readPage = async (offset: number, limit: number): Promise<PlivoAvailableNumbersPage> => {
    const response = await account.api.request({ method: "GET", path: listPath, query: { ...plan.query, limit, offset }, operation, signal: options.signal });
    if (response.status !== 200) throw plivoErrorFromResponse(response, operation);
    return parseJsonBody(response, plivoAvailableNumbersPageSchema, "plivo", operation);
  };
  let offset: number | undefined = 0;
  let total: number | undefined;
  for (let pages = 0; offset !== undefined && found.length < wanted && pages < MAX_SEARCH_PAGES; ) {
    const start: number = offset;
    const missing = wanted - found.length;
    // Pages that can still hold numbers; one at a time until a total is known.
    const pagesLeft = total === undefined ? 1 : Math.ceil(Math.max(total - start, 0) / PLIVO_MAX_PAGE_SIZE);
    const batch = Math.max(1, Math.min(Math.ceil(missing / PLIVO_MAX_PAGE_SIZE), MAX_SEARCH_PAGES - pages, pagesLeft));
    // Several pages are asked whole, at offsets 20 apart; a single one only for what is missing.
    const limit = batch === 1 ? Math.min(missing, PLIVO_MAX_PAGE_SIZE) : PLIVO_MAX_PAGE_SIZE;
    const answers = await Promise.all(Array.from({ length: batch }, (_, index) => readPage(start + index * PLIVO_MAX_PAGE_SIZE, limit)));
    pages += batch;
    for (const [index, page] of answers.entries()) {
      for (const number of page.objects) {
        const offer = toOffer(number, criteria);
        if (offer && matches(offer, criteria, e164Prefix)) found.push({ offer, restricted: Boolean(number.restriction) });
      }
      total = page.meta?.total_count ?? total;
      const pageOffset = start + index * PLIVO_MAX_PAGE_SIZE;
      offset = nextOffsetOf(page.meta?.next, listPath, pageOffset, operation);
    }
  }
  return found.slice(0, wanted);
}

function matches(offer: AvailableNumberOffer, criteria: NumberSearchCriteria, e164Prefix: string): boolean {
  return offer.phoneNumber.startsWith(e164Prefix) && offer.numberType === criteria.numberType && criteria.features.every((feature) => offer.capabilities.includes(feature));
}

function toOffer(number: PlivoAvailableNumber, criteria: NumberSearchCriteria): AvailableNumberOffer | undefined {
  const phoneNumber = e164FromPlivo(number.number);
  if (phoneNumber === undefined) return undefined;
  const monthlyPrice = usdMonthlyPrice(number.monthly_rental_rate);
  return {
    phoneNumber,
    carrierId: "plivo",
    numberType: numberTypeFromPlivo(number.sub_type) ?? numberTypeFromPlivo(number.type) ?? criteria.numberType,
    // `country` is a name ("UNITED STATES"), not an ISO code: the country searched is the number's.
    countryCode: criteria.countryCode,
    locality: number.city ?? undefined,
    region: number.region ?? undefined,
    rateCenter: number.rate_center ?? undefined,
    capabilities: plivoCapabilities(number),
    ...(monthlyPrice ? { monthlyPrice, priceSource: "carrier" as const } : {}),
  };
}
