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
import { parseJsonBody } from "../kit/response-body.js";
import { awaitsActivation, fetchRentedNumber, type PlivoAccount } from "./plivo-account-numbers.js";
import { isPlivoNotFound, plivoErrorFromResponse } from "./plivo-error.js";
import { PLIVO_JSON, e164FromPlivo, plivoBuyResponseSchema, plivoDigits } from "./plivo-wire.js";

/** Why a number the account already rents is not this order's purchase (see the adapter's header). */
const ALREADY_RENTED = "the plivo account already rents this number; numbergate did not buy it again";

/**
 * Buys one number: first GET Number/{number}/ must answer 404 (the account does not rent it), then POST
 * PhoneNumber/{number}/ with a JSON body, as the SDKs send it. The check is what lets a later lookup tell this
 * order's purchase from an earlier rental (see the adapter's header). 201 with `numbers[].status` "Success" is
 * bought; "pending" (address or identity documents awaited, plivo.md Buy [P4]) or any status numbergate does not
 * know is left pending, to be settled by doGetOrderStatus.
 */
export async function plivoPurchase(account: PlivoAccount, request: CarrierPurchaseRequest, options: CarrierCallOptions): Promise<CarrierOrderStatus> {
  const [number] = request.numbers;
  if (!number || request.numbers.length !== 1) {
    throw new CarrierError({ kind: "invalid_request", carrierId: "plivo", operation: "purchase", message: "plivo buys exactly one number per request", requestMayHaveReachedCarrier: false });
  }
  if (await rentedBeforeBuying(account, number, options)) {
    return { carrierOrderId: undefined, state: "failed", purchased: [], failed: [{ e164: number.e164, carrierCode: undefined, kind: "not_found", detail: ALREADY_RENTED }] };
  }
  const digits = plivoDigits(number.e164);
  const response = await account.api.request({
    method: "POST",
    path: `${account.accountPath}/PhoneNumber/${digits}/`,
    // No app_id: Plivo attaches the account's default number application, as a purchase in its console does.
    body: "{}",
    contentType: PLIVO_JSON,
    operation: "purchase",
    signal: options.signal,
  });
  if (response.status < 200 || response.status >= 300) throw plivoErrorFromResponse(response, "purchase");
  const answer = parseJsonBody(response, plivoBuyResponseSchema, "plivo", "purchase");
  // Every number the answer says was bought is reported, so numbergate audits one it did not ask for (a fallback
  // number, say) instead of never hearing of it; it records only the asked one as owned.
  const bought = answer.numbers.flatMap((entry) => {
    const e164 = entry.status.toLowerCase() === "success" ? e164FromPlivo(entry.number) : undefined;
    return e164 ? [{ e164, carrierNumberId: entry.number }] : [];
  });
  // Plivo has no order id; its request id (api_id) is kept for support tickets. Lookups never need it.
  const carrierOrderId = answer.api_id;
  const askedIsBought = bought.some((entry) => entry.e164 === number.e164);
  return { carrierOrderId, state: askedIsBought ? "completed" : "pending", purchased: bought, failed: [] };
}

/**
 * Whether the account rents the number before numbergate buys it. A failure of this check is reported with
 * requestMayHaveReachedCarrier false: the purchase itself never left numbergate, so it may be tried again.
 */
async function rentedBeforeBuying(account: PlivoAccount, number: ParsedPhoneNumber, options: CarrierCallOptions): Promise<boolean> {
  try {
    return (await fetchRentedNumber(account, number, "purchase", options)) !== undefined;
  } catch (error) {
    if (!CarrierError.is(error)) throw error;
    throw new CarrierError({
      kind: error.kind,
      carrierId: "plivo",
      operation: "purchase",
      message: `${error.message}, checking the account before buying: nothing was bought`,
      httpStatus: error.httpStatus,
      carrierCode: error.carrierCode,
      carrierMessage: error.carrierMessage,
      retryAfterMs: error.retryAfterMs,
      requestMayHaveReachedCarrier: false,
      cause: error,
    });
  }
}

/**
 * What became of purchases of these numbers, from GET Number/{number}/ for each: 404 is no trace; a rented number
 * still awaiting activation is in process (state "pending"); a rented, activated number is bought by this order
 * (see the adapter's header for why). Plivo keeps no order, so `carrierOrderId` is only carried along. Undefined
 * when Plivo has no trace of any of them.
 */
export async function plivoFindPurchase(account: PlivoAccount, lookup: CarrierOrderLookup, options: CarrierCallOptions): Promise<CarrierOrderStatus | undefined> {
  const purchased: CarrierOrderStatus["purchased"][number][] = [];
  let awaitingActivation = 0;
  for (const number of lookup.numbers) {
    const rented = await fetchRentedNumber(account, number, "order_status", options);
    if (!rented) continue;
    if (awaitsActivation(rented)) awaitingActivation += 1;
    else purchased.push({ e164: number.e164, carrierNumberId: plivoDigits(number.e164) });
  }
  if (purchased.length === 0 && awaitingActivation === 0) return undefined;
  // While one number awaits activation the status stays pending, which also holds back the "no trace" verdict on
  // numbers of the same lookup Plivo does not know: they are judged once nothing is in process any more.
  const state = awaitingActivation > 0 ? "pending" : purchased.length === lookup.numbers.length ? "completed" : "partial";
  return { carrierOrderId: lookup.carrierOrderId, state, purchased, failed: [] };
}

/** DELETE Number/{number}/ ("unrent"): 204 means the number is off the account, Plivo's 404 that the account did not rent it. */
export async function plivoRelease(account: PlivoAccount, request: CarrierReleaseRequest, options: CarrierCallOptions): Promise<CarrierReleaseResult> {
  const response = await account.api.request({
    method: "DELETE",
    path: `${account.accountPath}/Number/${plivoDigits(request.number.e164)}/`,
    operation: "release",
    signal: options.signal,
  });
  // Synchronous: Plivo keeps an unrented number aside for 10 days, but no longer on the account (plivo.md [P9]).
  if (response.status === 204 || response.status === 200) return { state: "completed", carrierOrderId: undefined };
  if (isPlivoNotFound(response)) return { state: "not_owned", carrierOrderId: undefined };
  throw plivoErrorFromResponse(response, "release");
}

/**
 * Whether a release whose answer was lost happened: the number still on the account is still owned. Plivo has no
 * per-rental id to tell a new rental of the same number from the old one; numbergate's holds keep its own orders
 * off a number while it is being released.
 */
export async function plivoReleaseStatus(account: PlivoAccount, lookup: CarrierReleaseLookup, options: CarrierCallOptions): Promise<CarrierReleaseStatus> {
  const rented = await fetchRentedNumber(account, lookup.number, "order_status", options);
  return rented ? { state: "still_owned" } : { state: "completed" };
}
