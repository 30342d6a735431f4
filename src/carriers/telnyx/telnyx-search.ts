import type { ParsedPhoneNumber } from "../../domain/phone-number.js";
import { CAPABILITIES, type AvailableNumberOffer, type Capability, type NumberSearchCriteria, type NumberType } from "../../domain/numbers.js";
import { telnyxMonthlyPrice } from "./telnyx-price.js";
import type { TelnyxAvailableNumber } from "./telnyx-wire.js";

export type TelnyxQuery = Record<string, string | number | boolean | undefined>;

export type TelnyxSearchPlan =
  | { readonly ok: true; readonly query: TelnyxQuery; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly reason: string };

/** Countries of the North American Numbering Plan Telnyx sells in: area codes of 3 digits, and best_effort exists. */
const NANP_COUNTRIES: ReadonlySet<string> = new Set(["US", "CA"]);
/** The subscriber part after a NANP area code. */
const NANP_SUBSCRIBER_DIGITS = 7;

/**
 * numbergate's search in GET /available_phone_numbers filters (deepObject, telnyx.md Search). Patterns go to
 * `filter[phone_number][starts_with|ends_with|contains]`, matched against the national number; with
 * `filter[national_destination_code]` Telnyx matches them after the area code instead ("excludes NDC if used with
 * national_destination_code", spec), so a starts-with pattern loses its area-code digits. Features are one
 * comma-joined array, as the official SDK sends it [S10].
 */
export function telnyxSearchPlan(criteria: NumberSearchCriteria): TelnyxSearchPlan {
  const nanp = NANP_COUNTRIES.has(criteria.countryCode);
  const pattern = patternFilter(criteria, nanp);
  if (!pattern.ok) return pattern;
  return {
    ok: true,
    query: {
      "filter[country_code]": criteria.countryCode,
      "filter[phone_number_type]": criteria.numberType,
      "filter[national_destination_code]": criteria.areaCode,
      "filter[locality]": criteria.city,
      "filter[administrative_area]": criteria.region,
      ...pattern.filter,
      "filter[features]": criteria.features.length > 0 ? criteria.features.join(",") : undefined,
      "filter[limit]": Math.max(criteria.limit, 1),
      // Near matches ("best effort", US/CA only) are not what was asked; the adapter drops any that still come.
      "filter[best_effort]": nanp ? false : undefined,
    },
    warnings: pattern.warnings,
  };
}

function patternFilter(criteria: NumberSearchCriteria, nanp: boolean): { ok: true; filter: TelnyxQuery; warnings: string[] } | { ok: false; reason: string } {
  const { pattern, areaCode } = criteria;
  if (!pattern) return { ok: true, filter: {}, warnings: [] };
  if (!areaCode) return { ok: true, filter: { [`filter[phone_number][${pattern.position}]`]: pattern.digits }, warnings: [] };
  switch (pattern.position) {
    case "starts_with": {
      if (!pattern.digits.startsWith(areaCode)) return { ok: false, reason: "pattern does not start with area_code" };
      const rest = pattern.digits.slice(areaCode.length);
      return { ok: true, filter: rest === "" ? {} : { "filter[phone_number][starts_with]": rest }, warnings: [] };
    }
    case "ends_with":
      if (nanp && pattern.digits.length > NANP_SUBSCRIBER_DIGITS) {
        return { ok: false, reason: `Telnyx matches ends_with after the area code, so with area_code the pattern can have at most ${NANP_SUBSCRIBER_DIGITS} digits` };
      }
      return { ok: true, filter: { "filter[phone_number][ends_with]": pattern.digits }, warnings: [] };
    case "contains":
      // Every number Telnyx returns does contain the digits; numbers where they only run into the area code are missed.
      return { ok: true, filter: { "filter[phone_number][contains]": pattern.digits }, warnings: ["telnyx matches a contains pattern only after the area code"] };
  }
}

/** The search that finds one exact number: its whole national number as a starts-with pattern, in its country and type. */
export function telnyxExactNumberQuery(number: ParsedPhoneNumber, countryCode: string, numberType: NumberType): TelnyxQuery {
  return {
    "filter[country_code]": countryCode,
    "filter[phone_number_type]": numberType,
    "filter[phone_number][starts_with]": number.nationalNumber,
    "filter[limit]": 1,
    "filter[best_effort]": NANP_COUNTRIES.has(countryCode) ? false : undefined,
  };
}

const NUMBER_TYPES: Readonly<Record<string, NumberType>> = { local: "local", toll_free: "toll_free", mobile: "mobile" };

/** An AvailablePhoneNumber as an offer priced by Telnyx itself; locality, region and rate center from region_information. */
export function telnyxOffer(number: TelnyxAvailableNumber, askedType: NumberType, askedCountry: string): AvailableNumberOffer {
  const region = (type: string): string | undefined => number.region_information?.find((entry) => entry.region_type === type)?.region_name ?? undefined;
  const features = new Set((number.features ?? []).map((feature) => feature.name));
  const capabilities: Capability[] = CAPABILITIES.filter((capability) => features.has(capability));
  const monthlyPrice = telnyxMonthlyPrice(number.cost_information?.monthly_cost, number.cost_information?.currency);
  const location = region("location");
  return {
    phoneNumber: number.phone_number,
    carrierId: "telnyx",
    numberType: NUMBER_TYPES[number.phone_number_type ?? ""] ?? askedType,
    countryCode: region("country_code") ?? askedCountry,
    // "SHEBOYGAN (SHEBOYGAN)" in the docs' sample: the place, then a qualifier in brackets.
    locality: location === undefined ? undefined : titleCase(location.replace(/\s*\(.*\)\s*$/, "")),
    region: region("state"),
    rateCenter: region("rate_center"),
    capabilities,
    ...(monthlyPrice ? { monthlyPrice, priceSource: "carrier" as const } : {}),
  };
}

/** Telnyx writes places in capitals ("SHEBOYGAN"); other carriers and callers use "Sheboygan". */
function titleCase(place: string): string {
  return place.toLowerCase().replace(/(^|[\s-])(\p{L})/gu, (_match, separator: string, letter: string) => separator + letter.toUpperCase());
}
