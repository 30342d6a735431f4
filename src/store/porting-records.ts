import type { CarrierDocumentReference, CarrierPortInAddress, PortInDocumentKind } from "../domain/carrier-lifecycle.js";
import type { PortingState } from "../porting/porting-state.js";
import type { Secret } from "../config/secret.js";

/** What the porting store hands out: camelCase records, times in epoch ms. Never a PIN or an account number. */

export interface PortingOrderRecord {
  readonly id: string;
  readonly requestId: string;
  readonly requestFingerprint: string;
  /** The gaining carrier. */
  readonly carrierId: string;
  readonly state: PortingState;
  /** E.164, the first is the create request's phone_number. */
  readonly phoneNumbers: readonly string[];
  /** numbergate's reference at the carrier (CustomerOrderId, customer_reference): finds an in-doubt submission. */
  readonly orderReference: string;
  readonly currentProvider: string;
  /** Personal data: stored sealed, returned to the caller who owns the order. */
  readonly authorizedName: string;
  readonly serviceAddress: CarrierPortInAddress;
  readonly accountNumberLast4: string;
  readonly requestedPortAt: number | undefined;
  readonly carrierDocuments: readonly CarrierDocumentReference[];
  /** Undefined until the carrier accepted the submission (or while it is in doubt). */
  readonly carrierOrderId: string | undefined;
  readonly carrierStatus: string;
  readonly detail: string;
  readonly focAt: number | undefined;
  /** The carrier's time of the last observation applied (state machine ordering); undefined before any. */
  readonly lastObservedAt: number | undefined;
  /** When a create call left for the carrier; set while the submission's outcome is unknown. */
  readonly submissionStartedAt: number | undefined;
  /** When a resubmission left for the carrier; set while its outcome is unknown. */
  readonly resubmissionStartedAt: number | undefined;
  /** Checks in a row that found nothing new (the poller's backoff); 0 after a change. */
  readonly pollAttempt: number;
  /** When the poller looks at it next; undefined: as soon as it is claimed. */
  readonly nextCheckAt: number | undefined;
  readonly documents: readonly PortingDocumentRecord[];
  readonly transitions: readonly PortingTransitionRecord[];
  readonly createdAt: number;
  readonly updatedAt: number;
  /** The W3C traceparent of the RPC that created it (telemetry/trace-links.ts); undefined when untraced. */
  readonly traceParent: string | undefined;
}

export interface PortingDocumentRecord {
  readonly kind: PortInDocumentKind;
  readonly fileName: string;
  readonly contentType: string;
  readonly sizeBytes: number;
  readonly carrierDocumentId: string | undefined;
  readonly attachedAt: number;
}

export type PortingTransitionSource = "request" | "carrier poll" | "carrier callback";

export interface PortingTransitionRecord {
  readonly fromState: PortingState;
  readonly toState: PortingState;
  readonly at: number;
  readonly source: PortingTransitionSource;
  readonly carrierStatus: string;
  readonly detail: string;
}

/** The secrets and personal data a submission needs, opened only to go on the wire. */
export interface PortingSecrets {
  readonly accountNumber: Secret | undefined;
  readonly pin: Secret | undefined;
  readonly authorizedEmail: string | undefined;
}

export interface NewPortingOrder {
  readonly id: string;
  readonly requestId: string;
  readonly fingerprint: string;
  readonly carrierId: string;
  readonly phoneNumbers: readonly string[];
  readonly orderReference: string;
  readonly currentProvider: string;
  readonly authorizedName: string;
  readonly serviceAddress: CarrierPortInAddress;
  readonly requestedPortAt: number | undefined;
  readonly carrierDocuments: readonly CarrierDocumentReference[];
  readonly secrets: PortingSecrets;
  /** Who asked (audit actor). */
  readonly actor: string;
  readonly now: number;
  /** The W3C traceparent of the RPC creating it, for the poller's traces to link to. */
  readonly traceParent?: string;
}

export type CreatePortingOrderResult =
  | { readonly kind: "created"; readonly order: PortingOrderRecord }
  /** The same request_id with the same fingerprint: a retry; answer with the order as it is. */
  | { readonly kind: "existing"; readonly order: PortingOrderRecord }
  | { readonly kind: "request_id_reused"; readonly order: PortingOrderRecord }
  /** A number is already in another open port (or owned by numbergate). */
  | { readonly kind: "number_busy"; readonly phoneNumber: string; readonly reason: string };

/** One look at the port at the carrier (a poll, a callback, or the answer to a request). */
export interface PortingObservationInput {
  readonly state: PortingState;
  readonly carrierOrderId: string;
  readonly carrierStatus: string;
  readonly detail: string;
  readonly focAt: number | undefined;
  /** The carrier's time for it when it gives one, else when numbergate saw it. */
  readonly observedAt: number;
  readonly source: PortingTransitionSource;
  readonly actor: string;
  readonly now: number;
}

export type ApplyObservationResult =
  | { readonly kind: "transition"; readonly order: PortingOrderRecord; readonly transition: PortingTransitionRecord }
  /** No state change; the carrier's words or FOC date may have been refreshed. */
  | { readonly kind: "unchanged"; readonly order: PortingOrderRecord }
  | { readonly kind: "ignored"; readonly order: PortingOrderRecord; readonly reason: string }
  | { readonly kind: "not_found" };

export interface PortingOrderFilter {
  readonly carrierId?: string;
  readonly state?: PortingState;
  readonly pageSize: number;
  /** The last order of the previous page (orders are listed newest first). */
  readonly after?: { readonly createdAt: number; readonly id: string };
}

export interface PortingOrderPage {
  readonly orders: readonly PortingOrderRecord[];
  readonly hasMore: boolean;
}

/** Replacements for a resubmission; undefined keeps the stored value. */
export interface PortingCorrection {
  readonly accountNumber?: Secret;
  readonly pin?: Secret;
  readonly authorizedName?: string;
  readonly serviceAddress?: CarrierPortInAddress;
}

export type CorrectPortingOrderResult =
  | { readonly kind: "corrected"; readonly order: PortingOrderRecord }
  /** A port in a final state is never corrected; nothing was written. */
  | { readonly kind: "final"; readonly order: PortingOrderRecord }
  | { readonly kind: "not_found" };
