import { CarrierError } from "../domain/carrier-error.js";
import type { AvailableNumberOffer, CarrierId } from "../domain/numbers.js";
import { isValidE164 } from "../domain/phone-number.js";
import { AllCarriersFailedError, CarrierUnavailableError } from "../domain/service-errors.js";
import type { SearchNumbersQuery } from "./manager-queries.js";
import { failedOutcome, unavailableOutcome, type ProviderOutcome } from "./provider-outcome.js";

export interface Problems {
  readonly failures: CarrierError[];
  readonly unavailable: CarrierUnavailableError[];
}

/** Records a carrier's failure (or refusal to be called) and returns its outcome; rethrows anything else. */
export function recordProblem(problems: Problems, error: unknown, carrierId: CarrierId, durationMs: number): ProviderOutcome {
  if (CarrierError.is(error)) {
    problems.failures.push(error);
    return failedOutcome(error, durationMs);
  }
  if (error instanceof CarrierUnavailableError) {
    problems.unavailable.push(error);
    return unavailableOutcome(carrierId, error.message);
  }
  throw error;
}

/** The error for a request no carrier answered. */
export function problemsToError(problems: Problems, outcomes: Map<CarrierId, ProviderOutcome>): Error {
  const [onlyFailure] = problems.failures;
  if (problems.failures.length === 1 && onlyFailure) return onlyFailure;
  if (problems.failures.length > 1) return new AllCarriersFailedError(problems.failures);
  const unavailable = [...outcomes.values()].filter((outcome) => outcome.reason === "CARRIER_UNAVAILABLE");
  // Carriers skipped by routing (breaker open) never threw: their outcome carries the delay.
  const delays = [...problems.unavailable.map((error) => error.retryAfterMs), ...unavailable.map((outcome) => outcome.retryAfterMs)].filter(
    (delay): delay is number => delay !== undefined,
  );
  const message = `no carrier can be called now: ${unavailable.map((outcome) => `${outcome.carrierId}: ${outcome.detail}`).join("; ")}`;
  return new CarrierUnavailableError(unavailable[0]?.carrierId ?? "", message, delays.length > 0 ? Math.min(...delays) : undefined);
}

/** A carrier's offer is used only if it is a valid number with the features the caller asked for. */
export function isUsableOffer(offer: AvailableNumberOffer, criteria: SearchNumbersQuery["criteria"]): boolean {
  if (!isValidE164(offer.phoneNumber)) return false;
  return criteria.features.every((feature) => offer.capabilities.includes(feature));
}
