import { json, type EmulatorRequest, type EmulatorResponse } from "../emulator-kit/carrier-emulator.js";
import type { TelnyxEmulatedAccount } from "./telnyx-emulator-account.js";
import { E164, missingParameter, readJsonObject, unknownField, unprocessable } from "./telnyx-emulator-common.js";
import { isFastPortCarrier, losingCarrierOf, nanpAreaCode } from "./telnyx-emulator-porting-model.js";

export interface Portability {
  readonly portable: boolean;
  /** Empty when portable, as the spec says. */
  readonly reason: string;
  readonly fastPortable: boolean;
}

/**
 * The emulator's portability rule, the same for checks and for porting orders:
 * - only US/CA numbers (+1, a 10-digit NANP number) can be ported in; any other number has "No coverage";
 * - a number Telnyx itself sells (the emulator's catalogue) is already with Telnyx, and one on this account is
 *   already the account's: neither can be ported in;
 * - every other +1 number is portable, from the losing carrier its area code names (LOSING_CARRIERS), and FastPort
 *   eligible when that carrier takes part in FastPort.
 */
export function portabilityOf(account: TelnyxEmulatedAccount, e164: string): Portability {
  const areaCode = nanpAreaCode(e164);
  if (areaCode === undefined) return { portable: false, reason: "No coverage", fastPortable: false };
  if (account.heldRecordOf(e164) !== undefined) return { portable: false, reason: "Phone number is already on your account", fastPortable: false };
  if (account.catalog.has(e164)) return { portable: false, reason: "Phone number is already with Telnyx", fastPortable: false };
  return { portable: true, reason: "", fastPortable: isFastPortCarrier(losingCarrierOf(areaCode)) };
}

/**
 * Reads a `phone_numbers` list of +E.164 strings (PostPortabilityCheck, CreatePortingOrder): required, non-empty,
 * each +E.164 (10016) and named once.
 */
export function readPhoneNumberList(value: unknown): { ok: true; numbers: string[] } | { ok: false; response: EmulatorResponse } {
  if (value === undefined) return { ok: false, response: missingParameter("/phone_numbers") };
  if (!Array.isArray(value) || value.length === 0) return { ok: false, response: unprocessable("10015", "Bad Request", "phone_numbers must be a non-empty array.", "/phone_numbers") };
  const numbers: string[] = [];
  for (const [index, item] of value.entries()) {
    const pointer = `/phone_numbers/${index}`;
    if (typeof item !== "string" || !E164.test(item)) return { ok: false, response: unprocessable("10016", "Phone number must be in +E.164 format", "The phone number must be in +E.164 format.", pointer) };
    if (numbers.includes(item)) return { ok: false, response: unprocessable("10015", "Bad Request", `${item} is listed twice.`, pointer) };
    numbers.push(item);
  }
  return { ok: true, numbers };
}

/** POST /portability_checks: answered at once, 201, one PortabilityCheckDetails per number in the order asked. */
export function checkPortability(account: TelnyxEmulatedAccount, request: EmulatorRequest): EmulatorResponse {
  const read = readJsonObject(request);
  if (!read.ok) return read.response;
  const unknown = unknownField(read.body, ["phone_numbers"]);
  if (unknown) return unknown;
  const list = readPhoneNumberList(read.body["phone_numbers"]);
  if (!list.ok) return list.response;
  return json(201, {
    data: list.numbers.map((phoneNumber) => {
      const portability = portabilityOf(account, phoneNumber);
      return { record_type: "portability_check_result", phone_number: phoneNumber, portable: portability.portable, not_portable_reason: portability.reason, fast_portable: portability.fastPortable };
    }),
  });
}
