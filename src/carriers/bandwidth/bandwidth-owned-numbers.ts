import type { CarrierCallOptions } from "../../domain/carrier-adapter.js";
import { CarrierError } from "../../domain/carrier-error.js";
import type { CarrierOwnedNumber, CarrierOwnedNumbersPage } from "../../domain/carrier-lifecycle.js";
import type { Capability } from "../../domain/numbers.js";
import { parsePhoneNumber } from "../../domain/phone-number.js";
import { parseXmlBody } from "../kit/response-body.js";
import { asArray, childObject, childText } from "../kit/xml.js";
import { BANDWIDTH_XML, expectBandwidthStatus, type BandwidthAccount } from "./bandwidth-account.js";
import { bandwidthErrorFromResponse } from "./bandwidth-error.js";
import { nextPageOf } from "./bandwidth-orders.js";
import { BANDWIDTH_CAPABILITIES, bandwidthTnToE164, readBandwidthError } from "./bandwidth-wire.js";

/** An in-service TN as numbergate reads it: Bandwidth lists bare TNs, so the type comes from the numbering plan. */
export interface BandwidthOwnedNumber extends CarrierOwnedNumber {
  /** What Bandwidth numbers of this type come with (its list reports no capabilities per number). */
  readonly capabilities: readonly Capability[];
}

export interface BandwidthOwnedNumbersPage extends CarrierOwnedNumbersPage {
  readonly numbers: readonly BandwidthOwnedNumber[];
}

/** The first page of a Bandwidth list; later pages are named by the id of their first record (here, a TN). */
const FIRST_PAGE = "1";
const PAGE_ID = /^[0-9]{1,15}$/;
const NANP_TN = /^[2-9][0-9]{9}$/;

/**
 * GET inserviceNumbers?page=&size=: one page of the TNs in service on the account. `pageToken` is the `page` of
 * the previous answer's <Links><next> (absent: the first page); `nextPageToken` is this answer's, absent on the
 * last page. 204 means nothing is in service. Any other answer, and a TN numbergate cannot read, fails the
 * page: a list read only in part must never pass for the whole.
 */
export async function listBandwidthInServicePage(
  account: BandwidthAccount,
  page: { readonly pageToken?: string; readonly pageSize: number },
  options: CarrierCallOptions,
): Promise<BandwidthOwnedNumbersPage> {
  const operation = "list_owned";
  const pageId = page.pageToken ?? FIRST_PAGE;
  if (!PAGE_ID.test(pageId)) {
    throw new CarrierError({ kind: "invalid_request", carrierId: "bandwidth", operation, message: "not a page token of bandwidth's in-service list", requestMayHaveReachedCarrier: false });
  }
  const response = await account.api.request({
    method: "GET",
    path: `${account.accountPath}/inserviceNumbers`,
    query: { page: pageId, size: Math.max(1, Math.trunc(page.pageSize)) },
    accept: BANDWIDTH_XML,
    operation,
    signal: options.signal,
  });
  // "No Content - there are no numbers found using the search parameters".
  if (response.status === 204) return { numbers: [], nextPageToken: undefined };
  expectBandwidthStatus(response, operation, [200]);
  const root = parseXmlBody(response, "TNs", "bandwidth", operation);
  const embedded = readBandwidthError(root);
  if (embedded) throw bandwidthErrorFromResponse(response, operation, embedded);
  const numbers = asArray(childObject(root, "TelephoneNumbers")?.["TelephoneNumber"]).map((tn) => {
    if (typeof tn !== "string" || !NANP_TN.test(tn)) {
      throw new CarrierError({ kind: "carrier_server", carrierId: "bandwidth", operation, message: "bandwidth listed a telephone number numbergate cannot read", httpStatus: response.status, requestMayHaveReachedCarrier: true });
    }
    return toOwnedNumber(tn);
  });
  const next = nextPageOf(childText(childObject(root, "Links"), "next"));
  if (next !== undefined && !PAGE_ID.test(next)) {
    throw new CarrierError({ kind: "carrier_server", carrierId: "bandwidth", operation, message: "bandwidth sent a next page numbergate cannot follow", httpStatus: response.status, requestMayHaveReachedCarrier: true });
  }
  return { numbers, nextPageToken: next };
}

function toOwnedNumber(tn: string): BandwidthOwnedNumber {
  const e164 = bandwidthTnToE164(tn);
  const parsed = parsePhoneNumber(e164);
  const numberType = parsed.ok && parsed.number.numberType === "toll_free" ? "toll_free" : "local";
  return { e164, carrierNumberId: tn, numberType, capabilities: BANDWIDTH_CAPABILITIES[numberType] };
}
