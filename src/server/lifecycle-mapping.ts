import type { CustomerInfo } from "../../generated/numbergate/v1/common.js";
import {
  NumberOrderItemState,
  NumberOrderState,
  OwnedNumberState,
  ReservationState,
  type NumberOrder,
  type OwnedNumber,
  type Reservation,
} from "../../generated/numbergate/v1/numbers.js";
import type { Capability, NumberType } from "../domain/numbers.js";
import type { CustomerInfoRecord, OrderRecord, OwnedNumberRecord, ReservationRecord } from "../store/records.js";
import { capabilityToProto, numberTypeToProto } from "./proto-enums.js";
import { toTimestamp } from "./provider-mapping.js";

/** An e-mail address as responses show it: enough to tell customers apart, never the address itself. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  if (email === "" || at < 1) return email === "" ? "" : "***";
  return `${email.slice(0, 1)}***${email.slice(at)}`;
}

export function customerInfoToProto(info: CustomerInfoRecord | undefined): CustomerInfo | undefined {
  if (!info) return undefined;
  return { ...info, email: maskEmail(info.email), address: info.address ? { ...info.address, addressLines: [...info.address.addressLines] } : undefined };
}

const RESERVATION_STATE = {
  active: ReservationState.RESERVATION_STATE_ACTIVE,
  expired: ReservationState.RESERVATION_STATE_EXPIRED,
  cancelled: ReservationState.RESERVATION_STATE_CANCELLED,
  consumed: ReservationState.RESERVATION_STATE_CONSUMED,
} as const;

export function reservationToProto(reservation: ReservationRecord): Reservation {
  return {
    reservationId: reservation.id,
    phoneNumber: reservation.phoneNumber,
    providerId: reservation.carrierId,
    state: RESERVATION_STATE[reservation.state],
    createTime: toTimestamp(reservation.createdAt),
    expireTime: toTimestamp(reservation.expiresAt),
    customerInfo: customerInfoToProto(reservation.customerInfo),
    carrierReservationId: reservation.carrierReservationId ?? "",
    requestId: reservation.requestId ?? "",
  };
}

const ORDER_STATE = {
  pending: NumberOrderState.NUMBER_ORDER_STATE_PENDING,
  completed: NumberOrderState.NUMBER_ORDER_STATE_COMPLETED,
  failed: NumberOrderState.NUMBER_ORDER_STATE_FAILED,
  in_doubt: NumberOrderState.NUMBER_ORDER_STATE_IN_DOUBT,
  partial: NumberOrderState.NUMBER_ORDER_STATE_PARTIAL,
} as const;

const ITEM_STATE = {
  pending: NumberOrderItemState.NUMBER_ORDER_ITEM_STATE_PENDING,
  purchased: NumberOrderItemState.NUMBER_ORDER_ITEM_STATE_PURCHASED,
  failed: NumberOrderItemState.NUMBER_ORDER_ITEM_STATE_FAILED,
} as const;

export function orderToProto(order: OrderRecord): NumberOrder {
  return {
    orderId: order.id,
    requestId: order.requestId,
    providerId: order.carrierId,
    state: ORDER_STATE[order.state],
    items: order.items.map((item) => ({ phoneNumber: item.phoneNumber, state: ITEM_STATE[item.state], detail: item.detail })),
    carrierOrderId: order.carrierOrderId ?? "",
    createTime: toTimestamp(order.createdAt),
    updateTime: toTimestamp(order.updatedAt),
    detail: order.detail,
    customerInfo: customerInfoToProto(order.customerInfo),
  };
}

const OWNED_STATE = {
  active: OwnedNumberState.OWNED_NUMBER_STATE_ACTIVE,
  releasing: OwnedNumberState.OWNED_NUMBER_STATE_RELEASING,
  released: OwnedNumberState.OWNED_NUMBER_STATE_RELEASED,
} as const;

const KNOWN_CAPABILITIES = new Set<string>(["voice", "sms", "mms", "fax"]);
const KNOWN_TYPES = new Set<string>(["local", "toll_free", "mobile"]);

export function ownedNumberToProto(number: OwnedNumberRecord): OwnedNumber {
  return {
    phoneNumber: number.phoneNumber,
    providerId: number.carrierId,
    state: OWNED_STATE[number.state],
    carrierNumberId: number.carrierNumberId,
    numberType: number.numberType && KNOWN_TYPES.has(number.numberType) ? numberTypeToProto(number.numberType as NumberType) : 0,
    locality: number.locality ?? "",
    region: number.region ?? "",
    capabilities: number.capabilities.filter((capability) => KNOWN_CAPABILITIES.has(capability)).map((capability) => capabilityToProto(capability as Capability)),
    monthlyPrice:
      number.monthlyPriceCents === undefined ? undefined : { currencyCode: number.currencyCode ?? "USD", amountCents: number.monthlyPriceCents },
    orderId: number.orderId,
    purchaseTime: toTimestamp(number.purchasedAt),
    releaseTime: toTimestamp(number.releasedAt),
    customerInfo: customerInfoToProto(number.customerInfo),
  };
}
