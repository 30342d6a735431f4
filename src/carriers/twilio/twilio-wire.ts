import { z } from "zod";
import type { NumberSearchCriteria, NumberType } from "../../domain/numbers.js";

/** Twilio's REST error body (schema `twilio.error` in twilio/api_v2010.trimmed.json). */
export const twilioErrorBodySchema = z.object({
  code: z.number().int(),
  message: z.string(),
  more_info: z.string().optional(),
  status: z.number().int().optional(),
});
export type TwilioErrorBody = z.infer<typeof twilioErrorBodySchema>;

const capabilitiesSchema = z
  .object({
    voice: z.boolean().optional(),
    sms: z.boolean().optional(),
    mms: z.boolean().optional(),
    fax: z.boolean().optional(),
  })
  .partial();

/** Only what the adapter reads from an AvailablePhoneNumber item: fewer fields, fewer breakages. */
export const twilioAvailableNumberSchema = z.object({
  phone_number: z.string(),
  locality: z.string().nullish(),
  region: z.string().nullish(),
  rate_center: z.string().nullish(),
  iso_country: z.string().nullish(),
  capabilities: capabilitiesSchema.nullish(),
});
export type TwilioAvailableNumber = z.infer<typeof twilioAvailableNumberSchema>;

export const twilioAvailableNumbersPageSchema = z.object({
  available_phone_numbers: z.array(twilioAvailableNumberSchema),
  uri: z.string().optional(),
});

export const twilioAccountSchema = z.object({
  sid: z.string(),
  // active | suspended | closed (account_enum_status)
  status: z.string().nullish(),
});

/**
 * What the adapter reads of the Portability resource (`numbers.v1.porting_portability`). Every field is nullable in
 * the spec; `number_type` stays a plain string so a type Twilio adds later reads as "not said" instead of failing.
 */
export const twilioPortabilitySchema = z.object({
  phone_number: z.string().nullish(),
  portable: z.boolean().nullish(),
  pin_and_account_number_required: z.boolean().nullish(),
  not_portable_reason: z.string().nullish(),
  not_portable_reason_code: z.number().int().nullish(),
  // LOCAL | UNKNOWN | MOBILE | TOLL-FREE (porting_portability_enum_number_type)
  number_type: z.string().nullish(),
});
export type TwilioPortability = z.infer<typeof twilioPortabilitySchema>;

/** The AvailablePhoneNumbers sub-resource for a number type. */
export function twilioNumberTypeResource(numberType: NumberType): "Local" | "TollFree" | "Mobile" {
  switch (numberType) {
    case "local":
      return "Local";
    case "toll_free":
      return "TollFree";
    case "mobile":
      return "Mobile";
  }
}

/**
 * numbergate's pattern in Twilio's `Contains` syntax, matched against the whole E.164 number:
 * `+` anchors the start (so the country code must follow it), `$` anchors the end.
 */
export function twilioContainsPattern(criteria: NumberSearchCriteria, callingCode: string): string | undefined {
  const { pattern } = criteria;
  if (!pattern) return undefined;
  switch (pattern.position) {
    case "ends_with":
      return `${pattern.digits}$`;
    case "starts_with":
      return `+${callingCode}${pattern.digits}`;
    case "contains":
      return pattern.digits;
  }
}

/** Twilio accepts 2 to 16 characters in `Contains`. */
export const TWILIO_CONTAINS_MAX_LENGTH = 16;

/** Query parameters of GET .../AvailablePhoneNumbers/{Country}/{Type}.json, PascalCase as Twilio wants. */
export function twilioSearchQuery(
  criteria: NumberSearchCriteria,
  contains: string | undefined,
): Record<string, string | number | boolean | undefined> {
  const wants = new Set(criteria.features);
  return {
    AreaCode: criteria.areaCode,
    Contains: contains,
    InLocality: criteria.city,
    InRegion: criteria.region,
    // Only constrain what the caller asked for: false would exclude numbers that can do more.
    VoiceEnabled: wants.has("voice") ? true : undefined,
    SmsEnabled: wants.has("sms") ? true : undefined,
    MmsEnabled: wants.has("mms") ? true : undefined,
    FaxEnabled: wants.has("fax") ? true : undefined,
    PageSize: Math.min(Math.max(criteria.limit, 1), 1000),
  };
}
