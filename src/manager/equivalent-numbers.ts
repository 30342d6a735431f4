import type { AvailableNumberOffer, Capability, CarrierId, NumberType } from "../domain/numbers.js";
import type { ParsedPhoneNumber } from "../domain/phone-number.js";
import type { SearchNumbersQuery } from "./manager-queries.js";
import { judgePrice } from "./offer-pricing.js";

/**
 * What a number is assumed to offer when numbergate never saw the carrier's offer for it (nothing cached):
 * what numbers of the type offer nearly everywhere, so a substitute is never poorer than the usual number.
 */
export const DEFAULT_CAPABILITIES: Readonly<Record<NumberType, readonly Capability[]>> = {
  local: ["voice", "sms"],
  mobile: ["voice", "sms"],
  toll_free: ["voice"],
};

/** How many candidates a substitute search asks for: a few spare in case the best ones get taken meanwhile. */
export const SUBSTITUTE_CANDIDATES = 10;

/** The number a substitute replaces, as numbergate knows it. */
export interface SubstitutionTarget {
  readonly number: ParsedPhoneNumber;
  /** The carrier that offered it and could not take the purchase: never asked for the substitute. */
  readonly carrierId: CarrierId;
  readonly numberType: NumberType;
  /** Its capabilities as its offer stated them; empty when unknown (the type's defaults apply). */
  readonly capabilities: readonly Capability[];
  readonly locality?: string;
  readonly region?: string;
  /** US cents; a substitute must have a known price within it when set. */
  readonly maxMonthlyRateCents?: number;
}

/** NANP numbers (calling code 1) have a 3-digit area code (NPA) at the start of the national number. */
function nanpAreaCode(number: ParsedPhoneNumber): string | undefined {
  return number.callingCode === "1" && number.nationalNumber.length === 10 ? number.nationalNumber.slice(0, 3) : undefined;
}

function requiredCapabilities(target: SubstitutionTarget): readonly Capability[] {
  return target.capabilities.length > 0 ? target.capabilities : DEFAULT_CAPABILITIES[target.numberType];
}

/**
 * The search for numbers equivalent to the target at the other carriers: same country and number type, the
 * same area code (NANP; toll-free by its 3-digit prefix), at least its capabilities, and a known price within
 * the limit when one is set. Outside NANP numbergate knows no area code, so the same locality stands in for
 * it; with no locality known there is no search (undefined): equivalence could not be shown.
 */
export function substituteSearch(target: SubstitutionTarget, otherCarrierIds: readonly CarrierId[]): SearchNumbersQuery | undefined {
  const countryCode = target.number.countryCode;
  if (!countryCode || otherCarrierIds.length === 0) return undefined;
  const areaCode = nanpAreaCode(target.number);
  const where: Pick<SearchNumbersQuery["criteria"], "areaCode" | "pattern" | "city" | "region"> =
    areaCode === undefined
      ? { city: target.locality, region: target.region }
      : target.numberType === "toll_free"
        ? { pattern: { position: "starts_with", digits: areaCode } }
        : { areaCode };
  if (areaCode === undefined && !target.locality) return undefined;
  return {
    criteria: { countryCode, numberType: target.numberType, features: [...requiredCapabilities(target)], ...where },
    limit: SUBSTITUTE_CANDIDATES,
    maxMonthlyRateCents: target.maxMonthlyRateCents,
    carrierIds: otherCarrierIds,
  };
}

/**
 * Whether an offer is equivalent to the target, checked on the offer itself (a carrier may answer more
 * loosely than it was asked): another carrier, same country, type and area code (or locality), at least the
 * capabilities, and a known price within the limit when one is set.
 */
export function isEquivalentOffer(offer: AvailableNumberOffer, target: SubstitutionTarget): boolean {
  if (offer.carrierId === target.carrierId || offer.countryCode !== target.number.countryCode || offer.numberType !== target.numberType) return false;
  if (!requiredCapabilities(target).every((capability) => offer.capabilities.includes(capability))) return false;
  const areaCode = nanpAreaCode(target.number);
  if (areaCode !== undefined && !offer.phoneNumber.startsWith(`+1${areaCode}`)) return false;
  if (areaCode === undefined && offer.locality?.toLowerCase() !== target.locality?.toLowerCase()) return false;
  return judgePrice(offer, target.maxMonthlyRateCents) === "within";
}
