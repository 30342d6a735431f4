import { nationalNumberMatches } from "../../domain/number-pattern.js";
import type { NumberSearchCriteria } from "../../domain/numbers.js";
import { VONAGE_MAX_PAGE_SIZE, vonageFeaturesParameter, vonageNumberType } from "./vonage-wire.js";

export type VonageSearchQuery = Readonly<Record<string, string | number | undefined>>;

export type VonageSearchPlan =
  | {
      readonly ok: true;
      readonly query: VonageSearchQuery;
      /** Whether an offer's national number meets the criteria Vonage's one pattern stands for. */
      readonly matches: (nationalNumber: string) => boolean;
    }
  | { readonly ok: false; readonly reason: string };

/** `search_pattern`: 0 starts with (the pattern includes the country code), 1 contains, 2 ends with (spec). */
const STARTS_WITH = 0;
const CONTAINS = 1;
const ENDS_WITH = 2;
/** E.164 numbers have at most 15 digits: a longer pattern matches nothing. */
const MAX_PATTERN_DIGITS = 15;

/**
 * numbergate's search as GET /number/search parameters. Vonage has one pattern per search and no area-code,
 * region or city parameter (vonage.md, Search): an area code is a starts-with pattern of the country code and
 * the area code; a starts-with pattern must then begin with the area code (or the area code with it), and an
 * ends-with or contains pattern cannot be combined with an area code at all. Vonage numbers have no fax feature.
 */
export function vonageSearchQuery(criteria: NumberSearchCriteria, callingCode: string): VonageSearchPlan {
  if (criteria.city !== undefined || criteria.region !== undefined) {
    return { ok: false, reason: "Vonage searches by country and number pattern only: city and region cannot be searched" };
  }
  if (criteria.features.includes("fax")) return { ok: false, reason: "Vonage numbers have no fax feature" };
  if (callingCode === "") return { ok: false, reason: `Vonage does not know country ${criteria.countryCode}` };

  const { areaCode, pattern } = criteria;
  let wirePattern: { readonly pattern: string; readonly searchPattern: number } | undefined;
  if (pattern === undefined) {
    wirePattern = areaCode === undefined ? undefined : { pattern: `${callingCode}${areaCode}`, searchPattern: STARTS_WITH };
  } else if (pattern.position === "starts_with") {
    const prefix = longerPrefix(areaCode, pattern.digits);
    if (prefix === undefined) return { ok: false, reason: "pattern does not start with area_code" };
    wirePattern = { pattern: `${callingCode}${prefix}`, searchPattern: STARTS_WITH };
  } else if (areaCode !== undefined) {
    return { ok: false, reason: "Vonage matches one pattern per search: area_code cannot be combined with an ends-with or contains pattern" };
  } else {
    wirePattern = { pattern: pattern.digits, searchPattern: pattern.position === "ends_with" ? ENDS_WITH : CONTAINS };
  }
  if (wirePattern !== undefined && wirePattern.pattern.length > MAX_PATTERN_DIGITS) {
    return { ok: false, reason: `the pattern (with the country code, for starts-with) is longer than the ${MAX_PATTERN_DIGITS} digits of any number` };
  }

  return {
    ok: true,
    query: {
      country: criteria.countryCode,
      type: vonageNumberType(criteria.numberType),
      pattern: wirePattern?.pattern,
      search_pattern: wirePattern?.searchPattern,
      features: vonageFeaturesParameter(criteria.features),
      size: Math.min(Math.max(criteria.limit, 1), VONAGE_MAX_PAGE_SIZE),
      index: 1,
    },
    // Vonage matches the whole E.164 digits; numbergate's pattern is about the national number, so a contains
    // pattern Vonage found across the country code is no match here.
    matches: (nationalNumber) => (areaCode === undefined || nationalNumber.startsWith(areaCode)) && (pattern === undefined || nationalNumberMatches(nationalNumber, pattern)),
  };
}

/** Of an area code and a starts-with pattern, the longer one when it begins with the other. */
function longerPrefix(areaCode: string | undefined, digits: string): string | undefined {
  if (areaCode === undefined || digits.startsWith(areaCode)) return digits;
  return areaCode.startsWith(digits) ? areaCode : undefined;
}
