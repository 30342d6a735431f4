import type { CarrierCallOptions } from "../../domain/carrier-adapter.js";
import { portInSecrets, withoutPortInSecrets } from "../../domain/port-in-secrets.js";
import { CarrierError } from "../../domain/carrier-error.js";
import type { CarrierPortInDocument, CarrierPortInLookup,
  CarrierPortInRequest, CarrierPortInStatus } from "../../domain/carrier-lifecycle.js";
import type { CarrierHttpClient, CarrierHttpResponse } from "../kit/carrier-http-client.js";
import { twilioErrorFromResponse } from "./twilio-error.js";
import { twilioPortInStatus } from "./map-twilio-port-in-status.js";
import {
  isoDate,
  parsePortingBody,
  twilioPortInBody,
  twilioPortInListSchema,
  twilioPortInSchema,
  TWILIO_DOCUMENT_SID,
  TWILIO_MAX_PORT_IN_NUMBERS,
  TWILIO_PORT_IN_SID,
  type TwilioPortIn,
} from "./twilio-porting-wire.js";

/** What the porting operations need of the adapter: the Numbers v1 client, the account and a clock. */
export interface TwilioPortingContext {
  readonly numbersApi: CarrierHttpClient;
  readonly accountSid: string;
  readonly now: () => number;
}

const PORT_IN_PATH = "/v1/Porting/PortIn";
const DAY_MS = 86_400_000;
/** "This date must be at least 7 days in the future for US ports." */
const MIN_DAYS_AHEAD = 7;
/** How far Twilio's clock may be behind numbergate's when a create's date_created is compared with the attempt. */
const CLOCK_SLACK_MS = 10 * 60_000;
/** The list's largest page ("from 1 to 100"), and how many pages a lookup reads before it gives up. */
const LIST_PAGE_SIZE = 100;
const MAX_LIST_PAGES = 10;

function refused(operation: string, message: string): CarrierError {
  return new CarrierError({ kind: "invalid_request", carrierId: "twilio", operation, message, requestMayHaveReachedCarrier: false });
}

/** What Twilio would refuse in a port-in, or that numbergate cannot send to it; undefined when it can be sent. */
function portInProblem(request: CarrierPortInRequest, now: number): string | undefined {
  if (request.carrierDocuments.length === 0) {
    return "Twilio needs a utility bill's Document SID (RD...) to create a port-in: upload the bill to Twilio and give its SID as a carrier document";
  }
  const badDocument = request.carrierDocuments.find((document) => !TWILIO_DOCUMENT_SID.test(document.carrierDocumentId));
  if (badDocument) return `Twilio documents are Document SIDs (RD followed by 32 hex digits), not ${JSON.stringify(badDocument.carrierDocumentId.slice(0, 40))}`;
  if (!request.authorizedEmail) return "Twilio needs the authorized representative's e-mail: it sends the letter of authorization there to be signed";
  if (request.numbers.length === 0 || request.numbers.length > TWILIO_MAX_PORT_IN_NUMBERS) return `a Twilio port-in carries 1 to ${TWILIO_MAX_PORT_IN_NUMBERS} numbers`;
  const address = request.serviceAddress;
  if (!address.addressLines[0]?.trim() || !address.locality.trim() || !address.administrativeArea.trim() || !address.postalCode.trim() || !address.regionCode.trim()) {
    return "Twilio needs the service address's street, city, state, zip and country";
  }
  if (request.requestedPortDate) {
    const today = Math.floor(now / DAY_MS) * DAY_MS;
    if (Date.parse(`${isoDate(request.requestedPortDate.getTime())}T00:00:00Z`) < today + MIN_DAYS_AHEAD * DAY_MS) {
      return `Twilio needs the requested port date at least ${MIN_DAYS_AHEAD} days ahead for US ports`;
    }
  }
  return undefined;
}


function expectStatus(response: CarrierHttpResponse, accepted: readonly number[], operation: string): void {
  if (!accepted.includes(response.status)) throw twilioErrorFromResponse(response, operation);
}

