import type { CarrierPortInState, CarrierPortInStatus } from "../../domain/carrier-lifecycle.js";
import type { TelnyxPortingOrder, TelnyxPortingStatus } from "./telnyx-porting-wire.js";

/**
 * PortingOrderStatus.value onto numbergate's port-in states (telnyx.md, 6. Porting). A draft is "awaiting documents":
 * numbergate confirms a draft as soon as it has everything, so a draft is one still missing something. cancel-pending
 * is not final (Telnyx may still port the numbers), so it stays "submitted" until Telnyx says `cancelled`. A status
 * numbergate does not know is "pending": recorded at Telnyx, nothing more is claimed.
 */
export function mapTelnyxPortingState(value: string): CarrierPortInState {
  switch (value) {
    case "draft":
      return "awaiting_documents";
    case "in-process":
    case "submitted":
    case "cancel-pending":
      return "submitted";
    case "exception":
      return "action_required";
    case "foc-date-confirmed":
      return "foc_scheduled";
    case "ported":
      return "completed";
    case "cancelled":
      return "cancelled";
    default:
      return "pending";
  }
}

function dateOf(value: string | null | undefined): Date | undefined {
  if (value === null || value === undefined) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : new Date(at);
}

/** An exception's explanation: each exception type with Telnyx's description of it. */
function exceptionDetail(status: TelnyxPortingStatus): string {
  const parts = (status.details ?? []).map((detail) => [detail.code, detail.description].filter(Boolean).join(": ")).filter((part) => part !== "");
  return parts.length > 0 ? parts.join("; ") : "Telnyx reports an exception on the porting order without naming it";
}

/** The detail of a status other than a draft's (whose detail names what is missing, see telnyx-porting.ts). */
function statusDetail(status: TelnyxPortingStatus): string {
  switch (status.value) {
    case "exception":
      return exceptionDetail(status);
    case "cancel-pending":
      return "cancellation requested; Telnyx has not confirmed it yet";
    default:
      return "";
  }
}

/**
 * A status as numbergate reads it from the parts every Telnyx answer and event carries. `draftDetail` is what a
 * draft still lacks. The FOC date is Telnyx's confirmed one (`foc_datetime_actual`), never the requested one.
 */
export function telnyxPortInStatus(
  parts: { readonly id: string; readonly status: TelnyxPortingStatus; readonly updatedAt: string | null | undefined; readonly focActual: string | null | undefined },
  draftDetail = "",
): CarrierPortInStatus {
  return {
    carrierOrderId: parts.id,
    state: mapTelnyxPortingState(parts.status.value),
    focDate: dateOf(parts.focActual),
    carrierStatus: parts.status.value,
    detail: parts.status.value === "draft" ? draftDetail : statusDetail(parts.status),
    statusTime: dateOf(parts.updatedAt),
  };
}

/** A porting order's status from Telnyx's answer about it. */
export function telnyxOrderStatus(order: TelnyxPortingOrder, draftDetail = ""): CarrierPortInStatus {
  return telnyxPortInStatus({ id: order.id, status: order.status, updatedAt: order.updated_at, focActual: order.activation_settings?.foc_datetime_actual }, draftDetail);
}

/** A draft's missing documents, by Telnyx's names for them; empty when both are there. */
export function missingDocuments(order: TelnyxPortingOrder): string[] {
  const missing: string[] = [];
  if (!order.documents?.loa) missing.push("the letter of authorization (documents.loa)");
  if (!order.documents?.invoice) missing.push("the latest invoice (documents.invoice)");
  return missing;
}

/** Whether a draft has everything Telnyx needs to submit it. */
export function readyToConfirm(order: TelnyxPortingOrder): boolean {
  return order.status.value === "draft" && missingDocuments(order).length === 0 && order.requirements_met !== false;
}
