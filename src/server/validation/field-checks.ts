import { InvalidRequestError, type FieldViolation } from "../../domain/service-errors.js";
import { isSupportedCountry } from "../../domain/phone-number.js";

/** Collects every problem of a request, so a caller fixes them all in one round trip. */
export class FieldViolations {
  readonly #violations: FieldViolation[] = [];
  #unknownProvider = false;

  add(field: string, description: string): void {
    this.#violations.push({ field, description });
  }

  addUnknownProvider(field: string, description: string): void {
    this.#unknownProvider = true;
    this.add(field, description);
  }

  get isEmpty(): boolean {
    return this.#violations.length === 0;
  }

  /** Throws InvalidRequestError when anything was wrong. */
  throwIfAny(): void {
    if (this.isEmpty) return;
    // An unknown provider alone gets its own reason; mixed with other problems it is one more field error.
    const reason = this.#unknownProvider && this.#violations.length === 1 ? "UNKNOWN_PROVIDER" : "INVALID_FIELD";
    throw new InvalidRequestError(this.#violations, reason);
  }
}

/** Lengths that no legitimate value exceeds; longer input is an error, not something to truncate. */
export const MAX_LENGTH = {
  countryCode: 2,
  areaCode: 6,
  city: 64,
  region: 32,
  providerId: 32,
  phoneNumber: 32,
} as const;

/**
 * Rejects control characters and anything outside printable text. The typographic apostrophe is written as
 * \u2019: one character outside Latin-1 in a bundle makes V8 hold the whole bundle's source as two-byte text.
 */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{Zs}.'\u2019,()&-]*$/u;

export function checkLength(violations: FieldViolations, field: string, value: string, max: number): boolean {
  if (value.length > max) {
    violations.add(field, `must be at most ${max} characters (got ${value.length})`);
    return false;
  }
  return true;
}

/** An ISO 3166-1 alpha-2 code, normalized to upper case; undefined after recording a violation. */
export function checkCountryCode(violations: FieldViolations, field: string, value: string, required: boolean): string | undefined {
  if (value === "") {
    if (required) violations.add(field, "is required: an ISO 3166-1 alpha-2 code such as US");
    return undefined;
  }
  const upper = value.toUpperCase();
  if (!/^[A-Z]{2}$/.test(upper)) {
    violations.add(field, "must be an ISO 3166-1 alpha-2 code such as US");
    return undefined;
  }
  if (!isSupportedCountry(upper)) {
    violations.add(field, `${upper} is not a country with a known numbering plan`);
    return undefined;
  }
  return upper;
}

/** Free text such as a city name: bounded, printable, trimmed; empty becomes undefined. */
export function checkPlaceName(violations: FieldViolations, field: string, value: string, max: number): string | undefined {
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  if (!checkLength(violations, field, trimmed, max)) return undefined;
  if (!PRINTABLE.test(trimmed)) {
    violations.add(field, "may contain only letters, digits, spaces and . ' , ( ) & -");
    return undefined;
  }
  return trimmed;
}

/** A carrier id that names a configured carrier. */
export function checkProviderId(
  violations: FieldViolations,
  field: string,
  value: string,
  knownProviderIds: readonly string[],
): string | undefined {
  if (!checkLength(violations, field, value, MAX_LENGTH.providerId)) return undefined;
  if (!knownProviderIds.includes(value)) {
    violations.addUnknownProvider(field, `unknown provider "${value}"; configured providers: ${knownProviderIds.join(", ")}`);
    return undefined;
  }
  return value;
}
