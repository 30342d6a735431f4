import type { CarrierCallOptions } from "../../domain/carrier-adapter.js";
import { CarrierError } from "../../domain/carrier-error.js";
import type { CarrierOrderLookup, CarrierOrderState, CarrierOrderStatus, CarrierPurchaseRequest } from "../../domain/carrier-lifecycle.js";
import { parseXmlBody } from "../kit/response-body.js";
import { asArray, buildXml, childObject, childText } from "../kit/xml.js";
import { BANDWIDTH_XML, expectBandwidthStatus, type BandwidthAccount } from "./bandwidth-account.js";
import { kindFromBandwidthCode } from "./bandwidth-error.js";
import { bandwidthTnToE164, readBandwidthError } from "./bandwidth-wire.js";

/** Orders per page of GET orders?customerOrderId=: one reference normally names one order. */
const ORDER_LIST_PAGE_SIZE = 10;
/** Pages followed before giving up: a reference matching more orders than this is not numbergate's. */
const ORDER_LIST_MAX_PAGES = 3;

/** POST orders with ExistingTelephoneNumberOrderType and numbergate's reference as CustomerOrderId. */
export async function bandwidthPlaceOrder(account: BandwidthAccount, request: CarrierPurchaseRequest, options: CarrierCallOptions): Promise<CarrierOrderStatus> {
  if (!account.siteId) {
    throw new CarrierError({ kind: "invalid_request", carrierId: "bandwidth", operation: "purchase", message: "BANDWIDTH_SITE_ID is required to order numbers", requestMayHaveReachedCarrier: false });
  }
  const order: Record<string, unknown> = {
    CustomerOrderId: request.orderReference,
    SiteId: account.siteId,
    ...(account.peerId ? { PeerId: account.peerId } : {}),
    // A batch reports per number; a single number either is bought or not.
    PartialAllowed: request.numbers.length > 1 ? "true" : "false",
    ExistingTelephoneNumberOrderType: {
      TelephoneNumberList: { TelephoneNumber: request.numbers.map((number) => number.nationalNumber) },
      ...(request.carrierReservationIds.length > 0 ? { ReservationIdList: { ReservationId: [...request.carrierReservationIds] } } : {}),
    },
  };
  const response = await account.api.request({
    method: "POST",
    path: `${account.accountPath}/orders`,
    body: buildXml({ Order: order }),
    contentType: BANDWIDTH_XML,
    accept: BANDWIDTH_XML,
    operation: "purchase",
    signal: options.signal,
  });
  expectBandwidthStatus(response, "purchase", [200, 201]);
  return readOrderResponse(parseXmlBody(response, "OrderResponse", "bandwidth", "purchase"));
}

/**
 * The order by Bandwidth id, or else every order carrying numbergate's CustomerOrderId (normally one; more if a
 * purchase was ever sent twice), merged. Undefined when Bandwidth has no such order.
 */
export async function bandwidthFindOrder(account: BandwidthAccount, lookup: CarrierOrderLookup, options: CarrierCallOptions): Promise<CarrierOrderStatus | undefined> {
  if (lookup.carrierOrderId) return fetchOrder(account, lookup.carrierOrderId, undefined, options);
  const orderIds = await listOrderIds(account, lookup.orderReference, options);
  const statuses: CarrierOrderStatus[] = [];
  for (const orderId of orderIds) {
    const status = await fetchOrder(account, orderId, lookup.orderReference, options);
    if (status) statuses.push(status);
  }
  return mergeOrderStatuses(statuses, lookup);
}

/** GET orders/{id}; with an expected reference, an order under another CustomerOrderId is not this order's. */
async function fetchOrder(account: BandwidthAccount, orderId: string, expectedReference: string | undefined, options: CarrierCallOptions): Promise<CarrierOrderStatus | undefined> {
  const response = await account.api.request({
    method: "GET",
    path: `${account.accountPath}/orders/${encodeURIComponent(orderId)}`,
    accept: BANDWIDTH_XML,
    operation: "order_status",
    signal: options.signal,
  });
  if (response.status === 404) return undefined;
  expectBandwidthStatus(response, "order_status", [200]);
  const root = parseXmlBody(response, "OrderResponse", "bandwidth", "order_status");
  const reference = childText(childObject(root, "Order"), "CustomerOrderId");
  if (expectedReference !== undefined && reference !== undefined && reference !== expectedReference) return undefined;
  return { ...readOrderResponse(root), carrierOrderId: orderId };
}

/**
 * GET orders?customerOrderId=&page=&size= (page and size are required by the spec): the ids of the orders under
 * this reference, following <Links><next> for a few pages.
 */
