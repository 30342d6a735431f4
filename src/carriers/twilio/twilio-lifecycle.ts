import { z } from "zod";
import type { CarrierOrderLookup, CarrierOrderStatus, CarrierPurchaseRequest, CarrierReleaseResult } from "../../domain/carrier-lifecycle.js";
import { CarrierError } from "../../domain/carrier-error.js";
import type { CarrierCallOptions } from "../../domain/carrier-adapter.js";
import type { CarrierHttpClient } from "../kit/carrier-http-client.js";
import { parseJsonBody } from "../kit/response-body.js";
import { twilioErrorFromResponse } from "./twilio-error.js";

const incomingNumberSchema = z.object({ sid: z.string(), phone_number: z.string(), friendly_name: z.string().nullish() });
const incomingNumbersPageSchema = z.object({ incoming_phone_numbers: z.array(incomingNumberSchema) });

const FORM = "application/x-www-form-urlencoded";

/**
 * Buys one number: POST IncomingPhoneNumbers.json with PhoneNumber (never AreaCode, which is not idempotent).
 * FriendlyName carries numbergate's order reference so the purchase can be recognised later.
 */
export async function twilioPurchase(api: CarrierHttpClient, accountSid: string, request: CarrierPurchaseRequest, options: CarrierCallOptions): Promise<CarrierOrderStatus> {
  const [number] = request.numbers;
  if (!number || request.numbers.length !== 1) {
    throw new CarrierError({ kind: "invalid_request", carrierId: "twilio", operation: "purchase", message: "twilio buys exactly one number per request", requestMayHaveReachedCarrier: false });
  }
  const body = new URLSearchParams({ PhoneNumber: number.e164, FriendlyName: request.orderReference.slice(0, 64) }).toString();
  const response = await api.request({
    method: "POST",
    path: `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers.json`,
    body,
    contentType: FORM,
    operation: "purchase",
    signal: options.signal,
  });
  if (response.status !== 201 && response.status !== 200) throw twilioErrorFromResponse(response, "purchase");
  const bought = parseJsonBody(response, incomingNumberSchema, "twilio", "purchase");
  return { carrierOrderId: bought.sid, state: "completed", purchased: [{ e164: bought.phone_number, carrierNumberId: bought.sid }], failed: [] };
}

/** Whether the account owns the number now (Twilio purchases are synchronous: owned means bought). */
export async function twilioFindPurchase(api: CarrierHttpClient, accountSid: string, lookup: CarrierOrderLookup, options: CarrierCallOptions): Promise<CarrierOrderStatus | undefined> {
  const purchased: { e164: string; carrierNumberId: string }[] = [];
  for (const number of lookup.numbers) {
    const response = await api.request({
      method: "GET",
      path: `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers.json`,
      query: { PhoneNumber: number.e164, PageSize: 20 },
      operation: "order_status",
      signal: options.signal,
    });
    if (response.status !== 200) throw twilioErrorFromResponse(response, "order_status");
    const owned = parseJsonBody(response, incomingNumbersPageSchema, "twilio", "order_status").incoming_phone_numbers.find(
      (candidate) => candidate.phone_number === number.e164,
    );
    if (owned) purchased.push({ e164: owned.phone_number, carrierNumberId: owned.sid });
  }
  if (purchased.length === 0) return undefined;
  return { carrierOrderId: purchased[0]?.carrierNumberId, state: purchased.length === lookup.numbers.length ? "completed" : "partial", purchased, failed: [] };
}

/** DELETE IncomingPhoneNumbers/{Sid}.json; a 404 means the account no longer holds it. */
export async function twilioRelease(api: CarrierHttpClient, accountSid: string, sid: string, options: CarrierCallOptions): Promise<CarrierReleaseResult> {
  const response = await api.request({
    method: "DELETE",
    path: `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers/${encodeURIComponent(sid)}.json`,
    operation: "release",
    signal: options.signal,
  });
  if (response.status === 204 || response.status === 200) return { state: "completed", carrierOrderId: undefined };
  if (response.status === 404) return { state: "not_owned", carrierOrderId: undefined };
  throw twilioErrorFromResponse(response, "release");
}
