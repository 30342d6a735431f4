import type { Selectable } from "kysely";
import { decodeOrderFailure } from "../domain/order-failure.js";
import {
  parseJson,
  type CustomerInfoRecord,
  type OfferSnapshot,
  type OrderItemRecord,
  type OrderItemState,
  type OrderRecord,
  type OrderState,
  type OrderSubstitution,
} from "./records.js";
import { ORDER_CUSTOMER_INFO, OWNED_NUMBER_CUSTOMER_INFO } from "./encrypted-columns.js";
import type { FieldCipher } from "./field-cipher.js";
import type { NumberOrderItemsTable, NumberOrdersTable } from "./schema.js";

/** Rows of the order tables as records, and the owned-number row a bought item becomes. */

export function toItem(row: Selectable<NumberOrderItemsTable>): OrderItemRecord {
  return {
    phoneNumber: row.phone_number,
    state: row.state as OrderItemState,
    detail: row.detail,
    carrierNumberId: row.carrier_number_id ?? undefined,
    offer: parseJson<OfferSnapshot>(row.offer),
    sentAt: row.sent_at ?? undefined,
    reservationId: row.reservation_id ?? undefined,
    failure: row.failure_kind === null ? undefined : decodeOrderFailure(row.failure_kind),
  };
}

export function toOrder(row: Selectable<NumberOrdersTable>, items: readonly OrderItemRecord[], cipher: FieldCipher): OrderRecord {
  const substitution = parseJson<OrderSubstitution>(row.substitution);
  return {
    id: row.id,
    // A substitute's row keeps a suffixed request_id (the column is unique); the order answers to the request's.
    requestId: substitution?.kind === "substitute" ? substitution.requestId : row.request_id,
    requestFingerprint: row.request_fingerprint,
    carrierId: row.carrier_id,
    state: row.state as OrderState,
    orderReference: row.order_reference,
    carrierOrderId: row.carrier_order_id ?? undefined,
    reservationId: row.reservation_id ?? undefined,
    customerInfo: parseJson<CustomerInfoRecord>(cipher.open(ORDER_CUSTOMER_INFO, row.id, row.customer_info)),
    detail: row.detail,
    carrierCallStartedAt: row.carrier_call_started_at ?? undefined,
    checkAttempts: row.check_attempts,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    items,
    substitution,
    traceParent: row.trace_parent ?? undefined,
  };
}

/**
 * The owned number an order item becomes once the carrier sold it. Its customer data is sealed again for
 * owned_numbers: a value is bound to its column, and a legacy plain order is encrypted on the way.
 */
export function ownedRow(order: Selectable<NumberOrdersTable>, item: OrderItemRecord, carrierNumberId: string, now: number, cipher: FieldCipher) {
  const offer = item.offer;
  return {
    id: `num_${order.id}_${item.phoneNumber.replace("+", "")}`,
    phone_number: item.phoneNumber,
    carrier_id: order.carrier_id,
    state: "active",
    carrier_number_id: carrierNumberId,
    number_type: offer?.numberType ?? null,
    locality: offer?.locality ?? null,
    region: offer?.region ?? null,
    capabilities: JSON.stringify(offer?.capabilities ?? []),
    monthly_price_cents: offer?.monthlyPriceCents ?? null,
    currency_code: offer?.currencyCode ?? null,
    order_id: order.id,
    customer_info: cipher.reseal(ORDER_CUSTOMER_INFO, order.id, order.customer_info, OWNED_NUMBER_CUSTOMER_INFO),
    purchased_at: now,
    released_at: null,
    release_request_id: null,
  };
}
