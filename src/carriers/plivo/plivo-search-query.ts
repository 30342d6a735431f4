import type { Capability, NumberSearchCriteria, NumberType } from "../../domain/numbers.js";
import { plivoSearchType } from "./plivo-wire.js";

/** Query parameters of GET PhoneNumber/, snake_case as Plivo names them (plivo.md, Search). */
export interface PlivoSearchQuery {
  readonly country_iso: string;
  readonly type: "local" | "tollfree" | "mobile";
  readonly pattern?: string;
  readonly region?: string;
  readonly city?: string;
  readonly services?: string;
}

/** A search Plivo can run, and the national prefix every number it finds must have. */
export interface PlivoSearchRequest {
  readonly query: PlivoSearchQuery;
  readonly requiredPrefix: string | undefined;
}

export type PlivoSearchPlan = ({ readonly ok: true } & PlivoSearchRequest) | { readonly ok: false; readonly reason: string };

/** Plivo's `services` filter knows voice, sms and mms; it sells no fax numbers. */
const PLIVO_SERVICES: ReadonlySet<Capability> = new Set(["voice", "sms", "mms"]);

/**
 * numbergate's search in Plivo's parameters. `pattern` is "digits the number should match, e.g. area code 210"
 * (plivo.md [P1][P7]): read as the start of the national number, the one reading every source agrees with, so
 * only starts-with patterns and area codes are sent, and what comes back is checked against `requiredPrefix`.
 * Ends-with and contains patterns, fax, and places for toll-free numbers (Plivo's region filter is for local
 * numbers) cannot be expressed: the search is refused with the reason rather than answered with other numbers.
 */
export function plivoSearchPlan(criteria: NumberSearchCriteria): PlivoSearchPlan {
  const missing = criteria.features.filter((feature) => !PLIVO_SERVICES.has(feature));
  if (missing.length > 0) return { ok: false, reason: `Plivo numbers offer no ${missing.join(", ")}` };
  if (criteria.numberType === "toll_free" && (criteria.city !== undefined || criteria.region !== undefined)) {
    return { ok: false, reason: "Plivo filters toll-free numbers by neither city nor region" };
  }
  const prefix = nationalPrefix(criteria);
  if (!prefix.ok) return prefix;
  const services = criteria.features.filter((feature) => PLIVO_SERVICES.has(feature));
  return {
    ok: true,
    query: {
      country_iso: criteria.countryCode,
      type: plivoSearchType(criteria.numberType),
      pattern: prefix.digits,
      region: criteria.region,
      city: criteria.city,
      services: services.length > 0 ? services.join(",") : undefined,
    },
    requiredPrefix: prefix.digits,
  };
}

/** The digits every national number found must start with: the area code, a starts-with pattern, or both. */
function nationalPrefix(criteria: NumberSearchCriteria): { ok: true; digits: string | undefined } | { ok: false; reason: string } {
  const { areaCode, pattern } = criteria;
  if (pattern === undefined) return { ok: true, digits: areaCode };
  if (pattern.position !== "starts_with") {
    return { ok: false, reason: "Plivo's pattern matches the start of the number: ends-with and contains patterns cannot be searched" };
  }
  if (areaCode === undefined || pattern.digits.startsWith(areaCode)) return { ok: true, digits: pattern.digits };
  if (areaCode.startsWith(pattern.digits)) return { ok: true, digits: areaCode };
  return { ok: false, reason: `the pattern ${pattern.digits}* does not start with the area code ${areaCode}` };
}

/** The search for exactly one number: its whole national number as the pattern (Plivo has no single-number read). */
export function plivoExactNumberSearch(countryCode: string, numberType: NumberType, nationalNumber: string): PlivoSearchRequest {
  return { query: { country_iso: countryCode, type: plivoSearchType(numberType), pattern: nationalNumber }, requiredPrefix: nationalNumber };
}
