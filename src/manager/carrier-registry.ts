import type { CarrierAdapter } from "../domain/carrier-adapter.js";
import type { Capability, CarrierId, NumberType } from "../domain/numbers.js";

/** The weight of a carrier that sets none: equal shares among equals. */
export const DEFAULT_WEIGHT = 100;

/** A configured carrier as the manager sees it. */
export interface CarrierRegistration {
  readonly adapter: CarrierAdapter;
  /** Lower is preferred. */
  readonly priority: number;
  /** Share of traffic among carriers of equal priority (weighted selection); DEFAULT_WEIGHT when unset. */
  readonly weight?: number;
  /** Where its offers' prices come from: its own answers, or the operator's price table (the default). */
  readonly priceSource?: "carrier" | "table";
  readonly enabled: boolean;
  /** True when the adapter talks to a built-in emulator. */
  readonly sandbox: boolean;
  readonly disabledReason?: string;
}

export interface EligibilityQuestion {
  readonly countryCode: string;
  readonly numberType: NumberType;
  readonly features: readonly Capability[];
  /** When non-empty, only these carriers. */
  readonly carrierIds: readonly string[];
}

export type Eligibility = { readonly eligible: true } | { readonly eligible: false; readonly reason: string };

/** Carriers in the order the manager tries them: priority, then id for a stable tie-break. */
export function orderByPriority(registrations: readonly CarrierRegistration[]): readonly CarrierRegistration[] {
  return [...registrations].sort(
    (left, right) => left.priority - right.priority || left.adapter.descriptor.id.localeCompare(right.adapter.descriptor.id),
  );
}

/** Whether a carrier can be asked at all, from configuration and declared capabilities. */
export function checkEligibility(registration: CarrierRegistration, question: EligibilityQuestion): Eligibility {
  const { descriptor } = registration.adapter;
  if (question.carrierIds.length > 0 && !question.carrierIds.includes(descriptor.id)) {
    return { eligible: false, reason: "not among the requested provider_ids" };
  }
  if (!registration.enabled) {
    return { eligible: false, reason: registration.disabledReason ?? "disabled" };
  }
  if (!descriptor.countries.includes(question.countryCode)) {
    return { eligible: false, reason: `does not sell numbers in ${question.countryCode}` };
  }
  if (!descriptor.numberTypes.includes(question.numberType)) {
    return { eligible: false, reason: `does not sell ${question.numberType.replace("_", "-")} numbers` };
  }
  const missing = question.features.filter((feature) => !descriptor.capabilities.includes(feature));
  if (missing.length > 0) {
    return { eligible: false, reason: `does not offer ${missing.join(", ")}` };
  }
  return { eligible: true };
}

export function findRegistration(registrations: readonly CarrierRegistration[], carrierId: string): CarrierRegistration | undefined {
  return registrations.find((registration) => registration.adapter.descriptor.id === (carrierId as CarrierId));
}
