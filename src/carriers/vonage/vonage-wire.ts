import { z } from "zod";
import type { Capability, NumberType } from "../../domain/numbers.js";

/**
 * Vonage's Numbers API on the wire (vonage.md; vonage/numbers.yml): JSON answers, form-encoded writes, numbers
 * (`msisdn`) as E.164 digits without the leading "+". Schemas hold only what numbergate reads.
 */

/** `error-code` is a string in the spec ("200", "401", "420"); a number is read the same way. */
const errorCodeSchema = z.union([z.string(), z.number()]).transform(String);

/** The legacy status body of POST /number/buy and /number/cancel (and of 401s): `{"error-code","error-code-label"}`. */
export const vonageStatusBodySchema = z.object({
  "error-code": errorCodeSchema,
  "error-code-label": z.string().optional(),
});

/** RFC 7807 problem body of newer Vonage APIs and the SDKs' shared HTTP client, e.g. the 429 fixture (vonage.md, Errors). */
export const vonageProblemBodySchema = z.object({
  type: z.string(),
  title: z.string().optional(),
  detail: z.string().optional(),
});

/** One item of GET /number/search (schema `availablenumber`). */
export const vonageAvailableNumberSchema = z.object({
  country: z.string().optional(),
  msisdn: z.string(),
  type: z.string().optional(),
  /** Monthly rental, a decimal string in EUR. */
  cost: z.string().optional(),
  /** Setup fee, a decimal string in EUR. */
  initialPrice: z.string().optional(),
  features: z.array(z.string()).optional(),
});
export type VonageAvailableNumber = z.infer<typeof vonageAvailableNumberSchema>;

/** GET /number/search: `count` is the total across pages; a body without `numbers` is an empty result (vonage.md [V6]). */
export const vonageAvailableNumbersPageSchema = z.object({
  count: z.number().int().nonnegative().optional(),
  numbers: z.array(vonageAvailableNumberSchema).optional(),
});

/** One item of GET /account/numbers (schema `ownednumber`): no price, no purchase date, no order reference. */
export const vonageOwnedNumberSchema = z.object({
  country: z.string().optional(),
  msisdn: z.string(),
  type: z.string().optional(),
  features: z.array(z.string()).optional(),
});
export type VonageOwnedNumber = z.infer<typeof vonageOwnedNumberSchema>;

export const vonageOwnedNumbersPageSchema = z.object({
  count: z.number().int().nonnegative().optional(),
  numbers: z.array(vonageOwnedNumberSchema).optional(),
});

/** `size` of both lists: "maximum: 100", default 10 (spec parameter `size`). */
export const VONAGE_MAX_PAGE_SIZE = 100;

export type VonageNumberType = "landline" | "mobile-lvn" | "landline-toll-free";

export function vonageNumberType(numberType: NumberType): VonageNumberType {
  switch (numberType) {
    case "local":
      return "landline";
    case "toll_free":
      return "landline-toll-free";
    case "mobile":
      return "mobile-lvn";
  }
}

/** numbergate's number type of a Vonage `type`; undefined for a value the spec does not list. */
export function numberTypeFromVonage(type: string | undefined): NumberType | undefined {
  switch (type) {
    case "landline":
      return "local";
    case "landline-toll-free":
      return "toll_free";
    case "mobile-lvn":
      return "mobile";
    default:
      return undefined;
  }
}

/** The capabilities Vonage numbers can have: its features are SMS, VOICE and MMS; there is no fax. */
export const VONAGE_CAPABILITIES: readonly Capability[] = ["voice", "sms", "mms"];

/**
 * The `features` value for a set of capabilities. The spec enumerates exactly these strings, and the node SDK
 * re-orders any combination into them because the "API expects these as a CSV in a specific order" (vonage.md [V5]):
 * note VOICE,MMS but SMS,MMS,VOICE.
 */
const FEATURES_PARAMETER: Readonly<Record<string, string>> = {
  sms: "SMS",
  voice: "VOICE",
  "sms,voice": "SMS,VOICE",
  mms: "MMS",
  "mms,sms": "SMS,MMS",
  "mms,voice": "VOICE,MMS",
  "mms,sms,voice": "SMS,MMS,VOICE",
};

/** Every value the spec allows for `features`. */
export const VONAGE_FEATURES_VALUES: readonly string[] = Object.values(FEATURES_PARAMETER);

/** The `features` parameter for capabilities among voice, sms and mms; undefined when none is asked for. */
export function vonageFeaturesParameter(capabilities: readonly Capability[]): string | undefined {
  const key = [...new Set(capabilities)].sort().join(",");
  return key === "" ? undefined : FEATURES_PARAMETER[key];
}

export function capabilitiesFromVonage(features: readonly string[] | undefined): Capability[] {
  const reported = new Set((features ?? []).map((feature) => feature.toUpperCase()));
  return VONAGE_CAPABILITIES.filter((capability) => reported.has(capability.toUpperCase()));
}

const MSISDN = /^[1-9][0-9]{6,14}$/;

/** E.164 ("+447700900000") as Vonage writes it ("447700900000"). */
export function toMsisdn(e164: string): string {
  return e164.startsWith("+") ? e164.slice(1) : e164;
}

/** A Vonage msisdn as E.164; undefined when it is not E.164 digits. */
export function msisdnToE164(msisdn: string): string | undefined {
  return MSISDN.test(msisdn) ? `+${msisdn}` : undefined;
}
