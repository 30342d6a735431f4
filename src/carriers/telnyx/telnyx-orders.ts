import type { CarrierCallOptions } from "../../domain/carrier-adapter.js";
import type { CarrierErrorKind } from "../../domain/carrier-error.js";
import type { CarrierOrderLookup, CarrierOrderStatus, CarrierPurchaseRequest } from "../../domain/carrier-lifecycle.js";
import type { ParsedPhoneNumber } from "../../domain/phone-number.js";
import type { CarrierHttpClient } from "../kit/carrier-http-client.js";
import { parseJsonBody } from "../kit/response-body.js";
import { expectTelnyxStatus } from "./telnyx-error.js";
import { findTelnyxNumberOnAccount } from "./telnyx-phone-numbers.js";
import { TELNYX_JSON, telnyxNumberOrderAnswerSchema, telnyxNumberOrderListSchema, type TelnyxNumberOrder } from "./telnyx-wire.js";

/** Orders per page of GET /number_orders?filter[customer_reference]=: one reference normally names one order. */
const ORDER_LIST_PAGE_SIZE = 20;
/** Pages followed before giving up: a reference matching more orders than this is not numbergate's. */
const ORDER_LIST_MAX_PAGES = 5;

type NumberOutcome = "success" | "failure" | "pending";
type FailedEntry = CarrierOrderStatus["failed"][number];

/**
 * POST /number_orders with numbergate's reference as `customer_reference`. Telnyx creates the order `pending` and
 * completes it later (telnyx.md, Buy), so the answer is normally "pending" with the order id. Numbers the answer
 * already reports bought are left pending too: numbergate records a number with its inventory id, which only a
 * lookup (doGetOrderStatus, read-only and safe to repeat) fetches; nothing is read after the POST that could fail
 * a purchase Telnyx has made. Reservations are not named: Telnyx sells a number this account reserved to this account.
 */
export async function telnyxPlaceOrder(api: CarrierHttpClient, request: CarrierPurchaseRequest, options: CarrierCallOptions): Promise<CarrierOrderStatus> {
  const response = await api.request({
    method: "POST",
    path: "/number_orders",
    body: JSON.stringify({ phone_numbers: request.numbers.map((number) => ({ phone_number: number.e164 })), customer_reference: request.orderReference }),
    contentType: TELNYX_JSON,
    operation: "purchase",
    signal: options.signal,
  });
  expectTelnyxStatus(response, "purchase", [200, 201]);
  const order = parseJsonBody(response, telnyxNumberOrderAnswerSchema, "telnyx", "purchase").data;
  const asked = new Set(request.numbers.map((number) => number.e164));
  const failed = request.numbers.flatMap((number) => {
    const entry = order.phone_numbers?.find((candidate) => candidate.phone_number === number.e164);
    return entry && outcomeOf(order, entry.status) === "failure" ? [failedEntry(number.e164, entry)] : [];
  });
  // A number bought that the order did not ask for: reported so that numbergate flags it, never records it.
  const unexpected = (order.phone_numbers ?? []).filter((entry) => !asked.has(entry.phone_number) && outcomeOf(order, entry.status) === "success");
  const purchased = unexpected.map((entry) => ({ e164: entry.phone_number, carrierNumberId: entry.id ?? order.id }));
  return { carrierOrderId: order.id, state: failed.length === asked.size ? "failed" : "pending", purchased, failed };
}

/**
 * What became of a purchase. Telnyx keeps `customer_reference` on the order, so a number counts as bought by this
 * order only when a number order under exactly this reference reports it `success` (per number, as telnyx.md says to
 * check). The order is found by id when numbergate has it; otherwise, or when that order does not cover every asked
 * number (an order sent in several requests), by GET /number_orders?filter[customer_reference]= (every page), each
 * listed order then fetched for its per-number statuses, and its reference compared exactly (the filter's matching is
 * not documented). Undefined when Telnyx has no order under the reference.
 */
export async function telnyxFindOrder(api: CarrierHttpClient, lookup: CarrierOrderLookup, options: CarrierCallOptions): Promise<CarrierOrderStatus | undefined> {
  const orders: TelnyxNumberOrder[] = [];
  if (lookup.carrierOrderId) {
    const order = await fetchOrder(api, lookup.carrierOrderId, options);
    // The id came from Telnyx's answer to this order; an answer naming another reference is not this order's.
    if (order && (order.customer_reference ?? lookup.orderReference) === lookup.orderReference) orders.push(order);
  }
  const covered = new Set(orders.flatMap((order) => order.phone_numbers ?? []).map((entry) => entry.phone_number));
  if (!lookup.numbers.every((number) => covered.has(number.e164))) {
    for (const orderId of await listOrderIds(api, lookup.orderReference, options)) {
      if (orders.some((order) => order.id === orderId)) continue;
      const order = await fetchOrder(api, orderId, options);
      if (order?.customer_reference === lookup.orderReference) orders.push(order);
    }
  }
  if (orders.length === 0) return undefined;
  return statusOfOrders(api, orders, lookup.numbers, options);
}

