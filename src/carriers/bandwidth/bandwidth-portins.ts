import type { CarrierCallOptions } from "../../domain/carrier-adapter.js";
import { portInSecrets, withoutPortInSecrets } from "../../domain/port-in-secrets.js";
import { CarrierError } from "../../domain/carrier-error.js";
import type { CarrierPortInDocument, CarrierPortInRequest, CarrierPortInStatus } from "../../domain/carrier-lifecycle.js";
import type { CarrierHttpResponse } from "../kit/carrier-http-client.js";
import { parseXmlBody } from "../kit/response-body.js";
import { asArray, buildXml, childObject, childText, parseXml } from "../kit/xml.js";
import { BANDWIDTH_XML, type BandwidthAccount } from "./bandwidth-account.js";
import { bandwidthErrorFromResponse } from "./bandwidth-error.js";
import { nextPageOf } from "./bandwidth-orders.js";
import type { BandwidthErrorDetail } from "./bandwidth-wire.js";
import {
  bandwidthDocumentType,
  bandwidthLnpOrder,
  bandwidthLnpOrderSupp,
  bandwidthPortInErrors,
  readBandwidthPortIn,
  readBandwidthPortInList,
  type BandwidthPortInListEntry,
} from "./bandwidth-portin-wire.js";

/** Writes (create, supp, document, cancel) are never retried blindly; reads are. See operation-policy.ts. */
const WRITE = "port_in";
const READ = "port_in_status";
const ROOT = "LnpOrderResponse";

/** Port-ins per page of GET portins?customerOrderId=: one reference normally names one port-in. */
const LIST_PAGE_SIZE = 10;
/** Pages followed before giving up: a reference on more port-ins than this is not numbergate's. */
const LIST_MAX_PAGES = 3;

/**
 * Cancel refusals that mean the cancel already happened or is under way (a repeated DELETE after a lost answer):
 * 7303 already cancelled, 7353 in requested-cancel status.
 */
const ALREADY_CANCELLING = new Set(["7303", "7353"]);

function portInPath(account: BandwidthAccount, carrierOrderId: string): string {
  return `${account.accountPath}/portins/${encodeURIComponent(carrierOrderId)}`;
}

/** POST portins with <LnpOrder>: 201 PENDING_DOCUMENTS until an LOA is uploaded. */
export async function bandwidthCreatePortIn(account: BandwidthAccount, request: CarrierPortInRequest, options: CarrierCallOptions): Promise<CarrierPortInStatus> {
  if (!account.siteId) {
    throw new CarrierError({ kind: "invalid_request", carrierId: "bandwidth", operation: WRITE, message: "BANDWIDTH_SITE_ID is required to port numbers in", requestMayHaveReachedCarrier: false });
  }
  const body = buildXml(bandwidthLnpOrder(request, { siteId: account.siteId, peerId: account.peerId }, WRITE));
  const response = await account.api.request({ method: "POST", path: `${account.accountPath}/portins`, body, contentType: BANDWIDTH_XML, accept: BANDWIDTH_XML, operation: WRITE, signal: options.signal });
  return readAnswer(response, [200, 201], WRITE, undefined, request);
}

/** GET portins/{id}. */
export async function bandwidthGetPortIn(account: BandwidthAccount, carrierOrderId: string, options: CarrierCallOptions): Promise<CarrierPortInStatus> {
  const response = await account.api.request({ method: "GET", path: portInPath(account, carrierOrderId), accept: BANDWIDTH_XML, operation: READ, signal: options.signal });
  return readAnswer(response, [200], READ, carrierOrderId, undefined);
}

/**
 * The port-in under numbergate's reference: GET portins?customerOrderId= (the spec's own filter; page and size are
 * required), entries under another CustomerOrderId dropped, then GET portins/{id} of the one found. Should a create
 * ever have been sent twice, an open port-in wins over a cancelled one, then the latest changed. Undefined: none.
 */
export async function bandwidthFindPortIn(account: BandwidthAccount, orderReference: string, options: CarrierCallOptions): Promise<CarrierPortInStatus | undefined> {
  const entries: BandwidthPortInListEntry[] = [];
  let page: string | undefined = "1";
  for (let pages = 0; page !== undefined && pages < LIST_MAX_PAGES; pages += 1) {
    const response = await account.api.request({
      method: "GET",
      path: `${account.accountPath}/portins`,
      query: { customerOrderId: orderReference, page, size: LIST_PAGE_SIZE },
      accept: BANDWIDTH_XML,
      operation: READ,
      signal: options.signal,
    });
    // Some Bandwidth lists answer 404 (or 204) for "nothing matches".
    if (response.status === 404 || response.status === 204) break;
    if (response.status !== 200) throw bandwidthErrorFromResponse(response, READ);
    const list = readBandwidthPortInList(parseXmlBody(response, "LNPResponseWrapper", "bandwidth", READ));
    for (const entry of list.entries) {
      if ((entry.customerOrderId === undefined || entry.customerOrderId === orderReference) && !entries.some((known) => known.orderId === entry.orderId)) entries.push(entry);
    }
    const next = nextPageOf(list.nextLink);
    page = next === page ? undefined : next;
  }
  const chosen = [...entries].sort(byPreference)[0];
  return chosen === undefined ? undefined : bandwidthGetPortIn(account, chosen.orderId, options);
}

