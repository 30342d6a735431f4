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
import { readVonageBody, vonageErrorFromResponse } from "./vonage-error.js";
import { findVonageOwnedNumber } from "./vonage-owned-numbers.js";
import type { VonagePurchaseLedger } from "./vonage-purchase-ledger.js";
import { toMsisdn, vonageStatusBodySchema } from "./vonage-wire.js";

/** POST /number/buy and /number/cancel take a form body, never JSON (vonage.md, Basics). */
const FORM = "application/x-www-form-urlencoded";

export interface VonageAccount {
  readonly api: CarrierHttpClient;
  readonly ledger: VonagePurchaseLedger;
}

function refusedBeforeSending(operation: string, message: string): CarrierError {
  return new CarrierError({ kind: "invalid_request", carrierId: "vonage", operation, message, requestMayHaveReachedCarrier: false });
}

/** The ISO country both writes need next to the msisdn (`number-details` requires it). */
function countryOf(number: ParsedPhoneNumber, operation: string): string {
  if (number.countryCode === undefined) throw refusedBeforeSending(operation, `vonage needs the country of ${number.e164}, and it has none`);
  return number.countryCode;
}

/**
 * Buys one number, synchronously: first asks whether the account already holds it (never sending a buy for such a
 * number), then POST /number/buy with country and msisdn. Success means the number is on the account; Vonage has no
 * order object or id (vonage.md, Buy). A failure of the ownership check is reported as never sent: the buy did not
 * leave numbergate, so the purchase may be tried again.
 */
export async function vonagePurchase(account: VonageAccount, request: CarrierPurchaseRequest, options: CarrierCallOptions): Promise<CarrierOrderStatus> {
  const [number] = request.numbers;
  if (!number || request.numbers.length !== 1) throw refusedBeforeSending("purchase", "vonage buys exactly one number per request");
  const country = countryOf(number, "purchase");
  account.ledger.checking(request.orderReference, number.e164);
  let alreadyHeld: boolean;
  try {
    alreadyHeld = (await findVonageOwnedNumber(account.api, number, "purchase", options)) !== undefined;
  } catch (error) {
    throw CarrierError.is(error) ? withoutBuySent(error) : error;
  }
  if (alreadyHeld) {
    return {
      carrierOrderId: undefined,
      state: "failed",
      purchased: [],
      failed: [{ e164: number.e164, carrierCode: undefined, kind: "not_found", detail: "the vonage account already holds this number; no buy was sent" }],
    };
  }
  account.ledger.sent(request.orderReference, number.e164);
  const response = await account.api.request({
    method: "POST",
    path: "/number/buy",
    body: new URLSearchParams({ country, msisdn: toMsisdn(number.e164) }).toString(),
    contentType: FORM,
    operation: "purchase",
    signal: options.signal,
  });
  readVonageBody(response, vonageStatusBodySchema, "purchase");
  return { carrierOrderId: undefined, state: "completed", purchased: [{ e164: number.e164, carrierNumberId: toMsisdn(number.e164) }], failed: [] };
}

/** The ownership check failed: the same error, truthfully marked as a purchase that never left numbergate. */
function withoutBuySent(error: CarrierError): CarrierError {
  return new CarrierError({
    kind: error.kind,
    carrierId: error.carrierId,
    operation: "purchase",
    message: `${error.message}; no buy was sent`,
    httpStatus: error.httpStatus,
    carrierCode: error.carrierCode,
    carrierMessage: error.carrierMessage,
    retryAfterMs: error.retryAfterMs,
    requestMayHaveReachedCarrier: false,
    cause: error,
  });
}

/**
 * What became of an order's buys, number by number (see the rule in vonage-adapter.ts): a number not on the account
 * is in neither list (Vonage has no trace of buying it); one on the account was bought by this order unless this
 * process knows the order sent no buy for it (failed). Undefined when no asked number is on the account.
 */
export async function vonageFindPurchase(account: VonageAccount, lookup: CarrierOrderLookup, options: CarrierCallOptions): Promise<CarrierOrderStatus | undefined> {
  const purchased: CarrierOrderStatus["purchased"][number][] = [];
  const failed: CarrierOrderStatus["failed"][number][] = [];
  for (const number of lookup.numbers) {
    const entry = await findVonageOwnedNumber(account.api, number, "order_status", options);
    if (!entry) continue;
    if (account.ledger.progress(lookup.orderReference, number.e164) === "checking") {
      failed.push({ e164: number.e164, carrierCode: undefined, kind: "not_found", detail: "the vonage account holds this number, but this order never sent a buy for it" });
    } else {
      purchased.push({ e164: number.e164, carrierNumberId: entry.msisdn });
    }
  }
  if (purchased.length === 0 && failed.length === 0) return undefined;
  // Buys are synchronous: nothing is ever pending at Vonage.
  const state = purchased.length === lookup.numbers.length ? "completed" : purchased.length > 0 ? "partial" : "failed";
  return { carrierOrderId: undefined, state, purchased, failed };
}

/**
 * POST /number/cancel. Success takes the number off the account at once. A 420 "method failed" is what cancelling a
 * number the account does not hold answers (the SDK fixture, vonage.md [V6]), but 420 is also every other refusal, so
 * the account is asked: gone means not owned; still there means Vonage refused to cancel it.
 */
export async function vonageRelease(account: VonageAccount, request: CarrierReleaseRequest, options: CarrierCallOptions): Promise<CarrierReleaseResult> {
  const country = countryOf(request.number, "release");
  const response = await account.api.request({
    method: "POST",
    path: "/number/cancel",
    body: new URLSearchParams({ country, msisdn: toMsisdn(request.number.e164) }).toString(),
    contentType: FORM,
    operation: "release",
    signal: options.signal,
  });
  try {
    readVonageBody(response, vonageStatusBodySchema, "release");
    return { state: "completed", carrierOrderId: undefined };
  } catch (error) {
    if (!CarrierError.is(error) || error.carrierCode !== "420") throw error;
    if (!(await findVonageOwnedNumber(account.api, request.number, "release", options))) return { state: "not_owned", carrierOrderId: undefined };
    throw new CarrierError({
      kind: "invalid_request",
      carrierId: "vonage",
      operation: "release",
      message: "vonage refused to cancel the number, which is still on the account (Vonage error 420)",
      httpStatus: error.httpStatus,
      carrierCode: "420",
      carrierMessage: error.carrierMessage,
      requestMayHaveReachedCarrier: true,
      cause: error,
    });
  }
}

/**
 * Whether a release whose answer was lost happened: Vonage cancels synchronously, so the number still on the account
 * is still owned, and gone means released. (Numbers have no id beyond the msisdn, so a number bought again since
 * reads as still owned; numbergate holds it meanwhile, so only someone outside numbergate could have.)
 */
export async function vonageReleaseStatus(account: VonageAccount, lookup: CarrierReleaseLookup, options: CarrierCallOptions): Promise<CarrierReleaseStatus> {
  const entry = await findVonageOwnedNumber(account.api, lookup.number, "order_status", options);
  return { state: entry ? "still_owned" : "completed" };
}
