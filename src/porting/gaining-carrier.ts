import type { ParsedPhoneNumber } from "../domain/phone-number.js";
import { InvalidRequestError, NoEligibleCarrierError, type FieldViolation } from "../domain/service-errors.js";
import type { HealthStatus } from "../manager/carrier-health.js";
import type { ProviderManager } from "../manager/provider-manager.js";
import type { PortabilityChecker, PortabilityResult } from "./portability-check.js";

/** The numbers to port, each with the request field that named it (for errors that point at it). */
export interface PortedNumber {
  readonly number: ParsedPhoneNumber;
  readonly field: string;
}

export interface GainingCarrierChoice {
  readonly carrierId: string;
  /** The losing carrier needs the account number (and PIN), as the gaining carrier's portability check says. */
  readonly accountNumberRequired: boolean;
}

const HEALTH_RANK: Readonly<Record<HealthStatus, number>> = { healthy: 0, degraded: 1, unhealthy: 2, disabled: 3 };

/**
 * The carrier to port the numbers in to: the one named, or the best of those that offer porting and say every
 * number is portable to them, by health, then priority. Every number must be portable to the chosen carrier;
 * otherwise the request is refused naming each number and why, before anything is stored or sent.
 */
export async function chooseGainingCarrier(
  manager: ProviderManager,
  portability: PortabilityChecker,
  numbers: readonly PortedNumber[],
  named: string | undefined,
  signal?: AbortSignal,
): Promise<GainingCarrierChoice> {
  const candidates = manager.registrations
    .filter((registration) => registration.enabled && manager.offeredFeatures(registration.adapter.descriptor.id).has("porting"))
    .filter((registration) => named === undefined || registration.adapter.descriptor.id === named)
    .filter((registration) => !manager.health.isDrained(registration.adapter.descriptor.id));
  if (candidates.length === 0) {
    const why = named === undefined ? "no enabled carrier offers port-ins" : `numbergate does not offer port-ins at ${named} (not built, disabled or drained)`;
    throw new NoEligibleCarrierError(why, new Map(named === undefined ? [] : [[named, why]]));
  }
  const checked = candidates.filter((registration) => manager.offeredFeatures(registration.adapter.descriptor.id).has("portability"));
  const results = checked.length === 0 ? [] : (await portability.check({ numbers: numbers.map((entry) => entry.number), carrierId: named }, signal)).results;
  const ranked = [...candidates].sort((left, right) => {
    const health = (id: string) => HEALTH_RANK[manager.health.routingState(id)?.status ?? "healthy"];
    return health(left.adapter.descriptor.id) - health(right.adapter.descriptor.id) || left.priority - right.priority;
  });
  let firstRefusals: FieldViolation[] | undefined;
  for (const registration of ranked) {
    const carrierId = registration.adapter.descriptor.id;
    if (!manager.offeredFeatures(carrierId).has("portability")) return { carrierId, accountNumberRequired: false };
    const answers = results.filter((result) => result.carrierId === carrierId);
    if (answers.length === 0) continue;
    const refusals = notPortable(numbers, answers, carrierId);
    if (refusals.length === 0) return { carrierId, accountNumberRequired: answers.some((answer) => answer.accountNumberRequired) };
    firstRefusals ??= refusals;
  }
  if (firstRefusals) {
    const why = firstRefusals.map((refusal) => `${refusal.field}: ${refusal.description}`).join("; ");
    throw new InvalidRequestError(firstRefusals, "NUMBER_NOT_PORTABLE", `not every number can be ported in${named === undefined ? " to any one carrier" : ` to ${named}`}: ${why}`);
  }
  throw new NoEligibleCarrierError("no carrier that offers port-ins answered the portability check", new Map());
}

function notPortable(numbers: readonly PortedNumber[], answers: readonly PortabilityResult[], carrierId: string): FieldViolation[] {
  return numbers.flatMap(({ number, field }) => {
    const answer = answers.find((candidate) => candidate.e164 === number.e164);
    if (!answer) return [{ field, description: `${carrierId} did not answer whether ${number.e164} is portable` }];
    if (answer.portable) return [];
    return [{ field, description: `${number.e164} is not portable to ${carrierId}: ${answer.notPortableReason ?? "no reason given"}` }];
  });
}
