import type { SearchNumbersRequest } from "../../../generated/numbergate/v1/numbers.js";
import { parseNumberPattern } from "../../domain/number-pattern.js";
import type { Capability } from "../../domain/numbers.js";
import type { SearchNumbersQuery } from "../../manager/provider-manager.js";
import { capabilityFromProto, numberTypeFromProto } from "../proto-enums.js";
import { FieldViolations, MAX_LENGTH, checkCountryCode, checkLength, checkPlaceName, checkProviderId } from "./field-checks.js";

export const DEFAULT_SEARCH_LIMIT = 20;
export const MAX_SEARCH_LIMIT = 100;
const NANP_COUNTRIES = new Set(["US", "CA"]);

export interface ValidatedSearch {
  readonly query: SearchNumbersQuery;
  readonly effectiveLimit: number;
  readonly warnings: readonly string[];
}

/** Validates SearchNumbersRequest before any carrier is called; every problem names its field. */
export function validateSearchRequest(request: SearchNumbersRequest, knownProviderIds: readonly string[]): ValidatedSearch {
  const violations = new FieldViolations();
  const warnings: string[] = [];

  const countryCode = checkCountryCode(violations, "country_code", request.countryCode.trim(), true);

  let areaCode: string | undefined;
  const rawAreaCode = request.areaCode.trim();
  if (rawAreaCode !== "" && checkLength(violations, "area_code", rawAreaCode, MAX_LENGTH.areaCode)) {
    if (countryCode && NANP_COUNTRIES.has(countryCode) && !/^[2-9][0-9]{2}$/.test(rawAreaCode)) {
      violations.add("area_code", "must be 3 digits starting with 2-9 in North America, for example 212");
    } else if (!/^[0-9]{1,6}$/.test(rawAreaCode)) {
      violations.add("area_code", "must be digits only");
    } else {
      areaCode = rawAreaCode;
    }
  }

  const city = checkPlaceName(violations, "city", request.city, MAX_LENGTH.city);
  const region = checkPlaceName(violations, "region", request.region, MAX_LENGTH.region)?.toUpperCase();

  let pattern: SearchNumbersQuery["criteria"]["pattern"];
  if (request.pattern !== "") {
    const parsed = parseNumberPattern(request.pattern);
    if (parsed.ok) pattern = parsed.pattern;
    else violations.add("pattern", parsed.problem);
  }

  const features = new Set<Capability>();
  request.features.forEach((value, index) => {
    const capability = capabilityFromProto(value);
    if (capability) features.add(capability);
    else violations.add(`features[${index}]`, "must be VOICE, SMS, MMS or FAX");
  });

  const numberType = numberTypeFromProto(request.numberType);
  if (!numberType) violations.add("number_type", "must be LOCAL, TOLL_FREE, MOBILE or unspecified (local)");

  let effectiveLimit = DEFAULT_SEARCH_LIMIT;
  if (request.limit < 0) violations.add("limit", "must not be negative (0 means the default, 20)");
  else if (request.limit > MAX_SEARCH_LIMIT) {
    effectiveLimit = MAX_SEARCH_LIMIT;
    warnings.push(`limit ${request.limit} was capped to ${MAX_SEARCH_LIMIT}`);
  } else if (request.limit > 0) effectiveLimit = request.limit;

  const maxMonthlyRateCents = request.maxMonthlyRateCents;
  if (maxMonthlyRateCents !== undefined && (maxMonthlyRateCents < 0 || !Number.isSafeInteger(maxMonthlyRateCents))) {
    violations.add("max_monthly_rate_cents", "must be zero or a positive number of cents");
  }

  const carrierIds: string[] = [];
  if (request.providerIds.length > knownProviderIds.length) {
    violations.add("provider_ids", `lists ${request.providerIds.length} providers; only ${knownProviderIds.length} are configured`);
  } else {
    request.providerIds.forEach((providerId, index) => {
      const known = checkProviderId(violations, `provider_ids[${index}]`, providerId, knownProviderIds);
      if (known) carrierIds.push(known);
    });
  }

  violations.throwIfAny();
  return {
    query: {
      criteria: {
        countryCode: countryCode ?? "",
        numberType: numberType ?? "local",
        areaCode,
        city,
        region,
        pattern,
        features: [...features],
      },
      limit: effectiveLimit,
      maxMonthlyRateCents,
      carrierIds,
    },
    effectiveLimit,
    warnings,
  };
}
