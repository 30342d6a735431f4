import type { CarrierCallOptions } from "../../domain/carrier-adapter.js";
import { CarrierError } from "../../domain/carrier-error.js";
import type {
  CarrierOrderLookup,
  CarrierOrderStatus,
  CarrierPurchaseRequest,
  CarrierReleaseLookup,
  CarrierReleaseRequest,
  CarrierReleaseResult,
  CarrierReleaseStatus,
} from "../../domain/carrier-lifecycle.js";
import type { ParsedPhoneNumber } from "../../domain/phone-number.js";
import type { CarrierHttpClient } from "../kit/carrier-http-client.js";
import { parseJsonBody } from "../kit/response-body.js";
import { twilioErrorFromResponse } from "./twilio-error.js";
import { listTwilioIncomingNumbers, twilioIncomingNumberSchema, type TwilioIncomingNumber } from "./twilio-owned-numbers.js";

const FORM = "application/x-www-form-urlencoded";
/** FriendlyName holds at most 64 characters. */
const FRIENDLY_NAME_MAX_LENGTH = 64;

/** The FriendlyName a purchase under this order reference carries: how the purchase is recognised later. */
export function twilioOrderFriendlyName(orderReference: string): string {
  return orderReference.slice(0, FRIENDLY_NAME_MAX_LENGTH);
}

/**
 * Buys one number: POST IncomingPhoneNumbers.json with PhoneNumber (never AreaCode, which is not idempotent).
 * FriendlyName carries numbergate's order reference so the purchase can be recognised later.
 */
export async function twilioPurchase(api: CarrierHttpClient, accountSid: string, request: CarrierPurchaseRequest, options: CarrierCallOptions): Promise<CarrierOrderStatus> {
  const [number] = request.numbers;
  if (!number || request.numbers.length !== 1) {
    throw new CarrierError({ kind: "invalid_request", carrierId: "twilio", operation: "purchase", message: "twilio buys exactly one number per request", requestMayHaveReachedCarrier: false });
  }
  const body = new URLSearchParams({ PhoneNumber: number.e164, FriendlyName: twilioOrderFriendlyName(request.orderReference) }).toString();
  const response = await api.request({
    method: "POST",
    path: `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers.json`,
    body,
    contentType: FORM,
    operation: "purchase",
    signal: options.signal,
  });
  if (response.status !== 201 && response.status !== 200) throw twilioErrorFromResponse(response, "purchase");
  const bought = parseJsonBody(response, twilioIncomingNumberSchema, "twilio", "purchase");
  return { carrierOrderId: bought.sid, state: "completed", purchased: [{ e164: bought.phone_number, carrierNumberId: bought.sid }], failed: [] };
}

/**
 * What became of purchases under an order reference. Twilio purchases are synchronous, so a number is bought by
 * this order exactly when the account holds it under the order's FriendlyName. A number on the account under
 * another name was already held (the purchase could not have bought it): failed. A number not on the account
 * at all is in neither list: Twilio has no trace of buying it. Undefined when no asked number is on the account.
 */
export async function twilioFindPurchase(api: CarrierHttpClient, accountSid: string, lookup: CarrierOrderLookup, options: CarrierCallOptions): Promise<CarrierOrderStatus | undefined> {
  const friendlyName = twilioOrderFriendlyName(lookup.orderReference);
  const asked = new Set(lookup.numbers.map((number) => number.e164));
  // One listing finds every number bought under the reference (an order of many numbers spans pages).
  const underReference = await listTwilioIncomingNumbers(api, accountSid, { FriendlyName: friendlyName }, "order_status", options);
  const purchased = new Map<string, string>();
  for (const entry of underReference) {
    if (entry.friendly_name === friendlyName && asked.has(entry.phone_number)) purchased.set(entry.phone_number, entry.sid);
  }
  const failed: CarrierOrderStatus["failed"][number][] = [];
  for (const number of lookup.numbers) {
    if (purchased.has(number.e164)) continue;
    const entry = await findOnAccount(api, accountSid, number, "order_status", options);
    if (!entry) continue;
    // Bought between the two listings: still this order's purchase.
    if (entry.friendly_name === friendlyName) purchased.set(entry.phone_number, entry.sid);
    else failed.push({ e164: number.e164, carrierCode: undefined, kind: "not_found", detail: "the account already held this number under another name; this order did not buy it" });
  }
  if (purchased.size === 0 && failed.length === 0) return undefined;
  const bought = [...purchased].map(([e164, carrierNumberId]) => ({ e164, carrierNumberId }));
  const state = bought.length === asked.size ? "completed" : bought.length > 0 ? "partial" : "failed";
  return { carrierOrderId: bought[0]?.carrierNumberId, state, purchased: bought, failed };
}

/** Releases a number, finding its sid first when numbergate does not have it. */
export async function twilioRelease(api: CarrierHttpClient, accountSid: string, request: CarrierReleaseRequest, options: CarrierCallOptions): Promise<CarrierReleaseResult> {
  const sid = request.carrierNumberId ?? (await findOnAccount(api, accountSid, request.number, "release", options))?.sid;
  if (!sid) return { state: "not_owned", carrierOrderId: undefined };
  const response = await api.request({
    method: "DELETE",
    path: `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers/${encodeURIComponent(sid)}.json`,
    operation: "release",
    signal: options.signal,
  });
  // DELETE is synchronous: 204 means the number is off the account; 404 that the account no longer holds it.
  if (response.status === 204 || response.status === 200) return { state: "completed", carrierOrderId: undefined };
  if (response.status === 404) return { state: "not_owned", carrierOrderId: undefined };
  throw twilioErrorFromResponse(response, "release");
}

/**
 * Whether a release whose answer was lost happened: the number still on the account under the same sid is
 * still owned; gone (or held under another sid, so bought again since) means the release completed. Without a
 * sid to compare, any holding of the number counts as still owned.
 */
export async function twilioReleaseStatus(api: CarrierHttpClient, accountSid: string, lookup: CarrierReleaseLookup, options: CarrierCallOptions): Promise<CarrierReleaseStatus> {
  const entry = await findOnAccount(api, accountSid, lookup.number, "order_status", options);
  if (!entry) return { state: "completed" };
  return lookup.carrierNumberId === undefined || entry.sid === lookup.carrierNumberId ? { state: "still_owned" } : { state: "completed" };
}

/** The account's IncomingPhoneNumber for exactly this number, if it holds one. */
async function findOnAccount(api: CarrierHttpClient, accountSid: string, number: ParsedPhoneNumber, operation: string, options: CarrierCallOptions): Promise<TwilioIncomingNumber | undefined> {
  // The PhoneNumber filter also matches partially, so the exact number is picked from the list.
  const listed = await listTwilioIncomingNumbers(api, accountSid, { PhoneNumber: number.e164 }, operation, options);
  return listed.find((entry) => entry.phone_number === number.e164);
}
