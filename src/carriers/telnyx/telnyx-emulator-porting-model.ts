import { createHash } from "node:crypto";
import { z } from "zod";

/** PortingOrderStatus.value, in the spec's words (telnyx.md, Porting). */
export const PORTING_STATUSES = ["draft", "in-process", "submitted", "exception", "foc-date-confirmed", "ported", "cancelled", "cancel-pending"] as const;
export type PortingStatus = (typeof PORTING_STATUSES)[number];

/** PortingOrdersExceptionType: every code of the spec's enum, with the emulator's description of it. */
export const EXCEPTION_TYPES = {
  ACCOUNT_NUMBER_MISMATCH: "Account number does not match that on the CSR",
  AUTH_PERSON_MISMATCH: "Authorized person does not match that on the CSR",
  BTN_ATN_MISMATCH: "Billing telephone number does not match that on the CSR",
  ENTITY_NAME_MISMATCH: "Entity name does not match that on the CSR",
  FOC_EXPIRED: "The FOC date has expired",
  FOC_REJECTED: "The FOC date was rejected by the losing carrier",
  LOCATION_MISMATCH: "Service address does not match that on the CSR",
  LSR_PENDING: "The local service request is pending with the losing carrier",
  MAIN_BTN_PORTING: "The main billing telephone number is being ported",
  OSP_IRRESPONSIVE: "The old service provider does not respond",
  OTHER: "Other exception",
  PASSCODE_PIN_INVALID: "PIN/passcode is invalid",
  PHONE_NUMBER_HAS_SPECIAL_FEATURE: "A phone number has a special feature that prevents porting",
  PHONE_NUMBER_MISMATCH: "A phone number does not belong to the account on the CSR",
  PHONE_NUMBER_NOT_PORTABLE: "A phone number is not portable",
  PORT_TYPE_INCORRECT: "The port type (full or partial) is incorrect",
  PORTING_ORDER_SPLIT_REQUIRED: "The porting order must be split",
  POSTAL_CODE_MISMATCH: "Postal code does not match that on the CSR",
  RATE_CENTER_NOT_PORTABLE: "The rate center is not portable",
  SV_CONFLICT: "Subscription version conflict",
  SV_UNKNOWN_FAILURE: "Subscription version failed for an unknown reason",
} as const;
export type ExceptionCode = keyof typeof EXCEPTION_TYPES;
const EXCEPTION_CODES = Object.keys(EXCEPTION_TYPES) as [ExceptionCode, ...ExceptionCode[]];

const nullableText = z.string().nullable();

/**
 * A porting order as the emulator keeps it (and saves it). The sub-objects a PATCH edits (admin, location, documents,
 * misc, phone number configuration, user feedback) keep the wire's snake_case keys, so that a PATCH merges into them
 * and an answer shows them as they are.
 */
export const portingOrderSchema = z.object({
  id: z.string(),
  /** Creation order: orders created in the same millisecond still sort by it. */
  sequence: z.number().int().nonnegative(),
  customerReference: nullableText,
  customerGroupReference: nullableText,
  oldServiceProvider: z.string(),
  phoneNumberType: z.enum(["local", "toll_free"]),
  phoneNumbers: z.array(z.string()),
  status: z.enum(PORTING_STATUSES),
  /** status.details: the exceptions an `exception` order stands on. */
  exceptions: z.array(z.enum(EXCEPTION_CODES)),
  supportKey: nullableText,
  parentSupportKey: nullableText,
  /** GETs of the order since its status last changed (the walk moves on them). */
  polls: z.number().int().nonnegative(),
  focDatetimeRequested: nullableText,
  focDatetimeActual: nullableText,
  admin: z.object({
    account_number: nullableText,
    auth_person_name: nullableText,
    billing_phone_number: nullableText,
    business_identifier: nullableText,
    entity_name: nullableText,
    pin_passcode: nullableText,
    tax_identifier: nullableText,
  }),
  location: z.object({
    administrative_area: nullableText,
    country_code: nullableText,
    extended_address: nullableText,
    locality: nullableText,
    postal_code: nullableText,
    street_address: nullableText,
  }),
  documents: z.object({ loa: nullableText, invoice: nullableText }),
  misc: z.object({ type: z.enum(["full", "partial"]), remaining_numbers_action: z.enum(["keep", "disconnect"]).nullable(), new_billing_phone_number: nullableText }).nullable(),
  phoneNumberConfiguration: z.object({
    billing_group_id: nullableText,
    connection_id: nullableText,
    emergency_address_id: nullableText,
    messaging_profile_id: nullableText,
    tags: z.array(z.string()),
  }),
  enableMessaging: z.boolean(),
  userFeedback: z.object({ user_comment: nullableText, user_rating: z.number().int().nullable() }),
  webhookUrl: nullableText,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type EmulatedPortingOrder = z.infer<typeof portingOrderSchema>;

/**
 * The losing carriers of the emulated world. A NANP number's losing carrier is picked by its area code
 * (`LOSING_CARRIERS[areaCode % 3]`), so the numbers of one area code always leave the same carrier. The first one
 * takes part in Telnyx's FastPort; the others do not.
 */
export const LOSING_CARRIERS = ["Unreal Communications", "Imaginary Telecom", "Fictional Wireless"] as const;
const TOLL_FREE_AREA_CODES = new Set(["800", "833", "844", "855", "866", "877", "888"]);

/** The 3-digit area code of a +1 number, or undefined for other numbers. */
export function nanpAreaCode(e164: string): string | undefined {
  return /^\+1[2-9][0-9]{9}$/.test(e164) ? e164.slice(2, 5) : undefined;
}

export function losingCarrierOf(areaCode: string): (typeof LOSING_CARRIERS)[number] {
  return LOSING_CARRIERS[Number(areaCode) % LOSING_CARRIERS.length] ?? LOSING_CARRIERS[0];
}

export function isFastPortCarrier(carrier: string): boolean {
  return carrier === LOSING_CARRIERS[0];
}

export function numberTypeOf(areaCode: string): "local" | "toll_free" {
  return TOLL_FREE_AREA_CODES.has(areaCode) ? "toll_free" : "local";
}

/** A uuid derived from a name: the same on every start, so ids handed out before a restart still mean the same. */
export function stableUuid(name: string): string {
  const hex = createHash("sha256").update(name).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Statuses whose numbers are taken: another porting order may not name them. */
export function holdsItsNumbers(order: EmulatedPortingOrder): boolean {
  return order.status !== "cancelled" && order.status !== "ported";
}
