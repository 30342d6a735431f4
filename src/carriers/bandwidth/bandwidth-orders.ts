import type { CarrierCallOptions } from "../../domain/carrier-adapter.js";
import { CarrierError } from "../../domain/carrier-error.js";
import type {
  CarrierOrderLookup,
  CarrierOrderState,
  CarrierOrderStatus,
  CarrierPurchaseRequest,
  CarrierReleaseRequest,
  CarrierReleaseResult,
  CarrierReservation,
  CarrierReservationRequest,
} from "../../domain/carrier-lifecycle.js";
import type { CarrierHttpClient, CarrierHttpResponse } from "../kit/carrier-http-client.js";
import { parseXmlBody } from "../kit/response-body.js";
import { asArray, buildXml, childObject, childText } from "../kit/xml.js";
import { bandwidthErrorFromResponse } from "./bandwidth-error.js";
import { bandwidthTnToE164, readBandwidthError } from "./bandwidth-wire.js";

const XML = "application/xml; charset=utf-8";

export interface BandwidthAccount {
  readonly api: CarrierHttpClient;
  /** /accounts/{accountId} */
  readonly accountPath: string;
  readonly siteId: string | undefined;
  readonly peerId: string | undefined;
}

function ensureOk(response: CarrierHttpResponse, operation: string, expected: readonly number[]): void {
  if (!expected.includes(response.status)) throw bandwidthErrorFromResponse(response, operation);
}

/** POST tnreservation: the id comes back only in the Location header. */
export async function bandwidthReserve(account: BandwidthAccount, request: CarrierReservationRequest, options: CarrierCallOptions): Promise<CarrierReservation> {
  const response = await account.api.request({
    method: "POST",
    path: `${account.accountPath}/tnreservation`,
    body: buildXml({ Reservation: { ReservedTn: request.number.nationalNumber } }),
    contentType: XML,
    accept: XML,
    operation: "reserve",
    signal: options.signal,
  });
  ensureOk(response, "reserve", [201]);
  const location = response.headers["location"];
  const reservationId = (Array.isArray(location) ? location[0] : location)?.split("/").at(-1);
  if (!reservationId) {
    throw new CarrierError({ kind: "carrier_server", carrierId: "bandwidth", operation: "reserve", message: "bandwidth did not say which reservation it made", requestMayHaveReachedCarrier: true });
  }
  return { carrierReservationId: reservationId, expiresAt: undefined };
}

export async function bandwidthCancelReservation(account: BandwidthAccount, reservationId: string, options: CarrierCallOptions): Promise<void> {
  const response = await account.api.request({
    method: "DELETE",
    path: `${account.accountPath}/tnreservation/${encodeURIComponent(reservationId)}`,
    accept: XML,
    operation: "cancel_reservation",
    signal: options.signal,
  });
  // 404: already gone (expired at Bandwidth), which is what cancelling wants.
  if (response.status !== 404) ensureOk(response, "cancel_reservation", [200, 204]);
}

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
    contentType: XML,
    accept: XML,
    operation: "purchase",
    signal: options.signal,
  });
  ensureOk(response, "purchase", [200, 201]);
  return readOrderResponse(parseXmlBody(response, "OrderResponse", "bandwidth", "purchase"));
}

/** The order by Bandwidth id, or else by numbergate's CustomerOrderId; undefined when Bandwidth has none. */
export async function bandwidthFindOrder(account: BandwidthAccount, lookup: CarrierOrderLookup, options: CarrierCallOptions): Promise<CarrierOrderStatus | undefined> {
  let orderId = lookup.carrierOrderId;
  if (!orderId) {
    const response = await account.api.request({
      method: "GET",
      path: `${account.accountPath}/orders`,
      query: { customerOrderId: lookup.orderReference },
      accept: XML,
      operation: "order_status",
      signal: options.signal,
    });
    if (response.status === 404) return undefined;
    ensureOk(response, "order_status", [200]);
    const root = parseXmlBody(response, "ResponseSelectWrapper", "bandwidth", "order_status");
    const orders = asArray(childObject(root, "ListOrderIdUserIdDate")?.["OrderIdUserIdDate"]);
    orderId = orders.map((entry) => childText(entry, "orderId")).find((id): id is string => id !== undefined);
    if (!orderId) return undefined;
  }
  const response = await account.api.request({
    method: "GET",
    path: `${account.accountPath}/orders/${encodeURIComponent(orderId)}`,
    accept: XML,
    operation: "order_status",
    signal: options.signal,
  });
  if (response.status === 404) return undefined;
  ensureOk(response, "order_status", [200]);
  return { ...readOrderResponse(parseXmlBody(response, "OrderResponse", "bandwidth", "order_status")), carrierOrderId: orderId };
}

/** POST disconnects: Bandwidth accepts (201) and completes the disconnect order on its side. */
export async function bandwidthDisconnect(account: BandwidthAccount, request: CarrierReleaseRequest, options: CarrierCallOptions): Promise<CarrierReleaseResult> {
  const response = await account.api.request({
    method: "POST",
    path: `${account.accountPath}/disconnects`,
    body: buildXml({
      DisconnectTelephoneNumberOrder: {
        CustomerOrderId: request.orderReference,
        DisconnectTelephoneNumberOrderType: { TelephoneNumberList: { TelephoneNumber: request.number.nationalNumber } },
      },
    }),
    contentType: XML,
    accept: XML,
    operation: "release",
    signal: options.signal,
  });
  if (response.status === 400) {
    const error = bandwidthErrorFromResponse(response, "release");
    // 5076: the TN is not on the account (already disconnected).
    if (error.carrierCode === "5076" || error.kind === "not_found") return { state: "not_owned", carrierOrderId: undefined };
    throw error;
  }
  ensureOk(response, "release", [200, 201]);
  const root = parseXmlBody(response, "DisconnectTelephoneNumberOrderResponse", "bandwidth", "release");
  return { state: "completed", carrierOrderId: childText(childObject(root, "orderRequest"), "id") };
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
  const completed = asArray(childObject(root, "CompletedNumbers")?.["TelephoneNumber"]).flatMap((entry) => {
    const tn = childText(entry, "FullNumber") ?? (typeof entry === "string" ? entry : undefined);
    return tn ? [{ e164: bandwidthTnToE164(tn), carrierNumberId: tn }] : [];
  });
  const errors = asArray(childObject(root, "ErrorList")?.["Error"]);
  const failedNumbers = asArray(childObject(root, "FailedNumbers")?.["FullNumber"]).filter((tn): tn is string => typeof tn === "string");
  const failed = failedNumbers.map((tn) => {
    const error = errors.find((candidate) => childText(candidate, "TelephoneNumber") === tn) ?? errors[0];
    return { e164: bandwidthTnToE164(tn), carrierCode: childText(error, "Code"), detail: childText(error, "Description") ?? "not purchased" };
  });
  const embedded = failed.length === 0 ? readBandwidthError(root) : undefined;
  return {
    carrierOrderId: childText(order, "id"),
    state: orderState(childText(root, "OrderStatus")),
    purchased: completed,
    failed: embedded ? [] : failed,
  };
}
