import type { Capability, NumberSearchCriteria, NumberType } from "../../domain/numbers.js";
import { asArray, childObject, childText } from "../kit/xml.js";

/** Capabilities Bandwidth numbers come with; its search reports none per number (bandwidth.md). */
export const BANDWIDTH_CAPABILITIES: Readonly<Record<NumberType, readonly Capability[]>> = {
  local: ["voice", "sms", "mms"],
  toll_free: ["voice", "sms"],
  mobile: [],
};

export type BandwidthSearchQuery = Record<string, string | number | boolean | undefined>;

export type BandwidthQueryResult =
  | {
      readonly ok: true;
      readonly query: BandwidthSearchQuery;
      /**
       * Digits every returned number must start with. Set for prefix searches: where the spec does not let
       * numbergate send LCA=false, Bandwidth may add numbers of the local calling area, so the adapter filters.
       */
      readonly requiredPrefix?: string;
    }
  | { readonly ok: false; readonly reason: string };

/**
 * numbergate's search in Bandwidth's availableNumbers parameters, within the combinations the spec's
 * table allows (areaCode, npaNxx, npaNxxx, city+state, state, localVanity+endsIn, tollFreeWildCardPattern).
 */
export function bandwidthSearchQuery(criteria: NumberSearchCriteria): BandwidthQueryResult {
  const quantity = Math.min(Math.max(criteria.limit, 1), 5000);
  const unsupportedFeature = criteria.features.find((feature) => !BANDWIDTH_CAPABILITIES[criteria.numberType].includes(feature));
  if (unsupportedFeature) {
    return { ok: false, reason: `Bandwidth ${criteria.numberType.replace("_", "-")} numbers do not support ${unsupportedFeature}` };
  }
  if (criteria.numberType === "toll_free") return tollFreeQuery(criteria, quantity);
  if (criteria.numberType !== "local") return { ok: false, reason: `Bandwidth does not sell ${criteria.numberType} numbers` };
  if (criteria.city && !criteria.region) return { ok: false, reason: "Bandwidth needs region (state) with city" };

  const location: BandwidthSearchQuery = { areaCode: criteria.areaCode, city: criteria.city, state: criteria.region };
  const { pattern } = criteria;
  if (pattern?.position === "starts_with") {
    if (criteria.areaCode && !pattern.digits.startsWith(criteria.areaCode)) {
      return { ok: false, reason: "pattern does not start with area_code" };
    }
    const prefixParameter = PREFIX_PARAMETERS[pattern.digits.length];
    if (!prefixParameter) return { ok: false, reason: "Bandwidth prefix patterns need 3, 6 or 7 digits" };
    const combined = criteria.city !== undefined || criteria.region !== undefined;
    return {
      ok: true,
      query: {
        ...location,
        areaCode: undefined,
        [prefixParameter]: pattern.digits,
        LCA: allowsLcaFalse(prefixParameter, combined) ? false : undefined,
        quantity,
        enableTNDetail: true,
      },
      requiredPrefix: pattern.digits,
    };
  }
  if (pattern) {
    if (pattern.digits.length < 4 || pattern.digits.length > 7) {
      return { ok: false, reason: "Bandwidth vanity patterns need 4 to 7 digits" };
    }
    if (criteria.city) return { ok: false, reason: "Bandwidth cannot combine a pattern with city" };
    return {
      ok: true,
      query: {
        localVanity: pattern.digits,
        endsIn: pattern.position === "ends_with" ? true : undefined,
        areaCode: criteria.areaCode,
        state: criteria.region,
        quantity,
        enableTNDetail: true,
      },
    };
  }
  if (!criteria.areaCode && !criteria.region) {
    return { ok: false, reason: "Bandwidth needs area_code, region or a pattern to search" };
  }
  return { ok: true, query: { ...location, quantity, enableTNDetail: true } };
}

const PREFIX_PARAMETERS: Readonly<Record<number, "areaCode" | "npaNxx" | "npaNxxx">> = { 3: "areaCode", 6: "npaNxx", 7: "npaNxxx" };

