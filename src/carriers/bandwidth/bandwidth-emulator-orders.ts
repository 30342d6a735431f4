import { randomUUID } from "node:crypto";
import type { EmulatorRequest, EmulatorResponse } from "../emulator-kit/carrier-emulator.js";
import { xml } from "../emulator-kit/carrier-emulator.js";
import type { InventoryNumber } from "../emulator-kit/inventory.js";
import { asArray, buildXml, childObject, childText } from "../kit/xml.js";
import {
  advanceOnPoll,
  errorListResponse,
  finalStatusOf,
  isFinal,
  linkText,
  telephoneNumbersOf,
  xmlRoot,
  type AsyncProgress,
  type BandwidthEmulatedAccount,
} from "./bandwidth-emulator-common.js";
import { BandwidthDisconnects } from "./bandwidth-emulator-disconnects.js";

/** A new-number order (ExistingTelephoneNumberOrderType) as the emulated back office holds it. */
export interface EmulatedOrder extends AsyncProgress {
  readonly id: string;
  readonly customerOrderId: string | undefined;
  readonly siteId: string;
  readonly peerId: string | undefined;
  readonly partialAllowed: boolean;
  /** Every TN the order asked for. */
  readonly requested: readonly string[];
  /** The TNs the order took when it was accepted: for sale to nobody else, owned once the order completes. */
  readonly committed: readonly string[];
  readonly createdAt: string;
}

/** Default GETs of an order or disconnect answered PROCESSING before it is final. */
export const DEFAULT_POLLS_BEFORE_FINAL = 2;
/** "A maximum of 1,000 orders can be retrieved per request" (GET orders). */
const MAX_ORDER_PAGE_SIZE = 1000;

/**
 * Bandwidth's number state on the emulator: reservations (tnreservation), new-number orders and disconnects,
 * both asynchronous like the real API (201 RECEIVED, then final after polls). It enforces the carrier's rules:
 * a TN taken by an order (even one still in process) cannot be ordered again; a TN reserved by someone else
 * cannot be ordered without its reservation id; orders name the account's site and SIP peer.
 */
export class BandwidthNumberState {
  /** TNs in service on the account. */
  readonly owned = new Set<string>();
  /** Reservation id to TN. */
  readonly reservations = new Map<string, string>();
  readonly orders = new Map<string, EmulatedOrder>();
  /** Every TN bought, in order, added once when its order completes: a double buy shows up here. */
  readonly purchases: string[] = [];
  readonly disconnects: BandwidthDisconnects;
  /** GETs of an order or disconnect answered PROCESSING before the next one finds it final (0: final at once). */
  pollsBeforeFinal = DEFAULT_POLLS_BEFORE_FINAL;

  constructor(
    private readonly inventory: readonly InventoryNumber[],
    /** E.164 numbers held elsewhere: not for sale. */
    private readonly unavailable: ReadonlySet<string>,
    private readonly account: BandwidthEmulatedAccount,
  ) {
    this.disconnects = new BandwidthDisconnects(this.owned, account, () => this.pollsBeforeFinal);
  }

  isForSale(tn: string): boolean {
    return (
      this.inventory.some((number) => number.nationalNumber === tn) &&
      !this.unavailable.has(`+1${tn}`) &&
      !this.owned.has(tn) &&
      ![...this.reservations.values()].includes(tn) &&
      !this.#takenByOpenOrder(tn)
    );
  }

  reserve(request: EmulatorRequest): EmulatorResponse {
    const tn = childText(xmlRoot(request.body, "Reservation"), "ReservedTn");
    if (!tn || !this.isForSale(tn)) {
      return xml(400, buildXml({ ReservationResponse: { ResponseStatus: { ErrorCode: "5041", Description: `Reservation failed: telephone number ${tn ?? ""} is not available.` } } }));
    }
    const id = randomUUID();
    this.reservations.set(id, tn);
    // The spec documents an absolute Location (https://dashboard.bandwidth.com/api/accounts/{id}/TnReservation/{rid}).
    return { status: 201, headers: { location: `${this.account.accountUrl()}/tnreservation/${id}` }, body: "" };
  }

