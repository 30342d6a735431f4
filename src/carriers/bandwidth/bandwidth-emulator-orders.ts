import { randomUUID } from "node:crypto";
import type { EmulatorRequest, EmulatorResponse } from "../emulator-kit/carrier-emulator.js";
import { xml } from "../emulator-kit/carrier-emulator.js";
import type { InventoryNumber } from "../emulator-kit/inventory.js";
import { asArray, buildXml, childObject, childText, parseXml } from "../kit/xml.js";

interface EmulatedOrder {
  readonly id: string;
  readonly customerOrderId: string | undefined;
  readonly status: "COMPLETE" | "PARTIAL" | "FAILED";
  readonly completed: readonly string[];
  readonly failed: readonly string[];
  readonly createdAt: string;
}

/**
 * Bandwidth's number state on the emulator: reservations (tnreservation), orders (ExistingTelephoneNumberOrderType,
 * processed at once but reported RECEIVED on create, as the real API does), and disconnects. It enforces the
 * carrier's rules: a TN bought once cannot be bought again; a TN reserved by someone else cannot be ordered
 * without its reservation id; a disconnect frees the TN.
 */
export class BandwidthNumberState {
  readonly owned = new Set<string>();
  readonly reservations = new Map<string, string>();
  readonly orders = new Map<string, EmulatedOrder>();
  /** Every TN bought, in order: a double buy shows up here. */
  readonly purchases: string[] = [];

  constructor(private readonly inventory: readonly InventoryNumber[]) {}

  isForSale(tn: string): boolean {
    return this.inventory.some((number) => number.nationalNumber === tn) && !this.owned.has(tn) && ![...this.reservations.values()].includes(tn);
  }

  reserve(request: EmulatorRequest, reservationPath: string): EmulatorResponse {
    const tn = childText(xmlRoot(request.body, "Reservation"), "ReservedTn");
    if (!tn || !this.isForSale(tn)) {
      return xml(400, buildXml({ ReservationResponse: { ResponseStatus: { ErrorCode: "5041", Description: `Reservation failed: telephone number ${tn ?? ""} is not available.` } } }));
    }
    const id = randomUUID();
    this.reservations.set(id, tn);
    return { status: 201, headers: { location: `${reservationPath}/${id}` }, body: "" };
  }

  fetchReservation(id: string, accountId: string): EmulatorResponse {
    const tn = this.reservations.get(id);
    if (!tn) return reservationNotFound();
    return xml(200, buildXml({ ReservationResponse: { Reservation: { ReservationId: id, AccountId: accountId, ReservationExpires: "14400", ReservedTn: tn } } }));
  }

  cancelReservation(id: string): EmulatorResponse {
    if (!this.reservations.delete(id)) return reservationNotFound();
    return xml(200, buildXml({ ReservationResponse: "" }));
  }

  placeOrder(request: EmulatorRequest): EmulatorResponse {
    const order = xmlRoot(request.body, "Order");
    const siteId = childText(order, "SiteId");
    if (!siteId) return orderError("5022", "SiteId is a required field.");
    const customerOrderId = childText(order, "CustomerOrderId");
    if (customerOrderId !== undefined && !/^[0-9A-Za-z -]{1,40}$/.test(customerOrderId)) {
      return orderError("5052", "Customer order ID is invalid. Only alphanumeric values, dashes and spaces are allowed. Max length is 40 characters.");
    }
    const existing = childObject(order, "ExistingTelephoneNumberOrderType");
    const tns = asArray(childObject(existing, "TelephoneNumberList")?.["TelephoneNumber"]).filter((tn): tn is string => typeof tn === "string");
    if (tns.length === 0) return orderError("5001", "Invalid input telephone number list");
    const reservationIds = asArray(childObject(existing, "ReservationIdList")?.["ReservationId"]).filter((id): id is string => typeof id === "string");
    const partialAllowed = childText(order, "PartialAllowed") !== "false";

    const heldByCaller = (tn: string) => reservationIds.some((id) => this.reservations.get(id) === tn);
    const buyable = tns.filter((tn) => heldByCaller(tn) || this.isForSale(tn));
    const failed = tns.filter((tn) => !buyable.includes(tn));
    const completed = failed.length > 0 && !partialAllowed ? [] : buyable;
    for (const tn of completed) {
      this.owned.add(tn);
      this.purchases.push(tn);
      for (const [id, reserved] of this.reservations) if (reserved === tn) this.reservations.delete(id);
    }
    const status = completed.length === tns.length ? "COMPLETE" : completed.length > 0 ? "PARTIAL" : "FAILED";
    const id = randomUUID();
    const createdAt = new Date().toISOString();
    this.orders.set(id, { id, customerOrderId, status, completed, failed: tns.filter((tn) => !completed.includes(tn)), createdAt });
    return xml(201, buildXml({ OrderResponse: { Order: { OrderCreateDate: createdAt, id, CustomerOrderId: customerOrderId, SiteId: siteId }, OrderStatus: "RECEIVED" } }));
  }