async function listOrderIds(account: BandwidthAccount, orderReference: string, options: CarrierCallOptions): Promise<readonly string[]> {
  const orderIds: string[] = [];
  let page: string | undefined = "1";
  for (let pages = 0; page !== undefined && pages < ORDER_LIST_MAX_PAGES; pages += 1) {
    const response = await account.api.request({
      method: "GET",
      path: `${account.accountPath}/orders`,
      query: { customerOrderId: orderReference, page, size: ORDER_LIST_PAGE_SIZE },
      accept: BANDWIDTH_XML,
      operation: "order_status",
      signal: options.signal,
    });
    // Some Bandwidth lists answer 404 (or 204) for "nothing matches".
    if (response.status === 404 || response.status === 204) break;
    expectBandwidthStatus(response, "order_status", [200]);
    const list = childObject(parseXmlBody(response, "ResponseSelectWrapper", "bandwidth", "order_status"), "ListOrderIdUserIdDate");
    for (const entry of asArray(list?.["OrderIdUserIdDate"])) {
      // The example spells it orderId, the schema OrderId.
      const orderId = childText(entry, "orderId") ?? childText(entry, "OrderId");
      const reference = childText(entry, "CustomerOrderId");
      if (orderId && (reference === undefined || reference === orderReference) && !orderIds.includes(orderId)) orderIds.push(orderId);
    }
    const next = nextPageOf(childText(childObject(list, "Links"), "next"));
    page = next === page ? undefined : next;
  }
  return orderIds;
}

/**
 * The `page` parameter of a <Links><next> entry. Its text is a Link-header-style URL (the spec's example:
 * `Link=<https://dashboard.bandwidth.com 443/v1.0/accounts/9900012/orders?page={orderId}&size=3>;rel="next";`),
 * whose host part is not always a valid URL, so only the page parameter is taken from it.
 */
export function nextPageOf(linkText: string | undefined): string | undefined {
  if (!linkText) return undefined;
  const match = /[?&]page=([^&>;\s"]+)/.exec(linkText);
  if (!match?.[1]) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return undefined;
  }
}

/** Several orders under one reference, as one status: a number bought by any of them was bought. */
function mergeOrderStatuses(statuses: readonly CarrierOrderStatus[], lookup: CarrierOrderLookup): CarrierOrderStatus | undefined {
  const [only] = statuses;
  if (statuses.length <= 1) return only;
  const purchased = new Map(statuses.flatMap((status) => status.purchased).map((entry) => [entry.e164, entry]));
  const failed = new Map(statuses.flatMap((status) => status.failed).filter((entry) => !purchased.has(entry.e164)).map((entry) => [entry.e164, entry]));
  const asked = lookup.numbers.map((number) => number.e164);
  const boughtAsked = asked.filter((e164) => purchased.has(e164)).length;
  const state: CarrierOrderState = statuses.some((status) => status.state === "pending")
    ? "pending"
    : boughtAsked === asked.length
      ? "completed"
      : boughtAsked > 0
        ? "partial"
        : "failed";
  return { carrierOrderId: only?.carrierOrderId, state, purchased: [...purchased.values()], failed: [...failed.values()] };
}

function orderState(status: string | undefined): CarrierOrderState {
  switch (status) {
    case "COMPLETE":
    case "COMPLETED":
      return "completed";
    case "PARTIAL":
      return "partial";
    case "FAILED":
      return "failed";
    default:
      // RECEIVED, PROCESSING, BACKORDERED: not final yet.
      return "pending";
  }
}

/** Reads <OrderResponse> (create and GET share the shape). */
export function readOrderResponse(root: Record<string, unknown>): CarrierOrderStatus {
  const order = childObject(root, "Order");
  const state = orderState(childText(root, "OrderStatus"));
  const completed = asArray(childObject(root, "CompletedNumbers")?.["TelephoneNumber"]).flatMap((entry) => {
    const tn = childText(entry, "FullNumber") ?? (typeof entry === "string" ? entry : undefined);
    return tn ? [{ e164: bandwidthTnToE164(tn), carrierNumberId: tn }] : [];
  });
  const errors = asArray(childObject(root, "ErrorList")?.["Error"]);
  let failedNumbers = asArray(childObject(root, "FailedNumbers")?.["FullNumber"]).filter((tn): tn is string => typeof tn === "string");
  if (state === "failed" && failedNumbers.length === 0) {
    // A FAILED order without FailedNumbers (a site or peer refusal) failed every TN it asked for.
    const completedTns = new Set(completed.map((entry) => entry.carrierNumberId));
    failedNumbers = orderedTns(order).filter((tn) => !completedTns.has(tn));
  }
  const fallback = readBandwidthError(root);
  const failed = failedNumbers.map((tn) => {
    const error = errors.find((candidate) => childText(candidate, "TelephoneNumber") === tn);
    const carrierCode = error ? childText(error, "Code") : fallback?.code;
    return {
      e164: bandwidthTnToE164(tn),
      carrierCode,
      detail: (error ? childText(error, "Description") : fallback?.description) ?? "not purchased",
      kind: carrierCode === undefined ? undefined : kindFromBandwidthCode(carrierCode),
    };
  });
  return { carrierOrderId: childText(order, "id"), state, purchased: completed, failed };
}

function orderedTns(order: Record<string, unknown> | undefined): string[] {
  const list = childObject(childObject(order, "ExistingTelephoneNumberOrderType"), "TelephoneNumberList");
  return asArray(list?.["TelephoneNumber"]).filter((tn): tn is string => typeof tn === "string");
}