  fetchReservation(id: string): EmulatorResponse {
    const tn = this.reservations.get(id);
    if (!tn) return reservationNotFound();
    return xml(200, buildXml({ ReservationResponse: { Reservation: { ReservationId: id, AccountId: this.account.accountId, ReservationExpires: "14400", ReservedTn: tn } } }));
  }

  cancelReservation(id: string): EmulatorResponse {
    if (!this.reservations.delete(id)) return reservationNotFound();
    return xml(200, buildXml({ ReservationResponse: "" }));
  }

  /**
   * POST orders: validated at once (400 with the spec's codes), then accepted as RECEIVED. The TNs it can have
   * are committed to it now; which of them it gets is only visible once a GET finds the order final.
   */
  placeOrder(request: EmulatorRequest): EmulatorResponse {
    const order = xmlRoot(request.body, "Order");
    if (!order) return orderError("5002", "Validation error");
    const siteId = childText(order, "SiteId");
    if (!siteId) return orderError("5022", "SiteId is a required field.");
    if (siteId !== this.account.siteId) return orderError("5016", "The SiteId submitted is invalid.");
    const peerId = childText(order, "PeerId");
    if (peerId !== undefined && peerId !== this.account.peerId) return orderError("5023", "SIP peer submitted is invalid.");
    const customerOrderId = childText(order, "CustomerOrderId");
    if (customerOrderId !== undefined && !/^[0-9A-Za-z -]{1,40}$/.test(customerOrderId)) {
      return orderError("5052", "Customer order ID is invalid. Only alphanumeric values, dashes and spaces are allowed. Max length is 40 characters.");
    }
    const existing = childObject(order, "ExistingTelephoneNumberOrderType");
    const tns = telephoneNumbersOf(childObject(existing, "TelephoneNumberList"));
    if (tns.length === 0) return orderError("5001", "Invalid input telephone number list");
    if (new Set(tns).size !== tns.length) return orderError("5093", "Order cannot contain duplicate telephone numbers");
    const reservationIds = asArray(childObject(existing, "ReservationIdList")?.["ReservationId"]).filter((id): id is string => typeof id === "string");
    const partialAllowed = childText(order, "PartialAllowed") !== "false";

    const heldByCaller = (tn: string) => reservationIds.some((id) => this.reservations.get(id) === tn);
    const obtainable = tns.filter((tn) => heldByCaller(tn) || this.isForSale(tn));
    const committed = obtainable.length < tns.length && !partialAllowed ? [] : obtainable;
    // The order now holds its TNs; the caller's reservations of them are used up.
    for (const [id, reserved] of this.reservations) if (committed.includes(reserved)) this.reservations.delete(id);
    const createdAt = new Date().toISOString();
    const record: EmulatedOrder = {
      id: randomUUID(),
      customerOrderId,
      siteId,
      peerId,
      partialAllowed,
      requested: tns,
      committed,
      status: "RECEIVED",
      polls: 0,
      createdAt,
      lastModifiedAt: createdAt,
    };
    this.orders.set(record.id, record);
    return xml(201, buildXml({ OrderResponse: { Order: describeOrderRequest(record), OrderStatus: "RECEIVED" } }));
  }

  /** GET orders/{id}: each GET moves the order along; the TNs become owned when it completes. */
  fetchOrder(id: string): EmulatorResponse {
    const order = this.orders.get(id);
    if (!order) return errorListResponse(404, "OrderResponse", "5035", `order ${id} not found.`);
    this.#advance(order, this.pollsBeforeFinal);
    return xml(200, buildXml({ OrderResponse: describeOrder(order) }));
  }

  /**
   * Ends every order and disconnect still in process, as Bandwidth's back office eventually does whether or not
   * anyone polls (a test control: the emulator otherwise moves orders only when they are polled).
   */
  completeOpenOrders(): void {
    for (const order of this.orders.values()) this.#advance(order, 0);
    this.disconnects.completeOpen();
  }

