import type { EmulatorResponse } from "../emulator-kit/carrier-emulator.js";
import { COUNTRY, pageOf, pageParameters, patternParameters, queryNameProblem, vonageBadRequest } from "./vonage-emulator-common.js";
import type { VonageStockedNumber } from "./vonage-emulator-inventory.js";
import { VONAGE_FEATURES_VALUES } from "./vonage-wire.js";

const SEARCH_PARAMETERS = ["country", "type", "pattern", "search_pattern", "features", "size", "index"];
const TYPES = ["landline", "mobile-lvn", "landline-toll-free"];

/**
 * GET /number/search on the emulator's stock: `country` required, `type`, `pattern` + `search_pattern` matched
 * against the msisdn (which starts with the country code), `features` only as one of the spec's exact strings,
 * paged by `size` and `index`. Each item carries what the spec's `availablenumber` does, prices in EUR.
 */
export function searchAvailableNumbers(query: URLSearchParams, stock: readonly VonageStockedNumber[], isForSale: (number: VonageStockedNumber) => boolean): EmulatorResponse {
  const nameProblem = queryNameProblem(query, SEARCH_PARAMETERS);
  if (nameProblem) return nameProblem;
  const country = query.get("country");
  if (country === null) return vonageBadRequest("missing parameter: country");
  if (!COUNTRY.test(country)) return vonageBadRequest("country must be an ISO 3166-1 alpha-2 code");
  const type = query.get("type");
  if (type !== null && !TYPES.includes(type)) return vonageBadRequest(`type must be one of ${TYPES.join(", ")}`);
  const features = query.get("features");
  // The spec enumerates the combinations in one order each ("SMS,VOICE" but "VOICE,MMS"); others are refused.
  if (features !== null && !VONAGE_FEATURES_VALUES.includes(features)) return vonageBadRequest(`features must be one of ${VONAGE_FEATURES_VALUES.join(" | ")}`);
  const matchesPattern = patternParameters(query);
  if (typeof matchesPattern !== "function") return matchesPattern;
  const page = pageParameters(query);
  if ("status" in page) return page;

  const wanted = features === null ? [] : features.split(",");
  const matching = stock
    .filter((number) => number.country === country)
    .filter((number) => type === null || number.type === type)
    .filter((number) => wanted.every((feature) => number.features.includes(feature)))
    .filter((number) => matchesPattern(number.msisdn))
    .filter(isForSale);
  return pageOf(matching, page, (number) => ({
    country: number.country,
    msisdn: number.msisdn,
    cost: number.cost,
    initialPrice: number.initialPrice,
    type: number.type,
    features: [...number.features],
  }));
}
