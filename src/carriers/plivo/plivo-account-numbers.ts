import type { CarrierCallOptions } from "../../domain/carrier-adapter.js";
import { CarrierError } from "../../domain/carrier-error.js";
import type { CarrierOwnedNumber, CarrierOwnedNumbersPage } from "../../domain/carrier-lifecycle.js";
import type { Capability } from "../../domain/numbers.js";
import type { ParsedPhoneNumber } from "../../domain/phone-number.js";
import type { CarrierHttpClient } from "../kit/carrier-http-client.js";
import { parseJsonBody } from "../kit/response-body.js";
import { isPlivoNotFound, plivoErrorFromResponse } from "./plivo-error.js";
import {
  PLIVO_MAX_PAGE_SIZE,
  e164FromPlivo,
  numberTypeFromPlivo,
  plivoAccountNumberSchema,
  plivoAccountNumbersPageSchema,
  plivoCapabilities,
  plivoDigits,
  type PlivoAccountNumber,
} from "./plivo-wire.js";

/** What every call on the account needs: every path is below /Account/{auth_id}/ (plivo.md, Basics). */
export interface PlivoAccount {
  readonly api: CarrierHttpClient;
  readonly authId: string;
  /** /Account/{auth_id} */
  readonly accountPath: string;
}

/** GET Number/{number}/: the account's number, or undefined when Plivo answers its 404 (the account does not rent it). */
export async function fetchRentedNumber(account: PlivoAccount, number: ParsedPhoneNumber, operation: string, options: CarrierCallOptions): Promise<PlivoAccountNumber | undefined> {
  const response = await account.api.request({
    method: "GET",
    path: `${account.accountPath}/Number/${plivoDigits(number.e164)}/`,
    operation,
    signal: options.signal,
  });
  if (isPlivoNotFound(response)) return undefined;
  if (response.status !== 200) throw plivoErrorFromResponse(response, operation);
  return parseJsonBody(response, plivoAccountNumberSchema, "plivo", operation);
}

/**
 * Whether Plivo is still waiting to activate a rented number: bought "pending" in a country with address or
 * identity requirements, it is on the account but inactive until documents are accepted (plivo.md, Buy: poll
 * `active` and `compliance_status`). `active: false` alone is not enough: Plivo's own example of an ordinary US
 * number reads `active: false` with no compliance status (examples/number_get.response.json).
 */
export function awaitsActivation(rented: PlivoAccountNumber): boolean {
  return rented.active === false && typeof rented.compliance_status === "string" && rented.compliance_status !== "";
}

/** A number on the account as Plivo lists it, with the services it reports (voice_enabled, sms_enabled, mms_enabled). */
export interface PlivoOwnedNumber extends CarrierOwnedNumber {
  readonly capabilities: readonly Capability[];
}

export interface PlivoOwnedNumbersPage extends CarrierOwnedNumbersPage {
  readonly numbers: readonly PlivoOwnedNumber[];
}

/**
 * One page of GET Number/ (limit ≤ 20, offset). The page token is Plivo's offset; the next one is read from
 * `meta.next` (see nextOffsetOf).
 */
export async function listOwnedNumbersPage(
  account: PlivoAccount,
  page: { readonly pageToken?: string; readonly pageSize: number },
  options: CarrierCallOptions,
): Promise<PlivoOwnedNumbersPage> {
  const offset = page.pageToken === undefined ? 0 : Number(page.pageToken);
  if (!Number.isSafeInteger(offset) || offset < 0 || (page.pageToken !== undefined && !/^[0-9]+$/.test(page.pageToken))) {
    throw new CarrierError({ kind: "invalid_request", carrierId: "plivo", operation: "list_owned", message: "the page token is not one numbergate issued for plivo", requestMayHaveReachedCarrier: false });
  }
  const limit = Math.min(Math.max(page.pageSize, 1), PLIVO_MAX_PAGE_SIZE);
  const listPath = `${account.accountPath}/Number/`;
  const response = await account.api.request({ method: "GET", path: listPath, query: { limit, offset }, operation: "list_owned", signal: options.signal });
  if (response.status !== 200) throw plivoErrorFromResponse(response, "list_owned");
  const listed = parseJsonBody(response, plivoAccountNumbersPageSchema, "plivo", "list_owned");
  const numbers = listed.objects.flatMap((entry): PlivoOwnedNumber[] => {
    const e164 = e164FromPlivo(entry.number);
    return e164 ? [{ e164, carrierNumberId: entry.number, numberType: numberTypeFromPlivo(entry.number_type), capabilities: plivoCapabilities(entry) }] : [];
  });
  const nextOffset = nextOffsetOf(listed.meta?.next, listPath, offset, "list_owned");
  return { numbers, nextPageToken: nextOffset === undefined ? undefined : String(nextOffset) };
}

/**
 * The offset of a `meta.next` URI (`/v1/Account/MA.../Number/?limit=3&offset=3`), undefined at the last page.
 * The URI itself is never requested (its host and prefix are Plivo's, not the configured base URL's): only its
 * offset is taken, and only when its path is the list being read and the offset moves forward, so a broken
 * answer can neither send numbergate elsewhere nor loop.
 */
export function nextOffsetOf(next: string | null | undefined, listPath: string, currentOffset: number, operation: string): number | undefined {
  if (next === null || next === undefined || next === "") return undefined;
  const broken = (): CarrierError =>
    new CarrierError({ kind: "carrier_server", carrierId: "plivo", operation, message: "plivo sent a next page outside the list being read", requestMayHaveReachedCarrier: true });
  let parsed: URL;
  try {
    parsed = new URL(next, "https://plivo.invalid");
  } catch {
    throw broken();
  }
  const offsetText = parsed.searchParams.get("offset") ?? "";
  const offset = Number(offsetText);
  if (!parsed.pathname.endsWith(listPath) || !/^[0-9]+$/.test(offsetText) || offset <= currentOffset) throw broken();
  return offset;
}