/**
 * Whether the spec's combination table lets this prefix search carry LCA (which defaults to true and adds
 * numbers of the local calling area that do not match the prefix). Area Code searches take no LCA; "NPA-NXX
 * with Local Calling Area" takes no combinational parameter (no state, no city); "NPA-NXX-X with Local
 * Calling Area" takes rateCenter, city, state, lata and zip.
 */
function allowsLcaFalse(prefixParameter: "areaCode" | "npaNxx" | "npaNxxx", combinedWithLocation: boolean): boolean {
  switch (prefixParameter) {
    case "areaCode":
      return false;
    case "npaNxx":
      return !combinedWithLocation;
    case "npaNxxx":
      return true;
  }
}

/** How many toll-free numbers can share the last 7 digits: one per toll-free NPA (800, 833 ... 888), with room. */
const TOLL_FREE_VANITY_QUANTITY = 10;

/**
 * The search that finds one exact toll-free number: tollFreeVanity with its last 7 digits (the spec's "TollFree
 * Vanity" row takes only quantity besides), which returns at most one number per toll-free NPA.
 */
export function bandwidthTollFreeLookupQuery(nationalNumber: string): BandwidthSearchQuery {
  return { tollFreeVanity: nationalNumber.slice(-7), quantity: TOLL_FREE_VANITY_QUANTITY };
}

function tollFreeQuery(criteria: NumberSearchCriteria, quantity: number): BandwidthQueryResult {
  const { pattern } = criteria;
  if (!pattern) return { ok: true, query: { tollFreeWildCardPattern: "8**", quantity } };
  if (pattern.position === "starts_with" && pattern.digits.length === 3 && pattern.digits.startsWith("8")) {
    return { ok: true, query: { tollFreeWildCardPattern: pattern.digits, quantity } };
  }
  return { ok: false, reason: "Bandwidth toll-free searches take only a 3-digit prefix such as 888*" };
}

export interface BandwidthSearchHit {
  /** 10-digit NANP, no +1. */
  readonly telephoneNumber: string;
  readonly city?: string;
  readonly state?: string;
  readonly rateCenter?: string;
}

/** Reads <SearchResult>: TelephoneNumberDetailList (enableTNDetail) or TelephoneNumberList. */
export function readSearchResult(root: Record<string, unknown>): readonly BandwidthSearchHit[] {
  const details = asArray(childObject(root, "TelephoneNumberDetailList")?.["TelephoneNumberDetail"]);
  if (details.length > 0) {
    return details.flatMap((detail) => {
      // The spec names it FullNumber; the official SDK's fixture uses TelephoneNumber.
      const telephoneNumber = childText(detail, "FullNumber") ?? childText(detail, "TelephoneNumber");
      if (!telephoneNumber) return [];
      return [
        {
          telephoneNumber,
          city: childText(detail, "City"),
          state: childText(detail, "State"),
          rateCenter: childText(detail, "RateCenter"),
        },
      ];
    });
  }
  return asArray(childObject(root, "TelephoneNumberList")?.["TelephoneNumber"])
    .filter((value): value is string => typeof value === "string")
    .map((telephoneNumber) => ({ telephoneNumber }));
}

export interface BandwidthErrorDetail {
  readonly code: string;
  readonly description: string | undefined;
}

/**
 * Finds the first error in any of Bandwidth's error shapes: <ResponseStatus><ErrorCode>,
 * <ErrorList><Error><Code>, <Error><Code>, repeated <Errors><Code>.
 */
export function readBandwidthError(root: Record<string, unknown>): BandwidthErrorDetail | undefined {
  const responseStatus = childObject(root, "ResponseStatus");
  const statusCode = childText(responseStatus, "ErrorCode");
  if (statusCode) return { code: statusCode, description: childText(responseStatus, "Description") };
  const candidates = [
    ...asArray(childObject(root, "ErrorList")?.["Error"]),
    ...asArray(root["Error"]),
    ...asArray(root["Errors"]),
  ];
  for (const candidate of candidates) {
    const code = childText(candidate, "Code");
    if (code) return { code, description: childText(candidate, "Description") };
  }
  return undefined;
}

/** 10-digit NANP to E.164. */
export function bandwidthTnToE164(telephoneNumber: string): string {
  return `+1${telephoneNumber}`;
}