  #advance(order: EmulatedOrder, pollsBeforeFinal: number): void {
    const ended = advanceOnPoll(order, pollsBeforeFinal, () => finalStatusOf(order.committed.length, order.requested.length));
    if (!ended) return;
    for (const tn of order.committed) {
      this.owned.add(tn);
      this.purchases.push(tn);
    }
  }

  /**
   * GET orders: page ("1" or the id of the first order of the page) and size are required; customerOrderId
   * filters. Links carry the first and next pages, as Link-header-style URLs.
   */
  listOrders(request: EmulatorRequest): EmulatorResponse {
    const page = request.query.get("page");
    const sizeText = request.query.get("size");
    const size = Number(sizeText);
    if (!page) return errorListResponse(400, "ResponseSelectWrapper", "4018", "Please verify that your PAGE search input parameter is correct.");
    if (sizeText === null || !Number.isInteger(size) || size < 1 || size > MAX_ORDER_PAGE_SIZE) {
      return errorListResponse(400, "ResponseSelectWrapper", "5002", "Validation error: size must be an integer from 1 to 1000");
    }
    const customerOrderId = request.query.get("customerOrderId");
    const matching = [...this.orders.values()].filter((order) => customerOrderId === null || order.customerOrderId === customerOrderId);
    const start = page === "1" ? 0 : matching.findIndex((order) => order.id === page);
    if (start < 0) return errorListResponse(400, "ResponseSelectWrapper", "4018", "Please verify that your PAGE search input parameter is correct.");
    const onPage = matching.slice(start, start + size);
    const next = matching[start + size];
    const pageUrl = (pageId: string) => {
      const query = new URLSearchParams({ page: pageId, size: String(size), ...(customerOrderId === null ? {} : { customerOrderId }) });
      return `${this.account.accountUrl()}/orders?${query.toString()}`;
    };
    return xml(200, buildXml({
      ResponseSelectWrapper: {
        ListOrderIdUserIdDate: {
          TotalCount: String(matching.length),
          Links: { first: linkText(pageUrl("1"), "first"), ...(next ? { next: linkText(pageUrl(next.id), "next") } : {}) },
          OrderIdUserIdDate: onPage.map((order) => ({
            CountOfTNs: String(order.requested.length),
            CustomerOrderId: order.customerOrderId,
            lastModifiedDate: order.lastModifiedAt,
            OrderDate: order.createdAt,
            orderId: order.id,
            OrderStatus: order.status,
          })),
        },
      },
    }));
  }

  #takenByOpenOrder(tn: string): boolean {
    for (const order of this.orders.values()) if (!isFinal(order.status) && order.committed.includes(tn)) return true;
    return false;
  }
}

function describeOrderRequest(order: EmulatedOrder): Record<string, unknown> {
  return {
    CustomerOrderId: order.customerOrderId,
    id: order.id,
    OrderCreateDate: order.createdAt,
    ...(order.peerId === undefined ? {} : { PeerId: order.peerId }),
    ExistingTelephoneNumberOrderType: { TelephoneNumberList: { TelephoneNumber: [...order.requested] } },
    PartialAllowed: String(order.partialAllowed),
    SiteId: order.siteId,
  };
}

/** <OrderResponse> of GET orders/{id}, with the fields of the spec's and the SDK's examples. */
function describeOrder(order: EmulatedOrder): Record<string, unknown> {
  if (!isFinal(order.status)) {
    return {
      LastModifiedDate: order.lastModifiedAt,
      Order: describeOrderRequest(order),
      OrderStatus: order.status,
      PendingQuantity: String(order.requested.length),
    };
  }
  const failed = order.requested.filter((tn) => !order.committed.includes(tn));
  return {
    CompletedQuantity: String(order.committed.length),
    ...(failed.length > 0
      ? { ErrorList: { Error: failed.map((tn) => ({ Code: "5005", Description: "The telephone number is unavailable for ordering", TelephoneNumber: tn })) } }
      : {}),
    ...(failed.length > 0 ? { FailedNumbers: { FullNumber: failed } } : {}),
    LastModifiedDate: order.lastModifiedAt,
    OrderCompleteDate: order.lastModifiedAt,
    Order: describeOrderRequest(order),
    OrderStatus: order.status,
    ...(order.committed.length > 0 ? { CompletedNumbers: { TelephoneNumber: order.committed.map((tn) => ({ FullNumber: tn })) } } : {}),
    FailedQuantity: String(failed.length),
  };
}

function orderError(code: string, description: string): EmulatorResponse {
  return errorListResponse(400, "OrderResponse", code, description);
}

function reservationNotFound(): EmulatorResponse {
  return xml(404, buildXml({ ReservationResponse: { ResponseStatus: { ErrorCode: "5042", Description: "Reservation not found" } } }));
}
