import type { CarrierCallOptions } from "../../domain/carrier-adapter.js";
import { CarrierError } from "../../domain/carrier-error.js";
import type {
  CarrierOwnedNumbersPage,
  CarrierReleaseLookup,
  CarrierReleaseRequest,
  CarrierReleaseResult,
  CarrierReleaseStatus,
} from "../../domain/carrier-lifecycle.js";
import type { NumberType } from "../../domain/numbers.js";
import type { ParsedPhoneNumber } from "../../domain/phone-number.js";
import type { CarrierHttpClient } from "../kit/carrier-http-client.js";
import { parseJsonBody } from "../kit/response-body.js";
import { expectTelnyxStatus, telnyxErrorFromResponse } from "./telnyx-error.js";
import {
  TELNYX_NOT_HELD_STATUSES,
  telnyxDeletedPhoneNumberSchema,
  telnyxPhoneNumberListSchema,
  type TelnyxPhoneNumber,
} from "./telnyx-wire.js";

/** The spec's page[size] maximum. */
export const TELNYX_MAX_PAGE_SIZE = 250;
/** Pages of a number's matches followed before giving up: the filter names one number. */
const LOOKUP_MAX_PAGES = 3;

/**
 * The account's record of exactly this number while it holds it (GET /phone_numbers, `filter[phone_number]`), if any.
 * The filter takes digits only ("Non-numerical characters will result in no values being returned", spec) and matches
 * partially, so the number goes without its `+` and the exact one is picked from the answer.
 */
export async function findTelnyxNumberOnAccount(api: CarrierHttpClient, number: ParsedPhoneNumber, operation: string, options: CarrierCallOptions): Promise<TelnyxPhoneNumber | undefined> {
  for (let pageNumber = 1; pageNumber <= LOOKUP_MAX_PAGES; pageNumber += 1) {
    const page = await listPage(api, { "filter[phone_number]": number.e164.replace(/\D/g, ""), "page[number]": pageNumber, "page[size]": 20 }, operation, options);
    const held = page.data.find((entry) => entry.phone_number === number.e164 && !TELNYX_NOT_HELD_STATUSES.has(entry.status ?? ""));
    if (held) return held;
    if (page.data.length === 0 || (page.meta?.total_pages ?? 1) <= pageNumber) return undefined;
  }
  throw new CarrierError({ kind: "carrier_server", carrierId: "telnyx", operation, message: `telnyx listed more than ${LOOKUP_MAX_PAGES} pages for one number`, requestMayHaveReachedCarrier: true });
}

const OWNED_TYPES: Readonly<Record<string, NumberType>> = { local: "local", toll_free: "toll_free", mobile: "mobile" };

/**
 * One page of the account's numbers. The page token is Telnyx's page number; sorting by purchase time keeps pages
 * stable while numbers are bought (they are added at the end), though a release meanwhile shifts later pages by one.
 */
export async function listTelnyxOwnedNumbers(api: CarrierHttpClient, page: { readonly pageToken?: string; readonly pageSize: number }, options: CarrierCallOptions): Promise<CarrierOwnedNumbersPage> {
  const pageNumber = page.pageToken === undefined ? 1 : Number(page.pageToken);
  if (!Number.isSafeInteger(pageNumber) || pageNumber < 1) {
    throw new CarrierError({ kind: "invalid_request", carrierId: "telnyx", operation: "list_numbers", message: "the telnyx page token is not a page number", requestMayHaveReachedCarrier: false });
  }
  const pageSize = Math.min(Math.max(page.pageSize, 1), TELNYX_MAX_PAGE_SIZE);
  const answer = await listPage(api, { "page[number]": pageNumber, "page[size]": pageSize, sort: "purchased_at" }, "list_numbers", options);
  const totalPages = answer.meta?.total_pages ?? pageNumber;
  return {
    numbers: answer.data
      .filter((entry) => !TELNYX_NOT_HELD_STATUSES.has(entry.status ?? ""))
      .map((entry) => ({ e164: entry.phone_number, carrierNumberId: entry.id, numberType: OWNED_TYPES[entry.phone_number_type ?? ""] })),
    nextPageToken: answer.data.length > 0 && pageNumber < totalPages ? String(pageNumber + 1) : undefined,
  };
}

async function listPage(api: CarrierHttpClient, query: Record<string, string | number>, operation: string, options: CarrierCallOptions) {
  const response = await api.request({ method: "GET", path: "/phone_numbers", query, operation, signal: options.signal });
  expectTelnyxStatus(response, operation);
  return parseJsonBody(response, telnyxPhoneNumberListSchema, "telnyx", operation);
}

/**
 * DELETE /phone_numbers/{id} with the inventory id (found by number when numbergate lacks it). The deletion is
 * synchronous: 200 answers the deleted record (`status: deleted`); 404 means the account no longer holds that record.
 */
export async function telnyxRelease(api: CarrierHttpClient, request: CarrierReleaseRequest, options: CarrierCallOptions): Promise<CarrierReleaseResult> {
  const id = request.carrierNumberId ?? (await findTelnyxNumberOnAccount(api, request.number, "release", options))?.id;
  if (id === undefined) return { state: "not_owned", carrierOrderId: undefined };
  const response = await api.request({ method: "DELETE", path: `/phone_numbers/${encodeURIComponent(id)}`, operation: "release", signal: options.signal });
  if (response.status === 404) return { state: "not_owned", carrierOrderId: undefined };
  if (response.status !== 200) throw telnyxErrorFromResponse(response, "release");
  // Read so that an unreadable answer is a carrier failure (then looked up), never taken for a release.
  parseJsonBody(response, telnyxDeletedPhoneNumberSchema, "telnyx", "release");
  return { state: "completed", carrierOrderId: undefined };
}

/**
 * Whether a release whose answer was lost happened: the number still on the account under the same inventory id is
 * still owned; gone, or held under another id (bought again since), means the release completed. Without an id to
 * compare, any holding of the number counts as still owned.
 */
export async function telnyxReleaseStatus(api: CarrierHttpClient, lookup: CarrierReleaseLookup, options: CarrierCallOptions): Promise<CarrierReleaseStatus> {
  const held = await findTelnyxNumberOnAccount(api, lookup.number, "order_status", options);
  if (!held) return { state: "completed" };
  return lookup.carrierNumberId === undefined || held.id === lookup.carrierNumberId ? { state: "still_owned" } : { state: "completed" };
}
