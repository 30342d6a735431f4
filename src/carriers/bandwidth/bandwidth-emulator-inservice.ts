import { xml, type EmulatorResponse } from "../emulator-kit/carrier-emulator.js";
import { buildXml } from "../kit/xml.js";
import { linkText, type BandwidthEmulatedAccount } from "./bandwidth-emulator-common.js";

/** The spec's default `size` of GET inserviceNumbers. */
const DEFAULT_PAGE_SIZE = 300;
/** The spec's filters the emulator evaluates (its owned TNs carry no rate center, LATA or dates). */
const FILTERS = { areacode: 3, npanxx: 6 } as const;
const PAGING = ["page", "size"];

/**
 * GET inserviceNumbers: the TNs in service on the account, in ascending order, in pages of `size` (default 300).
 * `page` is "1" for the first page, else the TN that starts the page (the id of its first record, as Bandwidth
 * pages its lists), taken from the previous answer's <Links><next>; both must be integers, as the spec types
 * them. Parameters that are invalid or name no page answer 404 without a body ("the search parameters are
 * invalid"), as do filters the emulator cannot evaluate; nothing in service answers 204.
 */
export function listInServiceNumbers(query: URLSearchParams, owned: ReadonlySet<string>, account: BandwidthEmulatedAccount): EmulatorResponse {
  const notFound: EmulatorResponse = { status: 404, body: "" };
  for (const name of query.keys()) if (!PAGING.includes(name) && !(name in FILTERS)) return notFound;
  const page = query.get("page") ?? "1";
  const sizeText = query.get("size");
  const size = sizeText === null ? DEFAULT_PAGE_SIZE : Number(sizeText);
  if (!/^[0-9]+$/.test(page) || (sizeText !== null && !/^[0-9]+$/.test(sizeText)) || size < 1) return notFound;
  const filters = new URLSearchParams();
  let matching = [...owned].sort();
  for (const [name, digits] of Object.entries(FILTERS)) {
    const value = query.get(name);
    if (value === null) continue;
    if (!new RegExp(`^[0-9]{${digits}}$`).test(value)) return notFound;
    filters.set(name, value);
    matching = matching.filter((tn) => tn.startsWith(value));
  }
  if (matching.length === 0) return { status: 204, body: "" };
  const start = page === "1" ? 0 : matching.indexOf(page);
  if (start < 0) return notFound;
  const onPage = matching.slice(start, start + size);
  const next = matching[start + size];
  const pageUrl = (pageId: string) => {
    const parameters = new URLSearchParams({ page: pageId, size: String(size) });
    for (const [name, value] of filters) parameters.set(name, value);
    return `${account.accountUrl()}/inserviceNumbers?${parameters.toString()}`;
  };
  return xml(
    200,
    buildXml({
      TNs: {
        TotalCount: String(matching.length),
        Links: { first: linkText(pageUrl("1"), "first"), ...(next === undefined ? {} : { next: linkText(pageUrl(next), "next") }) },
        TelephoneNumbers: { Count: String(onPage.length), TelephoneNumber: onPage },
      },
    }),
  );
}
