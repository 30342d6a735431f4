import { parsePhoneNumber } from "../../domain/phone-number.js";
import { EMULATED_TOLL_FREE_CODES } from "../emulator-kit/inventory.js";
import type { PortabilityNumberType } from "./twilio-emulator-porting-model.js";

/** What the emulator knows about a number when it judges whether it can be ported in. */
export interface PortabilityContext {
  /** The account owns it, or it is in a port-in request of the account that is still moving. */
  readonly inTargetAccount: (e164: string) => boolean;
  /** It is one of Twilio's own numbers (the emulator's stock, for sale or held by another customer). */
  readonly inTwilioStock: (e164: string) => boolean;
}

export interface Portability {
  readonly portable: boolean;
  readonly numberType: PortabilityNumberType;
  readonly pinAndAccountNumberRequired: boolean;
  readonly notPortableReason: string | null;
  readonly notPortableReasonCode: number | null;
  /** ISO 3166-1 alpha-2, when the number is valid. */
  readonly country: string | null;
}

/** Alaska: the emulated network does not reach its rate centers, so Twilio's porting team must port them by hand. */
const MANUAL_ONLY_AREA_CODES: ReadonlySet<string> = new Set(["907"]);

/**
 * The emulator's deterministic portability rule, with the reason codes of Twilio's Portability API page (twilio.md [S9]):
 * - a number outside the US: not portable, 22130 UNSUPPORTED (the Porting API is US only);
 * - toll-free (800, 833, 844, 855, 866, 877, 888): not portable through the API, 22133 MANUAL_PORTING_AVAILABLE, as in
 *   the spec's own example for +18001234567;
 * - a number the account owns or is already porting in: 22131 ALREADY_IN_THE_TARGET_ACCOUNT;
 * - one of Twilio's own numbers (the emulator's stock): 22132 ALREADY_IN_TWILIO_DIFFERENT_OWNER;
 * - area code 907: 22133 MANUAL_PORTING_AVAILABLE;
 * - anything else is portable; its exchange (digits 4 to 6) starting with 9 makes it MOBILE, which needs the losing
 *   carrier's PIN and account number ("If the phone number is a US mobile phone number, the PIN is mandatory"), else LOCAL.
 */
export function portabilityOf(e164: string, context: PortabilityContext): Portability {
  const parsed = parsePhoneNumber(e164);
  const national = parsed.ok ? parsed.number.nationalNumber : "";
  if (!parsed.ok || parsed.number.countryCode !== "US") return { ...notPortable("UNKNOWN", "UNSUPPORTED", 22130), country: parsed.ok ? (parsed.number.countryCode ?? null) : null };
  const areaCode = national.slice(0, 3);
  if (EMULATED_TOLL_FREE_CODES.includes(areaCode)) return notPortable("TOLL-FREE", "MANUAL_PORTING_AVAILABLE", 22133);
  const numberType: PortabilityNumberType = national.charAt(3) === "9" ? "MOBILE" : "LOCAL";
  if (context.inTargetAccount(e164)) return notPortable(numberType, "ALREADY_IN_THE_TARGET_ACCOUNT", 22131);
  if (context.inTwilioStock(e164)) return notPortable(numberType, "ALREADY_IN_TWILIO_DIFFERENT_OWNER", 22132);
  if (MANUAL_ONLY_AREA_CODES.has(areaCode)) return notPortable(numberType, "MANUAL_PORTING_AVAILABLE", 22133);
  return { portable: true, numberType, pinAndAccountNumberRequired: numberType === "MOBILE", notPortableReason: null, notPortableReasonCode: null, country: "US" };
}

function notPortable(numberType: PortabilityNumberType, reason: string, code: number): Portability {
  return { portable: false, numberType, pinAndAccountNumberRequired: numberType === "MOBILE", notPortableReason: reason, notPortableReasonCode: code, country: "US" };
}

/** The Portability resource (`numbers.v1.porting_portability`) for a number. */
export function portabilityResource(e164: string, portability: Portability, accountSid: string, url: string): Record<string, unknown> {
  return {
    phone_number: e164,
    // "only returned for phone numbers that already exist in Twilio's inventory and belong to your account"
    account_sid: portability.notPortableReasonCode === 22131 ? accountSid : null,
    portable: portability.portable,
    pin_and_account_number_required: portability.pinAndAccountNumberRequired,
    not_portable_reason: portability.notPortableReason,
    not_portable_reason_code: portability.notPortableReasonCode,
    number_type: portability.numberType,
    country: portability.country,
    url,
  };
}
