import type { OrderFailure } from "../domain/order-failure.js";

/** What the store hands out: camelCase records, times in epoch ms, JSON columns parsed. */

export interface CustomerInfoRecord {
  readonly customerId: string;
  readonly name: string;
  readonly email: string;
  readonly company: string;
  readonly address?: {
    readonly addressLines: readonly string[];
    readonly locality: string;
    readonly administrativeArea: string;
    readonly postalCode: string;
    readonly regionCode: string;
  };
}

export type ReservationState = "active" | "expired" | "cancelled" | "consumed";

export interface ReservationRecord {
  readonly id: string;
  readonly requestId: string | undefined;
  readonly phoneNumber: string;
  readonly carrierId: string;
  readonly state: ReservationState;
  readonly carrierReservationId: string | undefined;
  readonly customerInfo: CustomerInfoRecord | undefined;
  readonly createdAt: number;
  readonly expiresAt: number;
}

export type OrderState = "pending" | "completed" | "failed" | "in_doubt" | "partial";
export type OrderItemState = "pending" | "purchased" | "failed";

/** The offer a number was bought from, kept with the order so the owned number has locality and price. */
export interface OfferSnapshot {
  readonly numberType?: string;
  readonly locality?: string;
  readonly region?: string;
  readonly capabilities: readonly string[];
  readonly monthlyPriceCents?: number;
  readonly currencyCode?: string;
}

export interface OrderItemRecord {
  readonly phoneNumber: string;
  readonly state: OrderItemState;
  readonly detail: string;
  readonly carrierNumberId: string | undefined;
  readonly offer: OfferSnapshot | undefined;
  /** When a request that could buy it left numbergate; undefined: it provably never did. */
  readonly sentAt: number | undefined;
  readonly reservationId: string | undefined;
  /** Why it was not bought, for a failed item (undefined for rows written before this was kept). */
  readonly failure: OrderFailure | undefined;
}

/**
 * An order's part in a substitution (PurchaseNumber allow_substitute). The substitute order bought an
 * equivalent number at another carrier for the request (it carries the request's own request_id, which its
 * row stores with a suffix, since request_id is unique); the original order either names its substitute or
 * says that none was found, so every retry of the request_id gets the same answer.
 */
export type OrderSubstitution =
  | {
      readonly kind: "substitute";
      /** The request's request_id (the same as the original order's). */
      readonly requestId: string;
      readonly originalOrderId: string;
      readonly requestedPhoneNumber: string;
      readonly requestedCarrierId: string;
      /** Why the requested carrier was not used, for humans. */
      readonly reason: string;
    }
  | { readonly kind: "replaced"; readonly substituteOrderId: string }
  | { readonly kind: "none_found"; readonly detail: string };

export interface OrderRecord {
  readonly id: string;
  readonly requestId: string;
  readonly requestFingerprint: string;
  readonly carrierId: string;
  readonly state: OrderState;
  readonly orderReference: string;
  readonly carrierOrderId: string | undefined;
  readonly reservationId: string | undefined;
  readonly customerInfo: CustomerInfoRecord | undefined;
  readonly detail: string;
  readonly carrierCallStartedAt: number | undefined;
  readonly checkAttempts: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly items: readonly OrderItemRecord[];
  /** Set when allow_substitute made this order a substitute, or replaced it (see OrderSubstitution). */
  readonly substitution?: OrderSubstitution;
  /** The W3C traceparent of the RPC that created it (telemetry/trace-links.ts); undefined when untraced. */
  readonly traceParent?: string;
}

export type ReleaseState = "pending" | "in_doubt" | "completed" | "failed";

export interface ReleaseRecord {
  readonly id: string;
  readonly requestId: string;
  readonly requestFingerprint: string;
  readonly ownedNumberId: string;
  readonly phoneNumber: string;
  readonly carrierId: string;
  readonly state: ReleaseState;
  readonly alreadyReleased: boolean;
  readonly orderReference: string;
  readonly carrierOrderId: string | undefined;
  readonly failureKind: string | undefined;
  readonly detail: string;
  readonly sentAt: number | undefined;
  readonly checkAttempts: number;
  readonly actor: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type OwnedNumberState = "active" | "releasing" | "released";

export interface OwnedNumberRecord {
  readonly id: string;
  readonly phoneNumber: string;
  readonly carrierId: string;
  readonly state: OwnedNumberState;
  readonly carrierNumberId: string;
  readonly numberType: string | undefined;
  readonly locality: string | undefined;
  readonly region: string | undefined;
  readonly capabilities: readonly string[];
  readonly monthlyPriceCents: number | undefined;
  readonly currencyCode: string | undefined;
  readonly orderId: string;
  readonly customerInfo: CustomerInfoRecord | undefined;
  readonly purchasedAt: number;
  readonly releasedAt: number | undefined;
}

export function parseJson<Value>(text: string | null): Value | undefined {
  return text === null ? undefined : (JSON.parse(text) as Value);
}

export function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}
