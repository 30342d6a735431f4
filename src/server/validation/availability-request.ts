import type { CheckNumberAvailabilityRequest } from "../../../generated/numbergate/v1/numbers.js";
import { parsePhoneNumber } from "../../domain/phone-number.js";
import type { AvailabilityQuery } from "../../manager/provider-manager.js";
import { FieldViolations, MAX_LENGTH, checkCountryCode, checkLength, checkProviderId } from "./field-checks.js";

/** Validates CheckNumberAvailabilityRequest: a valid number, and a known provider when one is named. */
export function validateAvailabilityRequest(request: CheckNumberAvailabilityRequest, knownProviderIds: readonly string[]): AvailabilityQuery {
  const violations = new FieldViolations();
  const countryCode = checkCountryCode(violations, "country_code", request.countryCode.trim(), false);

  let number: AvailabilityQuery["number"] | undefined;
  if (request.phoneNumber.trim() === "") {
    violations.add("phone_number", "is required, in E.164 such as +12125550123");
  } else if (checkLength(violations, "phone_number", request.phoneNumber, MAX_LENGTH.phoneNumber)) {
    const parsed = parsePhoneNumber(request.phoneNumber, countryCode);
    if (parsed.ok) number = parsed.number;
    else violations.add("phone_number", parsed.problem);
  }

  const carrierId =
    request.providerId === "" ? undefined : checkProviderId(violations, "provider_id", request.providerId, knownProviderIds);

  violations.throwIfAny();
  if (!number) throw new Error("unreachable: phone_number validated without a result");
  return { number, carrierId };
}
