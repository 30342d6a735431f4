import type { CarrierCallOptions } from "../../domain/carrier-adapter.js";
import { CarrierError } from "../../domain/carrier-error.js";
import type { CarrierPortInDocument, CarrierPortInRequest, CarrierPortInStatus } from "../../domain/carrier-lifecycle.js";
import type { CarrierHttpClient, CarrierHttpRequest, CarrierHttpResponse } from "../kit/carrier-http-client.js";
import { portInSecrets, withoutPortInSecrets } from "../../domain/port-in-secrets.js";
import { parseJsonBody } from "../kit/response-body.js";
import { missingDocuments, readyToConfirm, telnyxOrderStatus } from "./map-telnyx-porting-status.js";
import { telnyxErrorFromResponse } from "./telnyx-error.js";
import {
  TELNYX_DOCUMENT_SLOTS,
  telnyxCorrections,
  telnyxDocumentsOf,
  telnyxDraftDetails,
  telnyxPortingOrderAnswerSchema,
  telnyxPortingOrderListSchema,
  telnyxPortingRequirementsSchema,
  type TelnyxPortingOrder,
} from "./telnyx-porting-wire.js";
import { TELNYX_JSON } from "./telnyx-wire.js";

/** Writes (create, update, confirm, cancel, delete) and reads, as the resilience pipeline names them. */
const WRITE = "port_in";
const READ = "port_in_status";

/** UpdatePortingOrder is a PATCH (the only one numbergate sends). */
const PATCH: CarrierHttpRequest["method"] = "PATCH";

/** How long undoing a draft may take once the call that made it has failed (its signal may be spent). */
const CLEANUP_TIMEOUT_MS = 10_000;

/** Orders listed per page when looking one up by reference: one reference names one order. */
const FIND_PAGE_SIZE = 20;

type Secrets = readonly string[];

function secretsOf(request: CarrierPortInRequest): Secrets {
  return portInSecrets(request);
}

/** A Telnyx refusal, with any secret the carrier's words might echo blanked out. */
function refusal(response: CarrierHttpResponse, operation: string, secrets: Secrets): CarrierError {
  return withoutPortInSecrets(telnyxErrorFromResponse(response, operation), secrets);
}

function invalidRequest(message: string): CarrierError {
  return new CarrierError({ kind: "invalid_request", carrierId: "telnyx", operation: WRITE, message, requestMayHaveReachedCarrier: false });
}

function orderPath(orderId: string, action?: "confirm" | "cancel"): string {
  return `/porting_orders/${encodeURIComponent(orderId)}${action === undefined ? "" : `/actions/${action}`}`;
}

/** One call answering one porting order (GET, PATCH, an action); anything but 200 is Telnyx's refusal. */
async function orderCall(api: CarrierHttpClient, request: CarrierHttpRequest, secrets: Secrets = []): Promise<TelnyxPortingOrder> {
  const response = await api.request(request);
  if (response.status !== 200) throw refusal(response, request.operation, secrets);
  return parseJsonBody(response, telnyxPortingOrderAnswerSchema, "telnyx", request.operation).data;
}

function update(api: CarrierHttpClient, orderId: string, body: Record<string, unknown>, secrets: Secrets, options: CarrierCallOptions): Promise<TelnyxPortingOrder> {
  return orderCall(api, { method: PATCH, path: orderPath(orderId), body: JSON.stringify(body), contentType: TELNYX_JSON, operation: WRITE, signal: options.signal }, secrets);
}

/** Confirm is where Telnyx checks the end user against the losing carrier: its refusal may quote the secrets. */
function confirm(api: CarrierHttpClient, orderId: string, options: CarrierCallOptions, secrets: Secrets): Promise<TelnyxPortingOrder> {
  return orderCall(api, { method: "POST", path: orderPath(orderId, "confirm"), operation: WRITE, signal: options.signal }, secrets);
}

function fetchOrder(api: CarrierHttpClient, orderId: string, options: CarrierCallOptions): Promise<TelnyxPortingOrder> {
  return orderCall(api, { method: "GET", path: orderPath(orderId), query: { include_phone_numbers: false }, operation: READ, signal: options.signal });
}

/** DELETE /porting_orders/{id} (drafts only): true once the draft is gone, false when Telnyx has no such order. */
async function deleteDraft(api: CarrierHttpClient, orderId: string, signal: AbortSignal | undefined): Promise<boolean> {
  const response = await api.request({ method: "DELETE", path: orderPath(orderId), operation: WRITE, signal });
  if (response.status === 404) return false;
  if (response.status !== 204 && response.status !== 200) throw refusal(response, WRITE, []);
  return true;
}

/** Undoes drafts numbergate made and will not use; the ids of those that could not be deleted. */
async function discardDrafts(api: CarrierHttpClient, orderIds: readonly string[]): Promise<string[]> {
  const kept: string[] = [];
  for (const orderId of orderIds) {
    try {
      await deleteDraft(api, orderId, AbortSignal.timeout(CLEANUP_TIMEOUT_MS));
    } catch {
      kept.push(orderId);
    }
  }
  return kept;
}

