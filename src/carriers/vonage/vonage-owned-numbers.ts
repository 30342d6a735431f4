import type { CarrierCallOptions } from "../../domain/carrier-adapter.js";
import { CarrierError } from "../../domain/carrier-error.js";
import type { CarrierOwnedNumber, CarrierOwnedNumbersPage } from "../../domain/carrier-lifecycle.js";
import type { Capability } from "../../domain/numbers.js";
import type { ParsedPhoneNumber } from "../../domain/phone-number.js";
import type { CarrierHttpClient } from "../kit/carrier-http-client.js";
import { readVonageBody } from "./vonage-error.js";
import { capabilitiesFromVonage, msisdnToE164, numberTypeFromVonage, toMsisdn, VONAGE_MAX_PAGE_SIZE, vonageOwnedNumbersPageSchema, type VonageOwnedNumber } from "./vonage-wire.js";

const OWNED_PATH = "/account/numbers";
/** Pages followed when looking for one number before giving up: a prefix matching more numbers than this is not a lookup. */
const MAX_LOOKUP_PAGES = 10;

/** An owned number as Vonage lists it, with the features it reports (its only other detail: no price, no date). */
export interface VonageListedNumber extends CarrierOwnedNumber {
  readonly capabilities: readonly Capability[];
}

export interface VonageOwnedNumbersPage extends CarrierOwnedNumbersPage {
  readonly numbers: readonly VonageListedNumber[];
}

interface OwnedPage {
  /** Total numbers matching, across pages. */
  readonly count: number;
  readonly numbers: readonly VonageOwnedNumber[];
}

/** One page of GET /account/numbers: `index` is 1-based, `size` at most 100 (vonage.md, Pagination). */
async function fetchOwnedPage(
  api: CarrierHttpClient,
  query: Readonly<Record<string, string | number | undefined>>,
  operation: string,
  options: CarrierCallOptions,
): Promise<OwnedPage> {
  const response = await api.request({ method: "GET", path: OWNED_PATH, query, operation, signal: options.signal });
  const page = readVonageBody(response, vonageOwnedNumbersPageSchema, operation);
  const numbers = page.numbers ?? [];
  return { count: page.count ?? numbers.length, numbers };
}

/** Whether pages follow this one: the python SDK's rule, `count > size * index` (vonage.md [V6]). */
function hasNextPage(count: number, size: number, index: number): boolean {
  return count > size * index;
}

/**
 * The account's entry for exactly this number, if it holds it: GET /account/numbers?pattern=<msisdn>&search_pattern=0
 * (vonage.md, Idempotency). A starts-with pattern also matches longer numbers, so the exact msisdn is picked, page by
 * page until found or the list ends.
 */
export async function findVonageOwnedNumber(api: CarrierHttpClient, number: ParsedPhoneNumber, operation: string, options: CarrierCallOptions): Promise<VonageOwnedNumber | undefined> {
  const msisdn = toMsisdn(number.e164);
  for (let index = 1; index <= MAX_LOOKUP_PAGES; index += 1) {
    const page = await fetchOwnedPage(api, { pattern: msisdn, search_pattern: 0, size: VONAGE_MAX_PAGE_SIZE, index }, operation, options);
    const entry = page.numbers.find((candidate) => candidate.msisdn === msisdn);
    if (entry) return entry;
    if (page.numbers.length === 0 || !hasNextPage(page.count, VONAGE_MAX_PAGE_SIZE, index)) return undefined;
  }
  throw new CarrierError({ kind: "carrier_server", carrierId: "vonage", operation, message: `vonage listed more than ${MAX_LOOKUP_PAGES} pages of numbers starting with one number`, requestMayHaveReachedCarrier: true });
}

/**
 * One page of the account's numbers for ListNumbers. The page token is Vonage's 1-based `index` as text. Vonage pages
 * by position, so a number bought or released between two pages can shift the rest by one (its API offers no cursor).
 */
export async function listVonageOwnedNumbers(
  api: CarrierHttpClient,
  page: { readonly pageToken?: string; readonly pageSize: number },
  options: CarrierCallOptions,
): Promise<VonageOwnedNumbersPage> {
  const index = page.pageToken === undefined || page.pageToken === "" ? 1 : Number(page.pageToken);
  if (!Number.isSafeInteger(index) || index < 1 || !/^[0-9]*$/.test(page.pageToken ?? "")) {
    throw new CarrierError({ kind: "invalid_request", carrierId: "vonage", operation: "list_owned", message: "the vonage page token is not a page number", requestMayHaveReachedCarrier: false });
  }
  const size = Math.min(Math.max(Math.trunc(page.pageSize), 1), VONAGE_MAX_PAGE_SIZE);
  const listed = await fetchOwnedPage(api, { size, index }, "list_owned", options);
  const numbers = listed.numbers.flatMap((entry) => {
    const e164 = msisdnToE164(entry.msisdn);
    return e164 ? [{ e164, carrierNumberId: entry.msisdn, numberType: numberTypeFromVonage(entry.type), capabilities: capabilitiesFromVonage(entry.features) }] : [];
  });
  const more = listed.numbers.length > 0 && hasNextPage(listed.count, size, index);
  return { numbers, nextPageToken: more ? String(index + 1) : undefined };
}
