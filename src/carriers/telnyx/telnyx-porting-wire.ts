import { z } from "zod";
import type { CarrierPortInRequest } from "../../domain/carrier-lifecycle.js";
import { telnyxPageMetaSchema } from "./telnyx-wire.js";

/**
 * Telnyx's porting orders on the wire (telnyx.md, 6. Porting; `PortingOrder`, `UpdatePortingOrder`,
 * `PortingOrderRequirementDetail` of telnyx/openapi.trimmed.json). Only what numbergate reads is modelled. `end_user`
 * is deliberately absent from every answer schema: Telnyx echoes the PIN and the account number there, and what is
 * never parsed can never be copied into a status, a detail or an error.
 */

/** `PortingOrderStatus`: `value` is kept as a plain string, so a status added later is read rather than refused. */
const portingStatusSchema = z.object({
  value: z.string(),
  details: z.array(z.object({ code: z.string().nullish(), description: z.string().nullish() })).nullish(),
});
export type TelnyxPortingStatus = z.infer<typeof portingStatusSchema>;

/** `PortingOrder`, minimal. */
export const telnyxPortingOrderSchema = z.object({
  id: z.string(),
  status: portingStatusSchema,
  customer_reference: z.string().nullish(),
  activation_settings: z.object({ foc_datetime_requested: z.string().nullish(), foc_datetime_actual: z.string().nullish() }).nullish(),
  documents: z.object({ loa: z.string().nullish(), invoice: z.string().nullish() }).nullish(),
  requirements_met: z.boolean().nullish(),
  phone_numbers: z.array(z.object({ phone_number: z.string() })).nullish(),
  updated_at: z.string().nullish(),
});
export type TelnyxPortingOrder = z.infer<typeof telnyxPortingOrderSchema>;

/** GET, PATCH and the actions answer one order. */
export const telnyxPortingOrderAnswerSchema = z.object({ data: telnyxPortingOrderSchema });

/** POST /porting_orders answers 201 with a list: one order per losing carrier and number type. */
export const telnyxPortingOrderListSchema = z.object({ data: z.array(telnyxPortingOrderSchema), meta: telnyxPageMetaSchema.nullish() });

/**
 * GET /porting_orders/{id}/requirements. `field_value` is not read: for textual requirements it is the value itself
 * (the account number among them).
 */
export const telnyxPortingRequirementsSchema = z.object({
  data: z.array(
    z.object({
      field_type: z.string().nullish(),
      requirement_status: z.string().nullish(),
      requirement_type: z.object({ name: z.string().nullish() }).nullish(),
    }),
  ),
});

/** The event envelope of Telnyx's webhooks: `{data: {event_type, id, occurred_at, payload, record_type}, meta}`. */
export const telnyxWebhookEventSchema = z.object({
  data: z.object({
    event_type: z.string(),
    id: z.string().nullish(),
    occurred_at: z.string().nullish(),
    payload: z.unknown(),
  }),
});

/** porting_order.status_changed's payload (PortingEventStatusChangedEvent). */
export const telnyxPortingStatusChangedSchema = z.object({
  id: z.string(),
  customer_reference: z.string().nullish(),
  status: portingStatusSchema,
  updated_at: z.string().nullish(),
});

/** porting_order.deleted's payload: a draft that is no more. */
export const telnyxPortingDeletedSchema = z.object({ id: z.string(), deleted_at: z.string().nullish() });

/** Telnyx's two document slots of a porting order (`PortingOrderDocuments`), by numbergate's document kind. */
export const TELNYX_DOCUMENT_SLOTS = { letter_of_authorization: "loa", bill_copy: "invoice" } as const;
export type TelnyxDocumentSlot = (typeof TELNYX_DOCUMENT_SLOTS)[keyof typeof TELNYX_DOCUMENT_SLOTS];

/** `PortingOrderEndUserAdmin` fields numbergate corrects on a resubmission, and `PortingOrderEndUserLocation`. */
function endUser(request: CarrierPortInRequest): Record<string, unknown> {
  const admin: Record<string, string> = { entity_name: request.authorizedName, auth_person_name: request.authorizedName };
  // Secrets are revealed here, into the body being sent, and nowhere else.
  if (request.accountNumber !== undefined) admin["account_number"] = request.accountNumber.reveal();
  if (request.pin !== undefined) admin["pin_passcode"] = request.pin.reveal();
  const [street, ...rest] = request.serviceAddress.addressLines;
  const location = {
    street_address: street ?? "",
    extended_address: rest.length > 0 ? rest.join(", ") : null,
    locality: request.serviceAddress.locality,
    administrative_area: request.serviceAddress.administrativeArea,
    postal_code: request.serviceAddress.postalCode,
    country_code: request.serviceAddress.regionCode.toUpperCase(),
  };
  return { admin, location };
}

/**
 * The UpdatePortingOrder body that fills a new draft: the end user as the losing carrier knows them, the billing
 * number (the first number ported: numbergate's request names no other), the requested FOC date, the documents
 * numbergate was given, and the order's own webhook URL. `misc.type` is `full`: the billing number is one of the
 * numbers ported, and numbergate's request has no partial port (which would need a new billing number).
 */
export function telnyxDraftDetails(request: CarrierPortInRequest, requestedPortDate: Date, documents: Partial<Record<TelnyxDocumentSlot, string>>): Record<string, unknown> {
  const details = endUser(request);
  const admin = details["admin"] as Record<string, string>;
  const billing = request.numbers[0]?.e164;
  if (billing !== undefined) admin["billing_phone_number"] = billing;
  return {
    end_user: details,
    activation_settings: { foc_datetime_requested: requestedPortDate.toISOString() },
    misc: { type: "full" },
    ...(Object.keys(documents).length > 0 ? { documents } : {}),
    ...(request.notificationUrl === undefined ? {} : { webhook_url: request.notificationUrl }),
  };
}

/** The UpdatePortingOrder body of a resubmission: the corrected end user (name, account number, PIN, address). */
export function telnyxCorrections(request: CarrierPortInRequest): Record<string, unknown> {
  return { end_user: endUser(request) };
}

/** The documents of a request by Telnyx slot; kinds Telnyx has no slot for are returned apart. */
export function telnyxDocumentsOf(request: CarrierPortInRequest): { documents: Partial<Record<TelnyxDocumentSlot, string>>; unsupported: string[] } {
  const documents: Partial<Record<TelnyxDocumentSlot, string>> = {};
  const unsupported: string[] = [];
  for (const document of request.carrierDocuments) {
    if (document.kind === "other") unsupported.push(document.carrierDocumentId);
    else documents[TELNYX_DOCUMENT_SLOTS[document.kind]] = document.carrierDocumentId;
  }
  return { documents, unsupported };
}
