import type { CarrierErrorKind } from "./carrier-error.js";
import type { ParsedPhoneNumber } from "./phone-number.js";
import type { Capability, NumberType } from "./numbers.js";

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

/**
 * What a carrier says about a purchase, from its answer to the purchase or from a lookup. Numbergate trusts
 * it only for the numbers the order asked for: anything else listed is a discrepancy, never an owned number.
 * A number of the order listed in neither `purchased` nor `failed` is still being processed when `state`
 * is "pending" (the carrier holds the order); otherwise the carrier has no trace of buying it.
 */
export interface CarrierOrderStatus {
  readonly carrierOrderId: string | undefined;
  readonly state: CarrierOrderState;
  readonly purchased: readonly { readonly e164: string; readonly carrierNumberId: string }[];
  /** `kind`: where the carrier's code for the refusal maps onto the taxonomy (a number no longer for sale: not_found). */
  readonly failed: readonly { readonly e164: string; readonly carrierCode: string | undefined; readonly detail: string; readonly kind?: CarrierErrorKind }[];
}

/**
 * Finds a purchase: by the carrier's order id when numbergate has it, else by numbergate's order reference
 * (Bandwidth CustomerOrderId, Twilio FriendlyName). Only a number bought under this reference counts as
 * bought by this order: the account may hold the same number from elsewhere.
 */
export interface CarrierOrderLookup {
  readonly carrierOrderId: string | undefined;
  readonly orderReference: string;
  /** The numbers still unresolved; the lookup reports on these. */
  readonly numbers: readonly ParsedPhoneNumber[];
}

export interface CarrierReleaseRequest {
  readonly number: ParsedPhoneNumber;
  readonly carrierNumberId: string | undefined;
  readonly orderReference: string;
}

export interface CarrierReleaseResult {
  /**
   * completed: the number is off the account. pending: the carrier accepted a release order it completes later
   * (Bandwidth disconnects), to be followed with doGetReleaseStatus. not_owned: the account did not hold it.
   */
  readonly state: "completed" | "pending" | "not_owned";
  readonly carrierOrderId: string | undefined;
}

/** Finds out what became of a release that is pending at the carrier or whose answer was lost. */
export interface CarrierReleaseLookup {
  readonly number: ParsedPhoneNumber;
  readonly carrierNumberId: string | undefined;
  /** The carrier's release order id (Bandwidth disconnect id) when the carrier's answer was received. */
  readonly carrierOrderId: string | undefined;
  readonly orderReference: string;
}

/**
 * completed: the number is no longer on the account. pending: the carrier's release order is still running.
 * failed: the carrier's release order ended without releasing the number. still_owned: the carrier has no
 * trace of a release and the account still holds the number (a lost request, once the grace has passed).
 */
export type CarrierReleaseStatus =
  | { readonly state: "completed" | "pending" | "still_owned" }
  | { readonly state: "failed"; readonly carrierCode: string | undefined; readonly detail: string };

export interface CarrierOwnedNumber {
  readonly e164: string;
  readonly carrierNumberId: string;
  readonly numberType: NumberType | undefined;
  /** What the carrier says the number can do, when its list says (adopted numbers keep it). */
  readonly capabilities?: readonly Capability[];
}

export interface CarrierOwnedNumbersPage {
  readonly numbers: readonly CarrierOwnedNumber[];
  readonly nextPageToken: string | undefined;
}

/** One number's portability as the gaining carrier answered it. */
export interface CarrierPortabilityAnswer {
  readonly e164: string;
  readonly portable: boolean;
  /** The carrier's words (and code, where it has one) when not portable. */
  readonly notPortableReason: string | undefined;
  readonly losingCarrierName: string | undefined;
  /** The losing carrier needs the account number (and PIN) on the port-in. */
  readonly accountNumberRequired: boolean;
  /** What the carrier says the number is, when it says. */
  readonly numberType: NumberType | undefined;
}