function byPreference(left: BandwidthPortInListEntry, right: BandwidthPortInListEntry): number {
  const openness = Number(left.processingStatus === "CANCELLED") - Number(right.processingStatus === "CANCELLED");
  return openness !== 0 ? openness : (right.lastModified ?? "").localeCompare(left.lastModified ?? "");
}

/** PUT portins/{id} with <LnpOrderSupp>: REQUESTED_SUPP, which Bandwidth submits again. */
export async function bandwidthResubmitPortIn(account: BandwidthAccount, carrierOrderId: string, request: CarrierPortInRequest, options: CarrierCallOptions): Promise<CarrierPortInStatus> {
  const body = buildXml(bandwidthLnpOrderSupp(request, WRITE));
  const response = await account.api.request({ method: "PUT", path: portInPath(account, carrierOrderId), body, contentType: BANDWIDTH_XML, accept: BANDWIDTH_XML, operation: WRITE, signal: options.signal });
  return readAnswer(response, [200], WRITE, carrierOrderId, request);
}

/**
 * POST portins/{id}/loas?documentType= with the file itself as the body, in its own Content-Type; then the port-in's
 * status (an LOA submits a port-in waiting for documents). Bandwidth keeps no documents of its own to point at.
 */
export async function bandwidthAttachPortInDocument(
  account: BandwidthAccount,
  carrierOrderId: string,
  document: CarrierPortInDocument,
  options: CarrierCallOptions,
): Promise<CarrierPortInStatus> {
  if (document.source !== "content") {
    throw new CarrierError({
      kind: "invalid_request",
      carrierId: "bandwidth",
      operation: WRITE,
      message: "Bandwidth takes the document file itself (POST portins/{id}/loas); it holds no documents to refer to by id",
      requestMayHaveReachedCarrier: false,
    });
  }
  const response = await account.api.request({
    method: "POST",
    path: `${portInPath(account, carrierOrderId)}/loas`,
    query: { documentType: bandwidthDocumentType(document.kind) },
    contentType: document.contentType,
    accept: BANDWIDTH_XML,
    body: document.content,
    operation: WRITE,
    signal: options.signal,
  });
  const result = readFileUploadResult(response);
  if ((response.status !== 200 && response.status !== 201) || (result !== undefined && result.code !== "0")) throw bandwidthErrorFromResponse(response, WRITE, result);
  return bandwidthGetPortIn(account, carrierOrderId, options);
}

/** DELETE portins/{id}. Refused from FOC on (7301) and once complete (7304): an invalid_request with Bandwidth's code. */
export async function bandwidthCancelPortIn(account: BandwidthAccount, carrierOrderId: string, options: CarrierCallOptions): Promise<void> {
  const response = await account.api.request({ method: "DELETE", path: portInPath(account, carrierOrderId), accept: BANDWIDTH_XML, operation: WRITE, signal: options.signal });
  if (response.status === 200 || response.status === 204) return;
  const error = bandwidthErrorFromResponse(response, WRITE, portInErrorDetail(response));
  if (error.carrierCode !== undefined && ALREADY_CANCELLING.has(error.carrierCode)) return;
  throw error;
}

/** An <LnpOrderResponse> answer with an expected status, else the carrier's error without any secret of the request. */
function readAnswer(
  response: CarrierHttpResponse,
  expected: readonly number[],
  operation: string,
  carrierOrderId: string | undefined,
  request: CarrierPortInRequest | undefined,
): CarrierPortInStatus {
  if (!expected.includes(response.status)) throw withoutPortInSecrets(bandwidthErrorFromResponse(response, operation, portInErrorDetail(response)), portInSecrets(request));
  const root = parseXmlBody(response, ROOT, "bandwidth", operation);
  const status = readBandwidthPortIn(root, carrierOrderId);
  if (!status) {
    throw new CarrierError({
      kind: "carrier_server",
      carrierId: "bandwidth",
      operation,
      message: "bandwidth sent a port-in answer without its order id or processing status",
      httpStatus: response.status,
      carrierCode: "MALFORMED_RESPONSE",
      requestMayHaveReachedCarrier: true,
    });
  }
  return status;
}

/**
 * A port-in refusal lists every problem in repeated <Errors>: the first code is the error's code, and the description
 * names them all ("7309: The site id ...; 7312: The sippeer id is invalid.") when there are several. Undefined for
 * other bodies, which the shared reader handles.
 */
function portInErrorDetail(response: CarrierHttpResponse): BandwidthErrorDetail | undefined {
  try {
    const root = childObject(parseXml(response.bodyText), ROOT);
    const first = asArray(root?.["Errors"])[0];
    const code = childText(first, "Code");
    if (!root || code === undefined) return undefined;
    const all = bandwidthPortInErrors(root);
    return { code, description: all.length > 1 ? all.join("; ") : childText(first, "Description") };
  } catch {
    return undefined;
  }
}

/** <fileUploadResponse><resultCode>: "0" on success, Bandwidth's error code otherwise. */
function readFileUploadResult(response: CarrierHttpResponse): { code: string; description: string | undefined } | undefined {
  try {
    const root = parseXml(response.bodyText)["fileUploadResponse"];
    const code = childText(root, "resultCode");
    return code === undefined ? undefined : { code, description: childText(root, "resultMessage") };
  } catch {
    return undefined;
  }
}

