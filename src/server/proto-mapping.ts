import type { Duration } from "../../generated/google/protobuf/duration.js";
import {
  PriceSource,
  ProviderOutcomeState,
  type AvailableNumber,
  type ProviderOutcome as ProtoProviderOutcome,
} from "../../generated/numbergate/v1/numbers.js";
import { NumberType as ProtoNumberType } from "../../generated/numbergate/v1/common.js";
import type { PortabilityResult as ProtoPortabilityResult } from "../../generated/numbergate/v1/porting.js";
import type { AvailableNumberOffer } from "../domain/numbers.js";
import type { ProviderOutcome } from "../manager/provider-outcome.js";
import type { PortabilityResult } from "../porting/portability-check.js";
import { capabilityToProto, numberTypeToProto } from "./proto-enums.js";

/** The proto of each offer object, mapped once: priced offers are shared by every search a cached answer serves. */
const offerProtos = new WeakMap<AvailableNumberOffer, AvailableNumber>();

export function offerToProto(offer: AvailableNumberOffer): AvailableNumber {
  let proto = offerProtos.get(offer);
  if (!proto) offerProtos.set(offer, (proto = mapOffer(offer)));
  return proto;
}

function mapOffer(offer: AvailableNumberOffer): AvailableNumber {
  return {
    phoneNumber: offer.phoneNumber,
    providerId: offer.carrierId,
    numberType: numberTypeToProto(offer.numberType),
    countryCode: offer.countryCode,
    locality: offer.locality ?? "",
    region: offer.region ?? "",
    rateCenter: offer.rateCenter ?? "",
    capabilities: offer.capabilities.map(capabilityToProto),
    monthlyPrice: offer.monthlyPrice ? { currencyCode: offer.monthlyPrice.currencyCode, amountCents: offer.monthlyPrice.amountCents } : undefined,
    priceSource:
      offer.priceSource === "carrier"
        ? PriceSource.PRICE_SOURCE_CARRIER
        : offer.priceSource === "price_table"
          ? PriceSource.PRICE_SOURCE_PRICE_TABLE
          : PriceSource.PRICE_SOURCE_UNSPECIFIED,
  };
}

const OUTCOME_STATE: Readonly<Record<ProviderOutcome["state"], ProviderOutcomeState>> = {
  answered: ProviderOutcomeState.PROVIDER_OUTCOME_STATE_ANSWERED,
  failed: ProviderOutcomeState.PROVIDER_OUTCOME_STATE_FAILED,
  skipped: ProviderOutcomeState.PROVIDER_OUTCOME_STATE_SKIPPED,
  // Asked but not waited for (hedge delay past, enough numbers from others); older clients read it as unknown.
  cut_off: ProviderOutcomeState.PROVIDER_OUTCOME_STATE_CUT_OFF,
};

export function outcomeToProto(outcome: ProviderOutcome): ProtoProviderOutcome {
  return {
    providerId: outcome.carrierId,
    state: OUTCOME_STATE[outcome.state],
    detail: outcome.detail,
    reason: outcome.reason ?? "",
    numbersReturned: outcome.numbersReturned,
    excludedUnknownPrice: outcome.excludedUnknownPrice,
    excludedOverPrice: outcome.excludedOverPrice,
    fromCache: outcome.fromCache,
    stale: outcome.stale,
    duration: millisecondsToDuration(outcome.durationMs),
  };
}

export function millisecondsToDuration(milliseconds: number): Duration {
  const whole = Math.max(0, milliseconds);
  const seconds = Math.floor(whole / 1000);
  return { seconds, nanos: Math.round((whole - seconds * 1000) * 1_000_000) };
}


/** One number's portability at one gaining carrier. */
export function portabilityToProto(result: PortabilityResult): ProtoPortabilityResult {
  return {
    phoneNumber: result.e164,
    providerId: result.carrierId,
    portable: result.portable,
    notPortableReason: result.notPortableReason ?? "",
    losingCarrierName: result.losingCarrierName ?? "",
    accountNumberRequired: result.accountNumberRequired,
    numberType: result.numberType ? numberTypeToProto(result.numberType) : ProtoNumberType.NUMBER_TYPE_UNSPECIFIED,
  };
}