export interface CarrierPortInAddress {
  readonly addressLines: readonly string[];
  readonly locality: string;
  readonly administrativeArea: string;
  readonly postalCode: string;
  readonly regionCode: string;
}

/** What a carrier needs on a port-in: the same for a first submission and for a corrected resubmission. */
export interface CarrierPortInRequest {
  readonly numbers: readonly ParsedPhoneNumber[];
  /** numbergate's reference for the port (Bandwidth CustomerOrderId, Telnyx customer_reference): finds it again. */
  readonly orderReference: string;
  readonly losingCarrierName: string;
  readonly authorizedName: string;
  readonly authorizedEmail: string | undefined;
  /** Secrets: adapters put them on the wire and nowhere else. */
  readonly accountNumber: { reveal(): string } | undefined;
  readonly pin: { reveal(): string } | undefined;
  readonly serviceAddress: CarrierPortInAddress;
  readonly requestedPortDate: Date | undefined;
  /** Documents already uploaded to this carrier (Twilio Document SIDs, Telnyx document ids), sent with the order. */
  readonly carrierDocuments: readonly CarrierDocumentReference[];
  /**
   * Where the carrier should send this port's status notifications, when numbergate is reachable by it and the
   * carrier takes a per-order URL (Telnyx webhook_url); carriers configured per account ignore it.
   */
  readonly notificationUrl: string | undefined;
}

/** What finds a port-in whose create answer was lost. */
export interface CarrierPortInLookup {
  /** The orderReference the create carried (carriers that keep one find it by it). */
  readonly orderReference: string;
  /** The numbers it asked to port, and when it left numbergate (carriers that keep no reference are searched by these). */
  readonly numbers: readonly ParsedPhoneNumber[];
  readonly sentAt: Date;
}

export type PortInDocumentKind = "letter_of_authorization" | "bill_copy" | "other";

/** A document the carrier already holds, by its id there. */
export interface CarrierDocumentReference {
  readonly kind: PortInDocumentKind;
  readonly carrierDocumentId: string;
}

/** A document given to numbergate to hand to the carrier: either its bytes, or its id at the carrier. */
export type CarrierPortInDocument =
  | { readonly source: "content"; readonly kind: PortInDocumentKind; readonly fileName: string; readonly contentType: string; readonly content: Uint8Array }
  | ({ readonly source: "carrier" } & CarrierDocumentReference);

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
  /** The carrier's id for the port-in (a resubmission at Twilio is a new request with a new id). */
  readonly carrierOrderId: string;
  readonly state: CarrierPortInState;
  readonly focDate: Date | undefined;
  /** The carrier's own status word, as it says it (Bandwidth "FOC", Telnyx "exception", Twilio "Action Required"). */
  readonly carrierStatus: string;
  /** The carrier's explanation for humans: a rejection's reason and code, what is missing; "" when it says nothing. */
  readonly detail: string;
  /** When the carrier says the port reached this status, when it says; polls without it are stamped by the caller. */
  readonly statusTime: Date | undefined;
}

/** A notification as it reached numbergate's HTTP port, for the carrier's adapter to verify and read. */
export interface CarrierNotification {
  readonly method: string;
  /** The full URL the carrier posted to, as the carrier addressed it (signatures cover it), query included. */
  readonly url: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The body exactly as received (signatures cover the raw bytes). */
  readonly body: Buffer;
  /** When it arrived, ms since the epoch (signature timestamps are checked against it). */
  readonly receivedAt: number;
}

export type CarrierNotificationReading =
  /** Not proven to come from the carrier: rejected (and audited) with this reason, never applied. */
  | { readonly verified: false; readonly reason: string }
  /** From the carrier; `status` is the port-in it reports on, undefined when the event says nothing about one. */
  | { readonly verified: true; readonly eventType: string; readonly status: CarrierPortInStatus | undefined };
