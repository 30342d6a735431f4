import { z } from "zod";
import type { Capability, MoneyAmount, NumberType } from "../../domain/numbers.js";

/**
 * Plivo's JSON bodies, as far as numbergate reads them. Plivo publishes no OpenAPI document: these follow the
 * derived, unofficial spec in provider-specs/plivo/numbers.derived.openapi.yaml and the example bodies beside
 * it (plivo.md). Only the fields the adapter reads are declared; every other field passes.
 */

/** Plivo's POST bodies are JSON, as both official SDKs send them (plivo.md, Basics). */
export const PLIVO_JSON = "application/json";

/** "Default 300 API requests per 5 seconds per account" (plivo.md, Rate limits [P11]): 60 per second. */
export const PLIVO_REQUESTS_PER_SECOND = 60;

/** `limit` is 1 to 20 on every list (plivo.md, Pagination). */
export const PLIVO_MAX_PAGE_SIZE = 20;

/** Every error body: `{"api_id": "...", "error": "..."}`; `error` is a string, occasionally an object. */
export const plivoErrorBodySchema = z.object({
  api_id: z.string().optional(),
  error: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
});

/** `meta` of every list answer; `next` is a relative URI (`/v1/Account/MA.../Number/?limit=3&offset=3`) or null. */
export const plivoMetaSchema = z.object({
  limit: z.number().int().optional(),
  offset: z.number().int().optional(),
  total_count: z.number().int().optional(),
  next: z.string().nullish(),
});

/** An item of GET PhoneNumber/ (`AvailablePhoneNumber`); prices are decimal strings in USD. */
export const plivoAvailableNumberSchema = z.object({
  number: z.string(),
  city: z.string().nullish(),
  region: z.string().nullish(),
  rate_center: z.string().nullish(),
  type: z.string().nullish(),
  sub_type: z.string().nullish(),
  monthly_rental_rate: z.string().nullish(),
  voice_enabled: z.boolean().nullish(),
  sms_enabled: z.boolean().nullish(),
  mms_enabled: z.boolean().nullish(),
  restriction: z.string().nullish(),
});
export type PlivoAvailableNumber = z.infer<typeof plivoAvailableNumberSchema>;

export const plivoAvailableNumbersPageSchema = z.object({
  meta: plivoMetaSchema.optional(),
  objects: z.array(plivoAvailableNumberSchema),
});
export type PlivoAvailableNumbersPage = z.infer<typeof plivoAvailableNumbersPageSchema>;

/** POST PhoneNumber/{number}/ answers 201 with one entry per number: status "Success", or "pending" (documents). */
export const plivoBuyResponseSchema = z.object({
  api_id: z.string().optional(),
  status: z.string().optional(),
  numbers: z.array(z.object({ number: z.string(), status: z.string() })).default([]),
});

/** A number on the account (`AccountPhoneNumber`): GET Number/{number}/ and the items of GET Number/. */
export const plivoAccountNumberSchema = z.object({
  number: z.string(),
  number_type: z.string().nullish(),
  added_on: z.string().nullish(),
  active: z.boolean().nullish(),
  compliance_status: z.string().nullish(),
  voice_enabled: z.boolean().nullish(),
  sms_enabled: z.boolean().nullish(),
  mms_enabled: z.boolean().nullish(),
});
export type PlivoAccountNumber = z.infer<typeof plivoAccountNumberSchema>;

export const plivoAccountNumbersPageSchema = z.object({
  meta: plivoMetaSchema.optional(),
  objects: z.array(plivoAccountNumberSchema),
});

/** Plivo writes numbers as E.164 digits without "+" (plivo.md, Basics): "14154009186". */
export function plivoDigits(e164: string): string {
  return e164.startsWith("+") ? e164.slice(1) : e164;
}

/** The E.164 form of Plivo's digits; undefined when they are not 6 to 15 digits starting with 1-9. */
export function e164FromPlivo(digits: string): string | undefined {
  return /^[1-9][0-9]{5,14}$/.test(digits) ? `+${digits}` : undefined;
}

/** Plivo's `type` search parameter for a number type (plivo.md: local, national, tollfree, mobile, fixed). */
export function plivoSearchType(numberType: NumberType): "local" | "tollfree" | "mobile" {
  switch (numberType) {
    case "local":
      return "local";
    case "toll_free":
      return "tollfree";
    case "mobile":
      return "mobile";
  }
}

/** numbergate's number type for Plivo's `type`/`sub_type`/`number_type` (fixed, local, national, tollfree, mobile). */
export function numberTypeFromPlivo(type: string | null | undefined): NumberType | undefined {
  switch (type?.toLowerCase()) {
    case "tollfree":
    case "toll-free":
      return "toll_free";
    case "mobile":
      return "mobile";
    case "fixed":
    case "local":
    case "national":
      return "local";
    default:
      return undefined;
  }
}

export function plivoCapabilities(number: Pick<PlivoAvailableNumber, "voice_enabled" | "sms_enabled" | "mms_enabled">): Capability[] {
  const capabilities: Capability[] = [];
  if (number.voice_enabled) capabilities.push("voice");
  if (number.sms_enabled) capabilities.push("sms");
  if (number.mms_enabled) capabilities.push("mms");
  return capabilities;
}

/**
 * A Plivo rate ("0.80000", USD: plivo.md, Search) in integer cents, read digit by digit so no binary fraction can
 * round it. A remainder below a cent ("0.80500") rounds up: a price is never understated to a price filter.
 * Undefined when the text is not a plain non-negative decimal.
 */
export function usdMonthlyPrice(rate: string | null | undefined): MoneyAmount | undefined {
  const match = rate === null || rate === undefined ? null : /^([0-9]{1,9})(?:\.([0-9]+))?$/.exec(rate.trim());
  if (!match) return undefined;
  const [, whole = "0", fraction = ""] = match;
  const cents = Number(whole) * 100 + Number(fraction.padEnd(2, "0").slice(0, 2));
  const belowACent = /[1-9]/.test(fraction.slice(2));
  return { currencyCode: "USD", amountCents: belowACent ? cents + 1 : cents };
}
