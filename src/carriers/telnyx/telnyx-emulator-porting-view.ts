import { EXCEPTION_TYPES, isFastPortCarrier, type EmulatedPortingOrder, type PortingStatus } from "./telnyx-emulator-porting-model.js";
import { missingRequirements } from "./telnyx-emulator-porting-requirements.js";

/** PortingOrderActivationStatus of the order's numbers in each status (none while it is a draft). */
const ACTIVATION_STATUS: Readonly<Record<PortingStatus, string | null>> = {
  draft: null,
  "in-process": "Pending",
  submitted: "Concurrence Sent",
  exception: "Conflict",
  "foc-date-confirmed": "Activate RDY",
  ported: "Active",
  "cancel-pending": "Cancel Pending",
  cancelled: "Cancelled",
};

function messagingPortStatus(order: EmulatedPortingOrder): string {
  if (!order.enableMessaging) return "not_applicable";
  if (order.status === "ported") return "ported";
  if (order.status === "cancelled") return "canceled";
  if (order.status === "exception") return "exception";
  return "pending";
}

/** PortingPhoneNumber items of an order. */
function describeNumbers(order: EmulatedPortingOrder): Record<string, unknown>[] {
  const requirementsStatus = missingRequirements(order).length === 0 ? "approved" : "requirement-info-pending";
  return order.phoneNumbers.map((phoneNumber) => ({
    record_type: "porting_phone_number",
    phone_number: phoneNumber,
    phone_number_type: order.phoneNumberType,
    porting_order_id: order.id,
    porting_order_status: order.status,
    // Telnyx confirms the portability of US and Canadian numbers, the only ones the emulator ports in.
    portability_status: "confirmed",
    activation_status: ACTIVATION_STATUS[order.status] ?? "New",
    requirements_status: requirementsStatus,
    ...(order.supportKey === null ? {} : { support_key: order.supportKey }),
  }));
}

/** PortingOrder; `include_phone_numbers=false` leaves out the numbers (the count stays). */
export function describePortingOrder(order: EmulatedPortingOrder, userId: string, includePhoneNumbers = true): Record<string, unknown> {
  return {
    id: order.id,
    record_type: "porting_order",
    status: { value: order.status, details: order.exceptions.map((code) => ({ code, description: EXCEPTION_TYPES[code] })) },
    customer_reference: order.customerReference,
    customer_group_reference: order.customerGroupReference,
    description: `${order.phoneNumbers.length === 1 ? "1 number" : `${order.phoneNumbers.length} numbers`} from ${order.oldServiceProvider}`,
    old_service_provider_ocn: order.oldServiceProvider,
    support_key: order.supportKey,
    parent_support_key: order.parentSupportKey,
    activation_settings: {
      activation_status: ACTIVATION_STATUS[order.status],
      fast_port_eligible: isFastPortCarrier(order.oldServiceProvider),
      foc_datetime_requested: order.focDatetimeRequested,
      foc_datetime_actual: order.focDatetimeActual,
    },
    documents: { ...order.documents },
    end_user: { admin: { ...order.admin }, location: { ...order.location } },
    messaging: {
      enable_messaging: order.enableMessaging,
      messaging_capable: true,
      messaging_port_completed: order.enableMessaging && order.status === "ported",
      messaging_port_status: messagingPortStatus(order),
    },
    misc: order.misc === null ? null : { ...order.misc },
    phone_number_configuration: { ...order.phoneNumberConfiguration, tags: [...order.phoneNumberConfiguration.tags] },
    phone_number_type: order.phoneNumberType,
    ...(includePhoneNumbers ? { phone_numbers: describeNumbers(order) } : {}),
    porting_phone_numbers_count: order.phoneNumbers.length,
    additional_steps: [],
    requirements: [],
    requirements_met: missingRequirements(order).length === 0,
    user_feedback: { ...order.userFeedback },
    user_id: userId,
    webhook_url: order.webhookUrl,
    created_at: order.createdAt,
    updated_at: order.updatedAt,
  };
}

/** The `meta` of an answer about one order. */
export function orderMeta(order: EmulatedPortingOrder): Record<string, unknown> {
  return { phone_numbers_url: `/v2/porting_phone_numbers?filter[porting_order_id]=${order.id}` };
}
