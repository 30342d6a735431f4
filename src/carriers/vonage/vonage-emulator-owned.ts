import type { EmulatorResponse } from "../emulator-kit/carrier-emulator.js";
import { COUNTRY, pageOf, pageParameters, patternParameters, queryNameProblem, vonageBadRequest } from "./vonage-emulator-common.js";

const OWNED_PARAMETERS = ["application_id", "has_application", "country", "pattern", "search_pattern", "size", "index"];

/** A number on the emulated account, as GET /account/numbers lists it. */
export interface VonageAccountNumber {
  readonly msisdn: string;
  readonly country: string;
  readonly type: string;
  readonly features: readonly string[];
}

/**
 * GET /account/numbers: the account's numbers in the order it got them, filtered by `country`, `pattern` +
 * `search_pattern`, `has_application` and `application_id`, paged by `size` and `index`. Emulated numbers are linked
 * to no Application, so `has_application=true` and any `application_id` list none.
 */
export function listAccountNumbers(query: URLSearchParams, owned: readonly VonageAccountNumber[]): EmulatorResponse {
  const nameProblem = queryNameProblem(query, OWNED_PARAMETERS);
  if (nameProblem) return nameProblem;
  const country = query.get("country");
  if (country !== null && !COUNTRY.test(country)) return vonageBadRequest("country must be an ISO 3166-1 alpha-2 code");
  const hasApplication = query.get("has_application");
  if (hasApplication !== null && hasApplication !== "true" && hasApplication !== "false") return vonageBadRequest("has_application must be true or false");
  const matchesPattern = patternParameters(query);
  if (typeof matchesPattern !== "function") return matchesPattern;
  const page = pageParameters(query);
  if ("status" in page) return page;

  const linkedToApplication = hasApplication === "true" || query.get("application_id") !== null;
  const matching = owned
    .filter((number) => country === null || number.country === country)
    .filter((number) => matchesPattern(number.msisdn))
    .filter(() => !linkedToApplication);
  return pageOf(matching, page, (number) => ({ country: number.country, msisdn: number.msisdn, type: number.type, features: [...number.features] }));
}