async function fetchPortIn(context: TwilioPortingContext, sid: string, operation: string, options: CarrierCallOptions): Promise<TwilioPortIn> {
  if (!TWILIO_PORT_IN_SID.test(sid)) throw refused(operation, "a Twilio port-in request SID is KW followed by 32 hex digits");
  const response = await context.numbersApi.request({ method: "GET", path: `${PORT_IN_PATH}/${sid}`, operation, signal: options.signal });
  expectStatus(response, [200], operation);
  return parsePortingBody(response, twilioPortInSchema, operation);
}

/** POST /v1/Porting/PortIn. Checks what Twilio would refuse before anything is sent. */
async function createPortIn(context: TwilioPortingContext, request: CarrierPortInRequest, operation: string, options: CarrierCallOptions): Promise<CarrierPortInStatus> {
  const response = await context.numbersApi.request({
    method: "POST",
    path: PORT_IN_PATH,
    body: twilioPortInBody(context.accountSid, request),
    contentType: "application/json",
    operation,
    signal: options.signal,
  });
  if (response.status !== 202 && response.status !== 201 && response.status !== 200) throw withoutPortInSecrets(twilioErrorFromResponse(response, operation), portInSecrets(request));
  return twilioPortInStatus(parsePortingBody(response, twilioPortInSchema, operation));
}

export function twilioCreatePortIn(context: TwilioPortingContext, request: CarrierPortInRequest, options: CarrierCallOptions): Promise<CarrierPortInStatus> {
  const problem = portInProblem(request, context.now());
  if (problem !== undefined) return Promise.reject(refused("create_port_in", problem));
  return createPortIn(context, request, "create_port_in", options);
}

export async function twilioGetPortIn(context: TwilioPortingContext, carrierOrderId: string, options: CarrierCallOptions): Promise<CarrierPortInStatus> {
  return twilioPortInStatus(await fetchPortIn(context, carrierOrderId, "get_port_in", options));
}

/**
 * The request a lost create made. Twilio keeps no reference on a port-in, so this looks for a request for exactly
 * the same numbers created since the attempt left (less CLOCK_SLACK_MS), the newest one not canceled (a resubmission
 * cancels the request it replaces). The list only filters by day (CreatedAfter) and shows no numbers, so requests of
 * the right size from the day before the attempt on are fetched one by one. Twilio refuses a number already in an
 * active port of the account (22137), so two live requests for the same numbers cannot both exist. More than
 * MAX_LIST_PAGES pages of requests since the attempt fail as unknown_outcome rather than guessing.
 */
export async function twilioFindPortIn(context: TwilioPortingContext, lookup: CarrierPortInLookup, options: CarrierCallOptions): Promise<CarrierPortInStatus | undefined> {
  const operation = "find_port_in";
  const since = lookup.sentAt.getTime() - CLOCK_SLACK_MS;
  const wanted = lookup.numbers.map((number) => number.e164).sort().join(",");
  const candidates: string[] = [];
  let token: string | undefined;
  for (let page = 0; ; page += 1) {
    if (page === MAX_LIST_PAGES) {
      const message = `twilio port-ins carry no reference, and more than ${MAX_LIST_PAGES * LIST_PAGE_SIZE} port-in requests were created since the attempt`;
      throw new CarrierError({ kind: "unknown_outcome", carrierId: "twilio", operation, message, requestMayHaveReachedCarrier: false });
    }
    // CreatedAfter is a day; asking from the day before the attempt's keeps it whether Twilio counts from that day's start or end.
    const response = await context.numbersApi.request({
      method: "GET",
      path: `${PORT_IN_PATH}/PortInRequests`,
      query: { CreatedAfter: isoDate(since - DAY_MS), Size: LIST_PAGE_SIZE, Token: token },
      operation,
      signal: options.signal,
    });
    expectStatus(response, [200], operation);
    const listed = parsePortingBody(response, twilioPortInListSchema, operation);
    for (const entry of listed.port_in_requests) {
      const sizeFits = entry.phone_numbers_requested === null || entry.phone_numbers_requested === undefined || entry.phone_numbers_requested === lookup.numbers.length;
      if (sizeFits) candidates.push(entry.port_in_request_sid);
    }
    token = listed.meta?.next_token ?? undefined;
    if (!token) break;
  }

  let newest: { readonly portIn: TwilioPortIn; readonly created: number } | undefined;
  for (const sid of candidates) {
    const portIn = await fetchPortIn(context, sid, operation, options);
    const created = Date.parse(portIn.date_created ?? "");
    const numbers = (portIn.phone_numbers ?? []).map((number) => number.phone_number).sort().join(",");
    const canceled = (portIn.port_in_request_status ?? "").toLowerCase() === "canceled";
    if (numbers === wanted && !canceled && created >= since && (newest === undefined || created > newest.created)) newest = { portIn, created };
  }
  return newest && twilioPortInStatus(newest.portIn);
}

