import { isoTimestamp, type PortInNumberRecord, type PortInRequestRecord } from "./twilio-emulator-porting-model.js";

/** How the port-in records read on the wire: the Numbers v1 schemas, field for field, as in the spec's examples. */

export const NUMBERS_ORIGIN = "https://numbers.twilio.com";

function echoedOrNull(record: PortInRequestRecord, field: string): unknown {
  return record.echoed[field] ?? null;
}

function timestampOrNull(time: number | null): string | null {
  return time === null ? null : isoTimestamp(time);
}

/** `numbers.v1.porting_port_in_phone_number_result`: one number inside a PortIn answer. */
export function numberResult(number: PortInNumberRecord): Record<string, unknown> {
  return {
    phone_number: number.phoneNumber,
    number_type: number.numberType,
    portable: true,
    not_portability_reason: null,
    not_portability_reason_code: null,
    port_in_phone_number_sid: number.sid,
    port_in_phone_number_status: number.status,
    port_date: timestampOrNull(number.portDate),
    rejection_reason: number.rejectionReason,
    rejection_reason_code: null,
    status_last_time_updated_timestamp: isoTimestamp(number.statusSince),
    external_porting_vendor_phone_number_id: null,
  };
}

/** `numbers.v1.porting_port_in`: the answer of create (202) and fetch (200). */
export function portInResource(record: PortInRequestRecord): Record<string, unknown> {
  return {
    port_in_request_sid: record.sid,
    url: `${NUMBERS_ORIGIN}/v1/Porting/PortIn/${record.sid}`,
    account_sid: record.accountSid,
    notification_emails: echoedOrNull(record, "notification_emails"),
    target_port_in_date: echoedOrNull(record, "target_port_in_date"),
    target_port_in_time_range_start: echoedOrNull(record, "target_port_in_time_range_start"),
    target_port_in_time_range_end: echoedOrNull(record, "target_port_in_time_range_end"),
    port_in_request_status: record.status,
    support_ticket_id: record.supportTicketId,
    order_cancellation_reason: record.orderCancellationReason,
    date_created: isoTimestamp(record.dateCreated),
    losing_carrier_information: echoedOrNull(record, "losing_carrier_information"),
    phone_numbers: record.numbers.map(numberResult),
    bundle_sid: echoedOrNull(record, "bundle_sid"),
    portability_advance_carrier: echoedOrNull(record, "portability_advance_carrier"),
    auto_cancel_approval_numbers: echoedOrNull(record, "auto_cancel_approval_numbers"),
    documents: echoedOrNull(record, "documents"),
    // Twilio emails the e-LOA to the authorized representative; the emulator plays the representative and signs one
    // step later, so it has no signing link to hand out (the spec's examples carry null too).
    signature_request_url: null,
  };
}

/** `numbers.v1.porting_port_in_phone_number`: GET PortIn/{KW}/PhoneNumber/{PU}. */
export function portInPhoneNumberResource(record: PortInRequestRecord, number: PortInNumberRecord): Record<string, unknown> {
  return {
    port_in_request_sid: record.sid,
    phone_number_sid: number.sid,
    url: `${NUMBERS_ORIGIN}/v1/Porting/PortIn/${record.sid}/PhoneNumber/${number.sid}`,
    account_sid: record.accountSid,
    phone_number_type: number.numberType,
    date_created: isoTimestamp(number.dateCreated),
    country: "US",
    missing_required_fields: false,
    last_updated: isoTimestamp(number.statusSince),
    phone_number: number.phoneNumber,
    portable: true,
    not_portability_reason: null,
    not_portability_reason_code: null,
    port_in_phone_number_status: number.status,
    // An integer in the spec: a PIN with anything but digits cannot be shown there.
    port_out_pin: number.pin !== null && /^[0-9]{1,9}$/.test(number.pin) ? Number(number.pin) : null,
    rejection_reason: number.rejectionReason,
    rejection_reason_code: null,
    port_date: timestampOrNull(number.portDate),
  };
}

/** `numbers.v1.port_in_request_list`: one entry of GET PortIn/PortInRequests (its timestamp is a date, as in the example). */
export function portInListEntry(record: PortInRequestRecord): Record<string, unknown> {
  return {
    port_in_request_sid: record.sid,
    port_in_request_status: record.status,
    status_last_updated_timestamp: isoTimestamp(record.statusSince).slice(0, 10),
    phone_numbers_requested: record.numbers.length,
    phone_numbers_ported: record.numbers.filter((number) => number.status === "Completed").length,
    suggested_action: null,
  };
}

/** The body of a PortIn (request) notification. */
export function requestEventPayload(record: PortInRequestRecord): Record<string, unknown> {
  return {
    port_in_request_sid: record.sid,
    account_sid: record.accountSid,
    status: record.status,
    order_cancellation_reason: record.orderCancellationReason,
    last_date_updated: isoTimestamp(record.statusSince),
  };
}

/** The body of a PortIn PhoneNumber notification. */
export function numberEventPayload(record: PortInRequestRecord, number: PortInNumberRecord): Record<string, unknown> {
  return {
    port_in_request_sid: record.sid,
    port_in_phone_number_sid: number.sid,
    account_sid: record.accountSid,
    phone_number: number.phoneNumber,
    status: number.status,
    portable: true,
    not_portability_reason: null,
    not_portability_reason_code: null,
    rejection_reason: number.rejectionReason,
    rejection_reason_code: null,
    port_date: timestampOrNull(number.portDate),
    last_date_updated: isoTimestamp(number.statusSince),
  };
}
