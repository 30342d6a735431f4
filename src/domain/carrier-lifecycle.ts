import type { ParsedPhoneNumber } from "./phone-number.js";
import type { NumberType } from "./numbers.js";

/**
 * Types of the carrier operations beyond search: reservation, purchase, order status, release, owned
 * numbers, portability and port-in. Adapters implement them as their carrier's API allows.
 */

export interface CarrierReservationRequest {
  readonly number: ParsedPhoneNumber;
  /** How long to hold; the adapter bounds it by what the carrier allows. */
  readonly holdMs: number;
}

export interface CarrierReservation {
  readonly carrierReservationId: string;
  readonly expiresAt: Date | undefined;
}

export interface CarrierPurchaseRequest {
  /** One or more numbers, bought as one carrier order where the API allows. */
  readonly numbers: readonly ParsedPhoneNumber[];
  /**
   * numbergate's order reference, sent as the carrier's own order reference (Bandwidth CustomerOrderId,
   * Telnyx customer_reference) so an uncertain purchase can be looked up instead of repeated.
   */
  readonly orderReference: string;
  readonly carrierReservationIds: readonly string[];
}

export type CarrierOrderState = "pending" | "completed" | "partial" | "failed";

export interface CarrierOrderStatus {
  readonly carrierOrderId: string | undefined;
  readonly state: CarrierOrderState;
  readonly purchased: readonly { readonly e164: string; readonly carrierNumberId: string }[];
  readonly failed: readonly { readonly e164: string; readonly carrierCode: string | undefined; readonly detail: string }[];
}

export interface CarrierOrderLookup {
  readonly carrierOrderId: string | undefined;
  readonly orderReference: string;
  readonly numbers: readonly ParsedPhoneNumber[];
}

export interface CarrierReleaseRequest {
  readonly number: ParsedPhoneNumber;
  readonly carrierNumberId: string | undefined;
  readonly orderReference: string;
}

export interface CarrierReleaseResult {
  /** not_owned: the carrier says the account does not hold the number (already released). */
  readonly state: "completed" | "pending" | "not_owned";
  readonly carrierOrderId: string | undefined;
}

export interface CarrierOwnedNumber {
  readonly e164: string;
  readonly carrierNumberId: string;
  readonly numberType: NumberType | undefined;
}

export interface CarrierOwnedNumbersPage {
  readonly numbers: readonly CarrierOwnedNumber[];
  readonly nextPageToken: string | undefined;
}

export interface CarrierPortabilityAnswer {
  readonly e164: string;
  readonly portable: boolean;
  readonly notPortableReason: string | undefined;
  readonly losingCarrierName: string | undefined;
  readonly accountNumberRequired: boolean;
}

export interface CarrierPortInRequest {
  readonly numbers: readonly ParsedPhoneNumber[];
  readonly orderReference: string;
  readonly losingCarrierName: string;
  readonly authorizedName: string;
  readonly authorizedEmail: string | undefined;
  /** Secrets: adapters put them on the wire and nowhere else. */
  readonly accountNumber: { reveal(): string } | undefined;
  readonly pin: { reveal(): string } | undefined;
  readonly serviceAddress: {
    readonly addressLines: readonly string[];
    readonly locality: string;
    readonly administrativeArea: string;
    readonly postalCode: string;
    readonly regionCode: string;
  };
  readonly requestedPortDate: Date | undefined;
}

export type CarrierPortInState =
  | "pending"
  | "awaiting_documents"
  | "submitted"
  | "foc_scheduled"
  | "action_required"
  | "completed"
  | "cancelled"
  | "failed";

export interface CarrierPortInStatus {
  readonly carrierOrderId: string;
  readonly state: CarrierPortInState;
  readonly focDate: Date | undefined;
  readonly detail: string;
}