/**
 * One status for the asked numbers across the orders under the reference (normally one): a number bought by any of
 * them was bought, with its inventory id (what DELETE /phone_numbers/{id} takes; the order's own phone-number id is a
 * different one, telnyx.md). A number Telnyx reports bought but does not list on the account yet stays pending.
 */
async function statusOfOrders(api: CarrierHttpClient, orders: readonly TelnyxNumberOrder[], numbers: readonly ParsedPhoneNumber[], options: CarrierCallOptions): Promise<CarrierOrderStatus> {
  const purchased: { e164: string; carrierNumberId: string }[] = [];
  const failed: FailedEntry[] = [];
  let pending = false;
  for (const number of numbers) {
    const entries = orders.flatMap((order) => (order.phone_numbers ?? []).filter((entry) => entry.phone_number === number.e164).map((entry) => ({ order, entry, outcome: outcomeOf(order, entry.status) })));
    if (entries.some((candidate) => candidate.outcome === "success")) {
      const held = await findTelnyxNumberOnAccount(api, number, "order_status", options);
      if (held) purchased.push({ e164: number.e164, carrierNumberId: held.id });
      else pending = true;
    } else if (entries.some((candidate) => candidate.outcome === "pending")) {
      pending = true;
    } else {
      const refused = entries.find((candidate) => candidate.outcome === "failure");
      if (refused) failed.push(failedEntry(number.e164, refused.entry));
    }
  }
  const state = pending ? "pending" : purchased.length === numbers.length ? "completed" : purchased.length > 0 ? "partial" : "failed";
  return { carrierOrderId: orders[0]?.id, state, purchased, failed };
}

/** A number's outcome; without a per-number status (never seen from Telnyx, but optional in the spec), the order's. */
function outcomeOf(order: TelnyxNumberOrder, numberStatus: string | null | undefined): NumberOutcome {
  const status = numberStatus ?? order.status;
  return status === "success" ? "success" : status === "failure" ? "failure" : "pending";
}

/**
 * Telnyx reports no reason per failed number. One whose regulatory requirements were not met failed on documents
 * (no taxonomy kind: numbergate answers ORDER_FAILED with this detail); any other failed because Telnyx could not sell
 * it (no longer available): not_found, like Twilio 21422 and Bandwidth 5005.
 */
function failedEntry(e164: string, entry: NonNullable<TelnyxNumberOrder["phone_numbers"]>[number]): FailedEntry {
  const requirementsFailed = entry.requirements_met === false || (entry.requirements_status ?? "").startsWith("requirement-info");
  const kind: CarrierErrorKind | undefined = requirementsFailed ? undefined : "not_found";
  const detail = requirementsFailed
    ? `telnyx did not complete the purchase: the number's regulatory requirements are not met (${entry.requirements_status ?? "requirements not met"})`
    : "telnyx could not sell the number (it is no longer available)";
  return { e164, carrierCode: undefined, detail, ...(kind ? { kind } : {}) };
}

/** GET /number_orders/{id}; undefined when Telnyx has no such order. */
async function fetchOrder(api: CarrierHttpClient, orderId: string, options: CarrierCallOptions): Promise<TelnyxNumberOrder | undefined> {
  const response = await api.request({ method: "GET", path: `/number_orders/${encodeURIComponent(orderId)}`, operation: "order_status", signal: options.signal });
  if (response.status === 404) return undefined;
  expectTelnyxStatus(response, "order_status");
  return parseJsonBody(response, telnyxNumberOrderAnswerSchema, "telnyx", "order_status").data;
}

/** The ids of the orders listed under this reference, following pages (meta.total_pages) for a few pages. */
async function listOrderIds(api: CarrierHttpClient, orderReference: string, options: CarrierCallOptions): Promise<readonly string[]> {
  const orderIds: string[] = [];
  for (let pageNumber = 1; pageNumber <= ORDER_LIST_MAX_PAGES; pageNumber += 1) {
    const response = await api.request({
      method: "GET",
      path: "/number_orders",
      query: { "filter[customer_reference]": orderReference, "page[number]": pageNumber, "page[size]": ORDER_LIST_PAGE_SIZE },
      operation: "order_status",
      signal: options.signal,
    });
    expectTelnyxStatus(response, "order_status");
    const page = parseJsonBody(response, telnyxNumberOrderListSchema, "telnyx", "order_status");
    // One listed without its reference is fetched too; the fetched order must carry the reference to count.
    for (const order of page.data) if ((order.customer_reference ?? orderReference) === orderReference && !orderIds.includes(order.id)) orderIds.push(order.id);
    if (page.data.length === 0 || (page.meta?.total_pages ?? pageNumber) <= pageNumber) break;
  }
  return orderIds;
}