/** DELETE /v1/Porting/PortIn/{sid} (204). Twilio's refusal (a port date already set, say) is invalid_request with its words. */
export async function twilioCancelPortIn(context: TwilioPortingContext, carrierOrderId: string, options: CarrierCallOptions, operation = "cancel_port_in"): Promise<void> {
  if (!TWILIO_PORT_IN_SID.test(carrierOrderId)) throw refused(operation, "a Twilio port-in request SID is KW followed by 32 hex digits");
  const response = await context.numbersApi.request({ method: "DELETE", path: `${PORT_IN_PATH}/${carrierOrderId}`, operation, signal: options.signal });
  if (response.status === 204 || response.status === 200) return;
  const error = twilioErrorFromResponse(response, operation);
  if (error.kind !== "invalid_request") throw error;
  const words = error.carrierMessage ? `: ${error.carrierMessage.slice(0, 300)}` : "";
  throw new CarrierError({
    kind: "invalid_request",
    carrierId: "twilio",
    operation,
    message: `twilio refused to cancel port-in ${carrierOrderId}${words}${error.carrierCode ? ` (Twilio error ${error.carrierCode})` : ""}`,
    httpStatus: error.httpStatus,
    carrierCode: error.carrierCode,
    carrierMessage: error.carrierMessage,
    requestMayHaveReachedCarrier: true,
  });
}

/**
 * Twilio's PortIn has no update: a correction is a new request with the corrected data (a new carrierOrderId). The
 * old request is canceled first, so no number is in two requests (Twilio refuses a number in an active port, 22137);
 * a request already canceled is left as it is. A request with a number past the cut-off (Pending with a port date,
 * or Completed) is not resubmitted: canceling it is refused, and a new request would split the port in two.
 * Everything numbergate can check is checked before the old request is canceled.
 */
export async function twilioResubmitPortIn(context: TwilioPortingContext, carrierOrderId: string, request: CarrierPortInRequest, options: CarrierCallOptions): Promise<CarrierPortInStatus> {
  const operation = "resubmit_port_in";
  const problem = portInProblem(request, context.now());
  if (problem !== undefined) throw refused(operation, problem);
  const old = await fetchPortIn(context, carrierOrderId, operation, options);
  const oldStatus = twilioPortInStatus(old);
  if (oldStatus.state === "completed") throw refused(operation, `Twilio port-in ${carrierOrderId} has completed: there is nothing to resubmit`);
  const settled = (old.phone_numbers ?? []).filter((number) => ["pending", "completed"].includes((number.port_in_phone_number_status ?? "").toLowerCase()));
  if (settled.length > 0) {
    const list = settled.map((number) => `${number.phone_number} (${number.port_in_phone_number_status ?? ""})`).join(", ");
    throw refused(operation, `Twilio port-in ${carrierOrderId} cannot be replaced: ${list} already has a port date or has ported; cancel or correct the rejected numbers with Twilio support`);
  }
  if (oldStatus.state !== "cancelled") await twilioCancelPortIn(context, carrierOrderId, options, operation);
  return createPortIn(context, request, operation, options);
}

/** Twilio takes its documents when the port-in is created, and has no document API in the spec numbergate builds from. */
export function twilioAttachPortInDocument(carrierOrderId: string, document: CarrierPortInDocument): Promise<CarrierPortInStatus> {
  const what = document.source === "carrier" ? `document ${document.carrierDocumentId}` : `file ${JSON.stringify(document.fileName.slice(0, 80))}`;
  return Promise.reject(
    refused(
      "attach_port_in_document",
      `Twilio cannot take ${what} for port-in ${carrierOrderId}: its documents (Document SIDs, a utility bill among them) are given when the port-in is created, and it collects the letter of authorization by e-mail as an e-signature; resubmit the port-in with the document instead`,
    ),
  );
}