/**
 * What a draft still lacks, for humans: its missing documents, else the requirements Telnyx lists as unmet (by their
 * names only: a textual requirement's value is the value itself, the account number among them).
 */
async function draftDetail(api: CarrierHttpClient, order: TelnyxPortingOrder, options: CarrierCallOptions): Promise<string> {
  const documents = missingDocuments(order);
  if (documents.length > 0) return `Telnyx needs ${documents.join(" and ")} before it submits the port: attach their Telnyx document ids`;
  if (order.requirements_met !== false) return "the porting order is complete but not yet submitted to Telnyx";
  let unmet: string[] = [];
  try {
    const response = await api.request({ method: "GET", path: `${orderPath(order.id)}/requirements`, query: { "page[size]": 100 }, operation: READ, signal: options.signal });
    if (response.status === 200) {
      unmet = parseJsonBody(response, telnyxPortingRequirementsSchema, "telnyx", READ)
        .data.filter((requirement) => requirement.requirement_status !== "approved")
        .map((requirement) => requirement.requirement_type?.name ?? "")
        .filter((name) => name !== "");
    }
  } catch {
    // Only the explanation is lost; the status itself is known.
  }
  return unmet.length > 0 ? `Telnyx lists requirements still unmet: ${unmet.join(", ")}` : "Telnyx reports requirements still unmet";
}

/** The status after an order was written: a draft with everything is confirmed at once, one missing something says what. */
async function submitIfReady(api: CarrierHttpClient, order: TelnyxPortingOrder, options: CarrierCallOptions, secrets: Secrets = []): Promise<CarrierPortInStatus> {
  if (order.status.value === "draft" && !readyToConfirm(order)) return telnyxOrderStatus(order, await draftDetail(api, order, options));
  if (order.status.value !== "draft" && order.status.value !== "exception") return telnyxOrderStatus(order);
  return telnyxOrderStatus(await confirm(api, order.id, options, secrets));
}

/** A status as read (GET, list): a draft's detail says what it lacks. */
async function statusOf(api: CarrierHttpClient, order: TelnyxPortingOrder, options: CarrierCallOptions): Promise<CarrierPortInStatus> {
  return telnyxOrderStatus(order, order.status.value === "draft" ? await draftDetail(api, order, options) : "");
}

/**
 * POST /porting_orders, then PATCH the draft with everything numbergate knows, then confirm it when its requirements
 * are met; a draft still missing documents is answered as awaiting_documents.
 *
 * Telnyx splits a request into one order per losing carrier and number type. numbergate's port-in is one order, so a
 * split is refused: every draft it made is deleted (drafts may be, telnyx.md) and an invalid_request names the groups,
 * to be ported in separate orders. A PATCH that fails (refused, or without an answer) deletes the draft as well, so a
 * failed creation leaves nothing under the reference; only a failed confirm leaves the order, which doFindPortIn finds.
 */
export async function telnyxCreatePortIn(api: CarrierHttpClient, request: CarrierPortInRequest, options: CarrierCallOptions): Promise<CarrierPortInStatus> {
  if (request.numbers.length === 0) throw invalidRequest("a port-in needs at least one number");
  // Telnyx submits a porting order only with a requested FOC date (a requirement of every US/CA port).
  if (request.requestedPortDate === undefined) throw invalidRequest("telnyx needs a requested port date (its foc_datetime_requested) to submit a port-in");
  const { documents, unsupported } = telnyxDocumentsOf(request);
  if (unsupported.length > 0) throw invalidRequest("telnyx's porting order takes only a letter of authorization (loa) and a bill copy (invoice) as documents");

  const response = await api.request({
    method: "POST",
    path: "/porting_orders",
    body: JSON.stringify({ phone_numbers: request.numbers.map((number) => number.e164), customer_reference: request.orderReference }),
    contentType: TELNYX_JSON,
    operation: WRITE,
    signal: options.signal,
  });
  if (response.status !== 201 && response.status !== 200) throw refusal(response, WRITE, []);
  const created = parseJsonBody(response, telnyxPortingOrderListSchema, "telnyx", WRITE).data;
  const [draft] = created;
  if (draft === undefined) throw new CarrierError({ kind: "carrier_server", carrierId: "telnyx", operation: WRITE, message: "telnyx answered the porting order request without an order", httpStatus: response.status, requestMayHaveReachedCarrier: true });
  if (created.length > 1) throw await splitRefused(api, created);

  let filled: TelnyxPortingOrder;
  try {
    filled = await update(api, draft.id, telnyxDraftDetails(request, request.requestedPortDate, documents), secretsOf(request), options);
  } catch (error) {
    await discardDrafts(api, [draft.id]);
    throw error;
  }
  return submitIfReady(api, filled, options, secretsOf(request));
}