  fetchOrder(id: string): EmulatorResponse {
    const order = this.orders.get(id);
    if (!order) return xml(404, buildXml({ OrderResponse: { ErrorList: { Error: { Code: "5035", Description: `order ${id} not found.` } } } }));
    return xml(200, buildXml({ OrderResponse: this.#describe(order) }));
  }

  listOrders(request: EmulatorRequest): EmulatorResponse {
    const customerOrderId = request.query.get("customerOrderId");
    const matching = [...this.orders.values()].filter((order) => customerOrderId === null || order.customerOrderId === customerOrderId);
    return xml(200, buildXml({
      ResponseSelectWrapper: {
        ListOrderIdUserIdDate: {
          TotalCount: String(matching.length),
          OrderIdUserIdDate: matching.map((order) => ({ CountOfTNs: String(order.completed.length + order.failed.length), orderId: order.id, OrderStatus: order.status, OrderDate: order.createdAt })),
        },
      },
    }));
  }

  disconnect(request: EmulatorRequest): EmulatorResponse {
    const disconnectOrder = xmlRoot(request.body, "DisconnectTelephoneNumberOrder");
    const type = childObject(disconnectOrder, "DisconnectTelephoneNumberOrderType");
    const tns = asArray(childObject(type, "TelephoneNumberList")?.["TelephoneNumber"]).filter((tn): tn is string => typeof tn === "string");
    const notOwned = tns.filter((tn) => !this.owned.has(tn));
    if (tns.length === 0 || notOwned.length > 0) {
      return xml(400, buildXml({ DisconnectTelephoneNumberOrderResponse: { ErrorList: { Error: { Code: "5076", Description: `Telephone number ${notOwned[0] ?? ""} is not on the account.` } } } }));
    }
    for (const tn of tns) this.owned.delete(tn);
    return xml(201, buildXml({ DisconnectTelephoneNumberOrderResponse: { orderRequest: { id: randomUUID(), OrderCreateDate: new Date().toISOString() }, OrderStatus: "RECEIVED" } }));
  }

  #describe(order: EmulatedOrder): Record<string, unknown> {
    return {
      CompletedQuantity: String(order.completed.length),
      FailedQuantity: String(order.failed.length),
      Order: { id: order.id, CustomerOrderId: order.customerOrderId, OrderCreateDate: order.createdAt },
      OrderStatus: order.status,
      ...(order.completed.length > 0 ? { CompletedNumbers: { TelephoneNumber: order.completed.map((tn) => ({ FullNumber: tn })) } } : {}),
      ...(order.failed.length > 0
        ? {
            FailedNumbers: { FullNumber: [...order.failed] },
            ErrorList: { Error: order.failed.map((tn) => ({ Code: "5005", Description: "Telephone Number Unavailable", TelephoneNumber: tn })) },
          }
        : {}),
    };
  }
}

function xmlRoot(body: string, element: string): Record<string, unknown> | undefined {
  try {
    return childObject(parseXml(body), element);
  } catch {
    return undefined;
  }
}

function orderError(code: string, description: string): EmulatorResponse {
  return xml(400, buildXml({ OrderResponse: { ErrorList: { Error: { Code: code, Description: description } } } }));
}

function reservationNotFound(): EmulatorResponse {
  return xml(404, buildXml({ ReservationResponse: { ResponseStatus: { ErrorCode: "5042", Description: "Reservation not found" } } }));
}
