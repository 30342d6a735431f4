import type { CustomerInfo } from "../../../generated/numbergate/v1/common.js";
import type { Duration } from "../../../generated/google/protobuf/duration.js";
import { parsePhoneNumber, type ParsedPhoneNumber } from "../../domain/phone-number.js";
import type { CarrierId } from "../../domain/numbers.js";
import type { CustomerInfoRecord } from "../../store/records.js";
import { FieldViolations, MAX_LENGTH, checkLength, checkProviderId } from "./field-checks.js";

const REQUEST_ID = /^[0-9A-Za-z._:-]{1,128}$/;
const RESOURCE_ID = /^[a-z]{3}_[0-9A-Za-z_-]{1,60}$/;

/** AIP-155 request ids: printable, at most 128 characters (UUIDs fit). */
export function checkRequestId(violations: FieldViolations, value: string, required: boolean): string | undefined {
  if (value === "") {
    if (required) violations.add("request_id", "is required: a unique key per operation (a UUID), reused only to retry it");
    return undefined;
  }
  if (!REQUEST_ID.test(value)) {
    violations.add("request_id", "must be 1 to 128 characters of letters, digits, . _ : -");
    return undefined;
  }
  return value;
}

export function checkPhoneNumber(violations: FieldViolations, field: string, value: string): ParsedPhoneNumber | undefined {
  if (value.trim() === "") {
    violations.add(field, "is required, in E.164 such as +12125550123");
    return undefined;
  }
  if (!checkLength(violations, field, value, MAX_LENGTH.phoneNumber)) return undefined;
  const parsed = parsePhoneNumber(value);
  if (parsed.ok) return parsed.number;
  violations.add(field, parsed.problem);
  return undefined;
}

export function checkResourceId(violations: FieldViolations, field: string, value: string, required: boolean): string | undefined {
  if (value === "") {
    if (required) violations.add(field, "is required");
    return undefined;
  }
  if (!RESOURCE_ID.test(value)) {
    violations.add(field, "is not an id numbergate issued");
    return undefined;
  }
  return value;
}

export function checkRequiredProvider(violations: FieldViolations, value: string, known: readonly string[]): CarrierId | undefined {
  if (value === "") {
    violations.add("provider_id", `is required: one of ${known.join(", ")}`);
    return undefined;
  }
  return checkProviderId(violations, "provider_id", value, known) as CarrierId | undefined;
}

/** Duration to milliseconds; undefined when unset or zero (the default applies). */
export function checkDuration(violations: FieldViolations, field: string, value: Duration | undefined): number | undefined {
  if (!value) return undefined;
  if (value.seconds < 0 || value.nanos < 0) {
    violations.add(field, "must not be negative");
    return undefined;
  }
  if (value.nanos > 999_999_999) {
    violations.add(`${field}.nanos`, "must be below 1000000000 (a whole second goes in seconds)");
    return undefined;
  }
  const milliseconds = value.seconds * 1000 + Math.floor(value.nanos / 1_000_000);
  // Beyond this, milliseconds are no longer exact; no hold or timeout is anywhere near it.
  if (!Number.isSafeInteger(milliseconds)) {
    violations.add(`${field}.seconds`, `must be at most ${Math.floor(Number.MAX_SAFE_INTEGER / 1000)}`);
    return undefined;
  }
  return milliseconds === 0 ? undefined : milliseconds;
}

/** max_monthly_rate_cents (a wrapper: undefined when unset): zero or more whole US cents. */
export function checkMaxMonthlyRate(violations: FieldViolations, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value < 0 || !Number.isSafeInteger(value)) {
    violations.add("max_monthly_rate_cents", "must be zero or a positive number of cents");
    return undefined;
  }
  return value;
}

const TEXT_LIMITS = { customerId: 128, name: 200, email: 254, company: 200, line: 200, locality: 100, area: 100, postalCode: 20 } as const;

export function checkCustomerInfo(violations: FieldViolations, value: CustomerInfo | undefined): CustomerInfoRecord | undefined {
  if (!value) return undefined;
  const text = (field: string, content: string, max: number): string => {
    checkLength(violations, `customer_info.${field}`, content, max);
    if (/[\u0000-\u001f]/.test(content)) violations.add(`customer_info.${field}`, "must not contain control characters");
    return content.trim();
  };
  if (value.email !== "" && !/^[^\s@]+@[^\s@]+$/.test(value.email)) violations.add("customer_info.email", "is not an email address");
  const address = value.address;
  if (address && address.addressLines.length > 4) violations.add("customer_info.address.address_lines", "has at most 4 lines");
  if (address && address.regionCode !== "" && !/^[A-Za-z]{2}$/.test(address.regionCode)) {
    violations.add("customer_info.address.region_code", "must be an ISO 3166-1 alpha-2 code such as US");
  }
  return {
    customerId: text("customer_id", value.customerId, TEXT_LIMITS.customerId),
    name: text("name", value.name, TEXT_LIMITS.name),
    email: text("email", value.email, TEXT_LIMITS.email),
    company: text("company", value.company, TEXT_LIMITS.company),
    address: address
      ? {
          addressLines: address.addressLines.map((line, index) => text(`address.address_lines[${index}]`, line, TEXT_LIMITS.line)),
          locality: text("address.locality", address.locality, TEXT_LIMITS.locality),
          administrativeArea: text("address.administrative_area", address.administrativeArea, TEXT_LIMITS.area),
          postalCode: text("address.postal_code", address.postalCode, TEXT_LIMITS.postalCode),
          regionCode: address.regionCode.toUpperCase(),
        }
      : undefined,
  };
}

export { FieldViolations };
