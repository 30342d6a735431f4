import { z } from "zod";
import { CarrierError } from "../../domain/carrier-error.js";
import type { CarrierPortInRequest } from "../../domain/carrier-lifecycle.js";
import type { CarrierHttpResponse } from "../kit/carrier-http-client.js";

/**
 * The Numbers v1 porting wire (twilio.md "Porting", numbers_v1.trimmed.json): the PortIn create body, and the minimal
 * schemas of what the adapter reads. The schemas name none of the fields Twilio echoes from the create body
 * (losing_carrier_information with the account number, port_out_pin): those are never read, so never copied anywhere.
 */

/** A Document SID (`documents` of `numbers.v1.porting_port_in_create`). */
export const TWILIO_DOCUMENT_SID = /^RD[0-9a-fA-F]{32}$/;
/** A port-in request SID (`port_in_request_sid`). */
export const TWILIO_PORT_IN_SID = /^KW[0-9a-fA-F]{32}$/;
/** "Maximum of 1,000 phone numbers per request." */
export const TWILIO_MAX_PORT_IN_NUMBERS = 1000;

/** One number of a PortIn answer (`numbers.v1.porting_port_in_phone_number_result`). */
const portInNumberSchema = z.object({
  phone_number: z.string(),
  port_in_phone_number_sid: z.string().nullish(),
  port_in_phone_number_status: z.string().nullish(),
  port_date: z.string().nullish(),
  rejection_reason: z.string().nullish(),
  // A string in the spec; read either way, as it is only shown to people.
  rejection_reason_code: z.union([z.string(), z.number()]).nullish(),
  status_last_time_updated_timestamp: z.string().nullish(),
});
export type TwilioPortInNumber = z.infer<typeof portInNumberSchema>;

/** A PortIn request (`numbers.v1.porting_port_in`): the answer of create (202) and fetch (200). */
export const twilioPortInSchema = z.object({
  port_in_request_sid: z.string().regex(TWILIO_PORT_IN_SID),
  port_in_request_status: z.string().nullish(),
  order_cancellation_reason: z.string().nullish(),
  date_created: z.string().nullish(),
  phone_numbers: z.array(portInNumberSchema).nullish(),
});
export type TwilioPortIn = z.infer<typeof twilioPortInSchema>;

/** GET /v1/Porting/PortIn/PortInRequests (`numbers.v1.port_in_request_list` items and their meta). */
export const twilioPortInListSchema = z.object({
  port_in_requests: z.array(
    z.object({
      port_in_request_sid: z.string(),
      phone_numbers_requested: z.number().int().nullish(),
    }),
  ),
  meta: z.object({ next_token: z.string().nullish() }).nullish(),
});

/**
 * A porting notification's body, as the emulator posts it (twilio-emulator-porting-views.ts: a request event, or a
 * number event with port_in_phone_number_sid). Fields Twilio may leave out are optional: a status then goes unsaid.
 */
export const twilioPortingEventSchema = z.object({
  port_in_request_sid: z.string().nullish(),
  port_in_phone_number_sid: z.string().nullish(),
  account_sid: z.string().nullish(),
  phone_number: z.string().nullish(),
  status: z.string().nullish(),
  order_cancellation_reason: z.string().nullish(),
  rejection_reason: z.string().nullish(),
  rejection_reason_code: z.union([z.string(), z.number()]).nullish(),
  port_date: z.string().nullish(),
  last_date_updated: z.string().nullish(),
});
export type TwilioPortingEvent = z.infer<typeof twilioPortingEventSchema>;

/**
 * Parses a porting answer. Unlike parseJsonBody it keeps no cause: a JSON syntax error quotes the body, and a porting
 * body echoes the account number, which must not reach a log through the error's cause.
 */
export function parsePortingBody<Schema extends z.ZodType>(response: CarrierHttpResponse, schema: Schema, operation: string): z.infer<Schema> {
  let json: unknown;
  try {
    json = JSON.parse(response.bodyText);
  } catch {
    json = undefined;
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  throw new CarrierError({
    kind: "carrier_server",
    carrierId: "twilio",
    operation,
    message: "twilio sent a response numbergate could not read",
    httpStatus: response.status,
    carrierCode: "MALFORMED_RESPONSE",
    requestMayHaveReachedCarrier: true,
  });
}

/** YYYY-MM-DD of a moment, in UTC (Twilio's ISO local dates: target_port_in_date, CreatedAfter). */
export function isoDate(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/**
 * The JSON body of POST /v1/Porting/PortIn. The request was checked first (twilioPortInProblem). The PIN and the
 * account number are revealed here and nowhere else. Twilio has no field for the losing carrier's name (it finds the
 * carrier from the number) nor a customer reference; customer_name is the customer's name as the losing carrier has it.
 */
export function twilioPortInBody(accountSid: string, request: CarrierPortInRequest): string {
  const [street = "", ...moreLines] = request.serviceAddress.addressLines;
  const streetTwo = moreLines.filter((line) => line.trim().length > 0).join(", ");
  const address = request.serviceAddress;
  const pin = request.pin?.reveal();
  const accountNumber = request.accountNumber?.reveal();
  return JSON.stringify({
    account_sid: accountSid,
    documents: request.carrierDocuments.map((document) => document.carrierDocumentId),
    phone_numbers: request.numbers.map((number) => (pin ? { phone_number: number.e164, pin } : { phone_number: number.e164 })),
    losing_carrier_information: {
      customer_name: request.authorizedName,
      authorized_representative: request.authorizedName,
      authorized_representative_email: request.authorizedEmail,
      ...(accountNumber ? { account_number: accountNumber } : {}),
      address: {
        street,
        ...(streetTwo ? { street_2: streetTwo } : {}),
        city: address.locality,
        state: address.administrativeArea,
        zip: address.postalCode,
        country: address.regionCode,
      },
    },
    ...(request.requestedPortDate ? { target_port_in_date: isoDate(request.requestedPortDate.getTime()) } : {}),
  });
}
