import { xml, type EmulatorResponse } from "../emulator-kit/carrier-emulator.js";
import { buildXml } from "../kit/xml.js";
import { linkText, type BandwidthEmulatedAccount } from "./bandwidth-emulator-common.js";
import { lnpErrors, listEntry } from "./bandwidth-emulator-portin-views.js";
import { PORT_IN_STATUSES, type EmulatedPortIn } from "./bandwidth-emulator-portins-state.js";

/** "A maximum of 1,000 orders can be retrieved per request." */
const MAX_PAGE_SIZE = 1000;
const PARAMETERS = ["page", "size", "status", "startdate", "enddate", "tn", "orderTn", "customerOrderId", "pon", "date"];
/** Filters that "cannot be combined with any of the date-based query parameters". */
const IDENTIFYING = ["tn", "orderTn", "customerOrderId", "pon"];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function invalid(reason: string): EmulatorResponse {
  return lnpErrors(400, [{ code: "7598", description: `Invalid Request: ${reason}` }]);
}

/**
 * GET portins: `page` ("1", or the id of the page's first port-in, from <Links><next>) and `size` (1-1000) are
 * required; `status` (any letter case), `tn` (the BTN), `orderTn`, `customerOrderId`, `pon` (the order id here),
 * `startdate` with `enddate` (last modified between them) and `date` (changed on that day: the entry shows the order
 * as it stood at the end of that day) filter, oldest order first. Unknown parameters, and the combinations the spec
 * forbids, answer 400.
 */
export function listPortIns(query: URLSearchParams, records: readonly EmulatedPortIn[], account: BandwidthEmulatedAccount): EmulatorResponse {
  const unknown = [...query.keys()].find((name) => !PARAMETERS.includes(name));
  if (unknown !== undefined) return invalid(`unknown parameter ${unknown}`);
  const page = query.get("page");
  const sizeText = query.get("size");
  if (!page) return invalid("page is required");
  if (sizeText === null || !/^[0-9]+$/.test(sizeText) || Number(sizeText) < 1 || Number(sizeText) > MAX_PAGE_SIZE) return invalid("size must be an integer from 1 to 1000");
  const size = Number(sizeText);
  const [startdate, enddate, date] = [query.get("startdate"), query.get("enddate"), query.get("date")];
  if ((startdate === null) !== (enddate === null)) return invalid("startdate and enddate must be simultaneously declared");
  const dates = [startdate, enddate, date].filter((value): value is string => value !== null);
  if (dates.some((value) => !DATE.test(value))) return invalid("dates must be written YYYY-MM-DD");
  if (dates.length > 0 && IDENTIFYING.some((name) => query.has(name))) return invalid(`${IDENTIFYING.join(", ")} cannot be combined with date-based parameters`);
  for (const name of ["tn", "orderTn"]) if (query.has(name) && !/^[0-9]+$/.test(query.get(name) ?? "")) return invalid(`${name} must be an integer`);
  const status = query.get("status")?.toUpperCase();
  if (status !== undefined && status !== "DRAFT" && !PORT_IN_STATUSES.some((known) => known === status)) {
    return lnpErrors(400, [{ code: "7372", description: `ProcessingStatus '${query.get("status") ?? ""}' is invalid. Valid values: draft, ${PORT_IN_STATUSES.map((known) => known.toLowerCase()).join(", ")}` }]);
  }

  const matching = records
    .map((record) => (date === null ? record : asOf(record, date)))
    .filter((record): record is EmulatedPortIn => record !== undefined)
    .filter((record) => status === undefined || record.status === status)
    .filter((record) => !query.has("tn") || record.draft.billingTelephoneNumber === query.get("tn"))
    .filter((record) => !query.has("orderTn") || record.draft.phoneNumbers.includes(query.get("orderTn") ?? ""))
    .filter((record) => !query.has("customerOrderId") || record.draft.customerOrderId === query.get("customerOrderId"))
    .filter((record) => !query.has("pon") || record.id === query.get("pon"))
    .filter((record) => startdate === null || enddate === null || (record.lastModifiedAt.slice(0, 10) >= startdate && record.lastModifiedAt.slice(0, 10) <= enddate));
  const start = page === "1" ? 0 : matching.findIndex((record) => record.id === page);
  if (start < 0) return invalid("page names no port-in of this list");
  const onPage = matching.slice(start, start + size);
  const next = matching[start + size];
  const pageUrl = (pageId: string) => {
    const parameters = new URLSearchParams(query);
    parameters.set("page", pageId);
    return `${account.accountUrl()}/portins?${parameters.toString()}`;
  };
  return xml(200, buildXml({
    LNPResponseWrapper: {
      TotalCount: String(matching.length),
      Links: { first: linkText(pageUrl("1"), "first"), ...(next ? { next: linkText(pageUrl(next.id), "next") } : {}) },
      lnpPortInfoForGivenStatus: onPage.map((record) => listEntry(record, account.accountId)),
    },
  }));
}

/** The port-in as it stood at the end of a day it changed on; undefined when it did not change that day. */
function asOf(record: EmulatedPortIn, day: string): EmulatedPortIn | undefined {
  const last = record.history.filter((entry) => entry.at.slice(0, 10) === day).at(-1);
  return last ? { ...record, status: last.status, lastModifiedAt: last.at } : undefined;
}
