import type { CheckPortabilityRequest } from "../../../generated/numbergate/v1/porting.js";
import { parsePhoneNumber, type ParsedPhoneNumber } from "../../domain/phone-number.js";
import type { PortabilityQuery } from "../../porting/portability-check.js";
import { FieldViolations, MAX_LENGTH, checkLength, checkProviderId } from "./field-checks.js";

/** The contract's bound on one check (porting.proto). */
export const MAX_PORTABILITY_NUMBERS = 100;

/** Validates CheckPortabilityRequest: 1 to 100 distinct E.164 numbers, and a known provider when one is named. */
export function validatePortabilityRequest(request: CheckPortabilityRequest, knownProviderIds: readonly string[]): PortabilityQuery {
  const violations = new FieldViolations();
  const numbers: ParsedPhoneNumber[] = [];
  if (request.phoneNumbers.length === 0) violations.add("phone_numbers", "needs at least one number, in E.164 such as +12125550123");
  if (request.phoneNumbers.length > MAX_PORTABILITY_NUMBERS) violations.add("phone_numbers", `has ${request.phoneNumbers.length} numbers; at most ${MAX_PORTABILITY_NUMBERS} per check`);
  else {
    const seen = new Set<string>();
    request.phoneNumbers.forEach((raw, index) => {
      const field = `phone_numbers[${index}]`;
      if (!checkLength(violations, field, raw, MAX_LENGTH.phoneNumber)) return;
      const parsed = parsePhoneNumber(raw);
      if (!parsed.ok) violations.add(field, parsed.problem);
      else if (seen.has(parsed.number.e164)) violations.add(field, `repeats ${parsed.number.e164}`);
      else {
        seen.add(parsed.number.e164);
        numbers.push(parsed.number);
      }
    });
  }
  const carrierId = request.providerId === "" ? undefined : checkProviderId(violations, "provider_id", request.providerId, knownProviderIds);
  violations.throwIfAny();
  return { numbers, carrierId };
}