/** Deletes the drafts of a split request; the error that tells the caller to port the groups separately. */
async function splitRefused(api: CarrierHttpClient, drafts: readonly TelnyxPortingOrder[]): Promise<CarrierError> {
  const groups = drafts.map((order) => `[${(order.phone_numbers ?? []).map((entry) => entry.phone_number).join(", ")}]`).join(", ");
  const kept = await discardDrafts(api, drafts.map((order) => order.id));
  const leftover = kept.length > 0 ? `; the drafts ${kept.join(", ")} could not be deleted and remain at Telnyx` : "";
  return new CarrierError({
    kind: "invalid_request",
    carrierId: "telnyx",
    operation: WRITE,
    message: `telnyx splits these numbers into ${drafts.length} porting orders (one per losing carrier and number type): ${groups}; port each group in its own port-in${leftover}`,
    // Telnyx made drafts (and numbergate deleted them): the request did reach it.
    requestMayHaveReachedCarrier: true,
  });
}

/** GET /porting_orders/{id}. */
export async function telnyxGetPortIn(api: CarrierHttpClient, orderId: string, options: CarrierCallOptions): Promise<CarrierPortInStatus> {
  return statusOf(api, await fetchOrder(api, orderId, options), options);
}

/**
 * GET /porting_orders?filter[customer_reference]=: the order carrying exactly this reference (the filter's matching
 * is not documented, so it is compared again), newest first as Telnyx lists them; undefined when there is none.
 */
export async function telnyxFindPortIn(api: CarrierHttpClient, orderReference: string, options: CarrierCallOptions): Promise<CarrierPortInStatus | undefined> {
  const response = await api.request({
    method: "GET",
    path: "/porting_orders",
    query: { "filter[customer_reference]": orderReference, include_phone_numbers: false, "page[size]": FIND_PAGE_SIZE },
    operation: READ,
    signal: options.signal,
  });
  if (response.status !== 200) throw refusal(response, READ, []);
  const order = parseJsonBody(response, telnyxPortingOrderListSchema, "telnyx", READ).data.find((candidate) => candidate.customer_reference === orderReference);
  return order === undefined ? undefined : statusOf(api, order, options);
}

/**
 * PATCH the corrected end user (name, account number, PIN, address), then confirm: Telnyx takes an order in
 * `exception` back into processing only through confirm (the PATCH alone leaves it in exception). A draft is
 * confirmed only once it has everything, as on creation.
 */
export async function telnyxResubmitPortIn(api: CarrierHttpClient, orderId: string, request: CarrierPortInRequest, options: CarrierCallOptions): Promise<CarrierPortInStatus> {
  const corrected = await update(api, orderId, telnyxCorrections(request), secretsOf(request), options);
  return submitIfReady(api, corrected, options, secretsOf(request));
}

/**
 * Telnyx takes a porting order's documents by id (documents.loa, documents.invoice); uploading a file is Telnyx's
 * document API, which the spec numbergate is built from does not include. A draft that now has everything is
 * confirmed; the status after is answered.
 */
export async function telnyxAttachPortInDocument(api: CarrierHttpClient, orderId: string, document: CarrierPortInDocument, options: CarrierCallOptions): Promise<CarrierPortInStatus> {
  if (document.source === "content") {
    throw invalidRequest("telnyx takes porting documents by id: upload the file to Telnyx's document API (POST /documents) and attach the document id it answers");
  }
  if (document.kind === "other") throw invalidRequest("telnyx's porting order takes only a letter of authorization (loa) and a bill copy (invoice) as documents");
  const order = await update(api, orderId, { documents: { [TELNYX_DOCUMENT_SLOTS[document.kind]]: document.carrierDocumentId } }, [], options);
  // An order in exception is taken back into processing by a resubmission, not by a document.
  if (order.status.value !== "draft") return telnyxOrderStatus(order);
  return submitIfReady(api, order, options);
}

/**
 * Cancels a port: a draft is deleted (Telnyx cancels only orders on their way, and deletes only drafts), an order on its
 * way gets POST .../actions/cancel (it becomes cancel-pending, then cancelled). One already cancelled, being cancelled
 * or deleted needs nothing. Telnyx's refusal (once the FOC date is confirmed, or once ported) is an invalid_request with
 * its code and words.
 */
export async function telnyxCancelPortIn(api: CarrierHttpClient, orderId: string, options: CarrierCallOptions): Promise<void> {
  let order: TelnyxPortingOrder;
  try {
    order = await fetchOrder(api, orderId, options);
  } catch (error) {
    if (CarrierError.is(error) && error.kind === "not_found") return;
    throw error;
  }
  const status = order.status.value;
  if (status === "cancelled" || status === "cancel-pending") return;
  if (status === "draft") {
    await deleteDraft(api, orderId, options.signal);
    return;
  }
  const response = await api.request({ method: "POST", path: orderPath(orderId, "cancel"), operation: WRITE, signal: options.signal });
  if (response.status === 200) return;
  const refused = telnyxErrorFromResponse(response, WRITE);
  if (refused.kind !== "invalid_request") throw refused;
  throw new CarrierError({
    kind: "invalid_request",
    carrierId: "telnyx",
    operation: WRITE,
    message: `telnyx refused to cancel the porting order in status ${status}${refused.carrierCode === undefined ? "" : ` (Telnyx error ${refused.carrierCode})`}`,
    httpStatus: refused.httpStatus,
    carrierCode: refused.carrierCode,
    carrierMessage: refused.carrierMessage,
    requestMayHaveReachedCarrier: true,
  });
}
