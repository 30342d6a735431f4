import type { CarrierPortInState, CarrierPortInStatus } from "../../domain/carrier-lifecycle.js";
import type { TwilioPortIn, TwilioPortInNumber } from "./twilio-porting-wire.js";

/**
 * How a Twilio port-in request reads as one CarrierPortInState. Twilio keeps a status on the request
 * (`port_in_request_status`: "In progress, Completed, Expired, In review, Waiting for Signature, Action Required, and
 * Canceled"; the spec's examples also show "pending") and one per number (the emulator's and the spec example's
 * "In Review", "Waiting for Signature", "Submitted", "Pending", "Completed", "Rejected", "Canceled"). Statuses are
 * compared without letter case, as the spec writes "In review" and "In Review" for the same step.
 *
 * - request Canceled, or every number canceled: cancelled (with Twilio's order_cancellation_reason);
 * - request Expired: failed;
 * - a number Rejected: action_required, with its rejection_reason and code (the losing carrier refused it);
 * - every number Completed (or Canceled, at least one Completed), or the request Completed: completed;
 * - otherwise the least advanced number still moving decides: In Review or Waiting for Signature is awaiting_documents
 *   (Twilio has e-mailed the e-LOA and waits for the signature, the document it needs), Submitted is submitted, and
 *   Pending with a port_date is foc_scheduled (the latest port date of the numbers, when the whole port is done);
 * - a status Twilio adds later reads as pending.
 */

type NumberStep = "awaiting_documents" | "submitted" | "foc_scheduled";
const STEP_ORDER: readonly NumberStep[] = ["awaiting_documents", "submitted", "foc_scheduled"];

function normalized(status: string | null | undefined): string {
  return (status ?? "").trim().toLowerCase();
}

function timeOf(value: string | null | undefined): Date | undefined {
  if (!value) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time);
}

/** The rejection's words and code, as Twilio gives them. */
export function twilioRejectionDetail(phoneNumber: string | null | undefined, reason: string | null | undefined, code: string | number | null | undefined): string {
  const words = reason ?? "the losing carrier rejected the port without saying why";
  const codeText = code === null || code === undefined || code === "" ? "" : ` (rejection code ${code})`;
  return `${phoneNumber ? `${phoneNumber}: ` : ""}${words}${codeText}`;
}

function stepOf(number: TwilioPortInNumber): NumberStep | undefined {
  switch (normalized(number.port_in_phone_number_status)) {
    case "in review":
    case "waiting for signature":
      return "awaiting_documents";
    case "submitted":
      return "submitted";
    case "pending":
      // A Pending number without its confirmed date has not been given a FOC yet.
      return timeOf(number.port_date) ? "foc_scheduled" : "submitted";
    default:
      return undefined;
  }
}

/** The latest status change Twilio reports for the request's numbers (the request resource has no status time). */
function latestChange(numbers: readonly TwilioPortInNumber[]): Date | undefined {
  const times = numbers.map((number) => timeOf(number.status_last_time_updated_timestamp)?.getTime()).filter((time): time is number => time !== undefined);
  return times.length === 0 ? undefined : new Date(Math.max(...times));
}

/** The CarrierPortInStatus of a PortIn answer. Never reads the echoed losing carrier information or PINs. */
export function twilioPortInStatus(portIn: TwilioPortIn): CarrierPortInStatus {
  const requestStatus = portIn.port_in_request_status ?? "";
  const numbers = portIn.phone_numbers ?? [];
  const statuses = numbers.map((number) => normalized(number.port_in_phone_number_status));
  const base = { carrierOrderId: portIn.port_in_request_sid, statusTime: latestChange(numbers) };
  const status = (state: CarrierPortInState, carrierStatus: string, detail = "", focDate?: Date): CarrierPortInStatus => ({ ...base, state, carrierStatus, detail, focDate });
  const canceledDetail = portIn.order_cancellation_reason ?? "";

  const request = normalized(requestStatus);
  if (request === "canceled" || request === "cancelled") return status("cancelled", requestStatus, canceledDetail);
  if (request === "expired") return status("failed", requestStatus, "Twilio let the port-in request expire");
  if (numbers.length > 0 && statuses.every((numberStatus) => numberStatus === "canceled")) return status("cancelled", requestStatus, canceledDetail);

  const rejected = numbers.filter((number) => normalized(number.port_in_phone_number_status) === "rejected");
  if (rejected.length > 0) {
    const detail = rejected.map((number) => twilioRejectionDetail(number.phone_number, number.rejection_reason, number.rejection_reason_code)).join("; ");
    return status("action_required", `${requestStatus} (Rejected)`, detail);
  }

  const done = numbers.length > 0 && statuses.every((numberStatus) => numberStatus === "completed" || numberStatus === "canceled");
  if (request === "completed" || done) {
    const canceled = numbers.filter((number) => normalized(number.port_in_phone_number_status) === "canceled").map((number) => number.phone_number);
    return status("completed", requestStatus, canceled.length === 0 ? "" : `canceled before porting: ${canceled.join(", ")}`);
  }

  const moving = numbers.map((number) => ({ number, step: stepOf(number) })).filter((entry): entry is { number: TwilioPortInNumber; step: NumberStep } => entry.step !== undefined);
  const least = moving.sort((left, right) => STEP_ORDER.indexOf(left.step) - STEP_ORDER.indexOf(right.step))[0];
  if (least === undefined) return status("pending", requestStatus);
  const numberStatus = least.number.port_in_phone_number_status ?? "";
  const carrierStatus = `${requestStatus} (${numberStatus})`;
  if (least.step === "foc_scheduled") {
    const portDates = moving.map((entry) => timeOf(entry.number.port_date)?.getTime() ?? 0);
    return status("foc_scheduled", carrierStatus, "", new Date(Math.max(...portDates)));
  }
  if (least.step === "awaiting_documents") {
    const detail = normalized(numberStatus) === "in review"
      ? "Twilio is reviewing the request; it then e-mails the letter of authorization to the authorized representative to sign"
      : "waiting for the authorized representative to sign the letter of authorization Twilio e-mailed";
    return status("awaiting_documents", carrierStatus, detail);
  }
  return status("submitted", carrierStatus);
}
