import type { NumberPattern } from "./numbers.js";

export const MAX_PATTERN_LENGTH = 16;

export type PatternParseResult =
  | { readonly ok: true; readonly pattern: NumberPattern }
  | { readonly ok: false; readonly problem: string };

/**
 * Reads numbergate's search pattern: digits with `*` ("any digits") at the start and/or end,
 * matched against the national number. "*1234" ends with 1234, "212555*" starts with 212555,
 * "*555*" and "555" contain 555. Carriers each have their own syntax; adapters translate from this.
 */
export function parseNumberPattern(raw: string): PatternParseResult {
  if (raw.length > MAX_PATTERN_LENGTH) {
    return { ok: false, problem: `must be at most ${MAX_PATTERN_LENGTH} characters` };
  }
  const match = /^(\*?)([0-9]*)(\*?)$/.exec(raw);
  if (!match) {
    return {
      ok: false,
      problem: "may contain only digits, with `*` (any digits) at the start and/or the end, for example *1234",
    };
  }
  const [, leadingStar, digits = "", trailingStar] = match;
  if (digits.length < 2) {
    return { ok: false, problem: "needs at least 2 digits" };
  }
  if (leadingStar && !trailingStar) return { ok: true, pattern: { position: "ends_with", digits } };
  if (!leadingStar && trailingStar) return { ok: true, pattern: { position: "starts_with", digits } };
  return { ok: true, pattern: { position: "contains", digits } };
}

/** Whether a national number matches a pattern; used by emulators and to check carrier answers. */
export function nationalNumberMatches(nationalNumber: string, pattern: NumberPattern): boolean {
  switch (pattern.position) {
    case "starts_with":
      return nationalNumber.startsWith(pattern.digits);
    case "ends_with":
      return nationalNumber.endsWith(pattern.digits);
    case "contains":
      return nationalNumber.includes(pattern.digits);
  }
}
