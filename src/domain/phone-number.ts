import { LRUCache } from "lru-cache";
import { parsePhoneNumberWithError, ParseError, type CountryCode } from "libphonenumber-js/max";
import type { NumberType } from "./numbers.js";

export interface ParsedPhoneNumber {
  /** E.164, for example "+12125550123". */
  readonly e164: string;
  /** ISO 3166-1 alpha-2 of the number's region, when known. */
  readonly countryCode: string | undefined;
  /** The country calling code without "+", for example "1". */
  readonly callingCode: string;
  /** The national significant number, for example "2125550123". */
  readonly nationalNumber: string;
  /** The kind of number, as far as numbering plans tell. */
  readonly numberType: NumberType | undefined;
}

export type PhoneParseResult =
  | { readonly ok: true; readonly number: ParsedPhoneNumber }
  | { readonly ok: false; readonly problem: string };

/** Parses and validates a phone number with libphonenumber; E.164 input needs no default country. */
export function parsePhoneNumber(input: string, defaultCountry?: string): PhoneParseResult {
  const trimmed = input.trim();
  if (trimmed.length === 0) return { ok: false, problem: "is required" };
  if (trimmed.length > 32) return { ok: false, problem: "is too long to be a phone number" };
  try {
    const parsed = parsePhoneNumberWithError(trimmed, defaultCountry as CountryCode | undefined);
    if (!parsed.isValid()) {
      return { ok: false, problem: `"${trimmed}" is not a valid phone number` };
    }
    return {
      ok: true,
      number: {
        e164: parsed.number,
        countryCode: parsed.country,
        callingCode: parsed.countryCallingCode,
        nationalNumber: parsed.nationalNumber,
        numberType: toNumberType(parsed.getType()),
      },
    };
  } catch (error) {
    if (error instanceof ParseError) {
      const hint = defaultCountry ? "" : " (use E.164, for example +12125550123)";
      return { ok: false, problem: `"${trimmed}" is not a phone number: ${error.message}${hint}` };
    }
    throw error;
  }
}

function toNumberType(type: ReturnType<ReturnType<typeof parsePhoneNumberWithError>["getType"]>): NumberType | undefined {
  switch (type) {
    case "TOLL_FREE":
      return "toll_free";
    case "MOBILE":
      return "mobile";
    case "FIXED_LINE":
    case "FIXED_LINE_OR_MOBILE":
      return "local";
    default:
      return undefined;
  }
}

/** The country calling code of an ISO region, for example "1" for "US". */
export { getCountryCallingCode } from "libphonenumber-js/max";

/** Whether libphonenumber knows this ISO 3166-1 alpha-2 region. */
export { isSupportedCountry } from "libphonenumber-js/max";

/**
 * Whether an E.164 string is a valid number. Carriers offer the same numbers again and again, and a full
 * libphonenumber parse costs about 20 µs, so answers are remembered.
 */
const validityCache = new LRUCache<string, boolean>({ max: 50_000 });

export function isValidE164(e164: string): boolean {
  const known = validityCache.get(e164);
  if (known !== undefined) return known;
  const parsed = parsePhoneNumber(e164);
  const valid = parsed.ok && parsed.number.e164 === e164;
  validityCache.set(e164, valid);
  return valid;
}

/** A number numbergate stored once it had parsed it: parsed again, and a bug (not the caller's) if it no longer parses. */
export function parseStoredNumber(e164: string): ParsedPhoneNumber {
  const result = parsePhoneNumber(e164);
  if (!result.ok) throw new Error(`stored number ${e164} no longer parses: ${result.problem}`);
  return result.number;
}
