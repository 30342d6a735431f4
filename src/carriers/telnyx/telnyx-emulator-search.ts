import { json, type EmulatorResponse } from "../emulator-kit/carrier-emulator.js";
import type { TelnyxEmulatedAccount } from "./telnyx-emulator-account.js";
import type { TelnyxCatalogNumber } from "./telnyx-emulator-catalog.js";
import { badRequest, readTelnyxQuery, type TelnyxParameter, type TelnyxQuery } from "./telnyx-emulator-common.js";

const FEATURES = ["sms", "mms", "voice", "fax", "emergency", "hd_voice", "international_sms", "local_calling"];
const PATTERNS = ["starts_with", "ends_with", "contains"] as const;

/** ListAvailablePhoneNumbers' filters, as written on the wire; the operation has no paging (telnyx.md, Search). */
const SEARCH_PARAMETERS: Readonly<Record<string, TelnyxParameter>> = {
  "filter[country_code]": { kind: "text" },
  "filter[national_destination_code]": { kind: "text" },
  "filter[locality]": { kind: "text" },
  "filter[administrative_area]": { kind: "text" },
  "filter[rate_center]": { kind: "text" },
  "filter[phone_number_type]": { kind: "enum", values: ["local", "toll_free", "mobile", "national", "shared_cost"] },
  "filter[features]": { kind: "list", values: FEATURES },
  ...Object.fromEntries(PATTERNS.map((position) => [`filter[phone_number][${position}]`, { kind: "text" }])),
  "filter[limit]": { kind: "integer", min: 1, max: 1000 },
  "filter[best_effort]": { kind: "boolean" },
  "filter[quickship]": { kind: "boolean" },
  "filter[reservable]": { kind: "boolean" },
  "filter[exclude_held_numbers]": { kind: "boolean" },
};

/** How many numbers a search without `filter[limit]` returns (the spec names no default; this is the page default). */
const DEFAULT_LIMIT = 20;

/**
 * GET /available_phone_numbers on the emulator's catalogue. Patterns match the national number, or what follows the
 * national destination code when `filter[national_destination_code]` is given ("excludes NDC", spec). In the US and
 * Canada near matches are added unless `filter[best_effort]=false` (the spec names no default; the emulator takes
 * the one that makes a client check): numbers of the same state outside the asked area code, flagged `best_effort`.
 * Numbers this account reserved are listed unless `filter[exclude_held_numbers]=true`.
 */
export function searchAvailablePhoneNumbers(account: TelnyxEmulatedAccount, parameters: URLSearchParams): EmulatorResponse {
  const read = readTelnyxQuery(parameters, SEARCH_PARAMETERS);
  if (!read.ok) return read.response;
  const { query } = read;
  for (const position of PATTERNS) {
    const name = `filter[phone_number][${position}]`;
    const pattern = query.text(name);
    if (pattern !== undefined && !/^[0-9]{1,15}$/.test(pattern)) return badRequest(`The parameter '${name}' must be digits.`, { parameter: name });
  }
  // The spec names no default country; the docs' samples write it in either case ("filter[country_code]=us").
  const country = (query.text("filter[country_code]") ?? "US").toUpperCase();
  const destinationCode = query.text("filter[national_destination_code]");
  const limit = query.integer("filter[limit]") ?? DEFAULT_LIMIT;
  const stock = [...account.catalog.values()].filter(
    (number) =>
      number.countryCode === country &&
      account.isForSale(number.e164) &&
      (query.text("filter[phone_number_type]") === undefined || number.numberType === query.text("filter[phone_number_type]")) &&
      (query.list("filter[features]") ?? []).every((feature) => number.features.includes(feature)) &&
      (query.flag("filter[quickship]") !== true || number.quickship) &&
      (query.flag("filter[exclude_held_numbers]") !== true || !account.isReserved(number.e164)),
  );
  const exact = stock.filter((number) => inPlace(number, query) && matchesPatterns(number, query, destinationCode));
  const nearMatches =
    query.flag("filter[best_effort]") !== false && (country === "US" || country === "CA") && destinationCode !== undefined && exact.length < limit
      ? stock.filter((number) => !exact.includes(number) && number.destinationCode !== destinationCode && number.administrativeArea === areaState(stock, destinationCode))
      : [];
  const found = [...exact.map((number) => ({ number, bestEffort: false })), ...nearMatches.map((number) => ({ number, bestEffort: true }))].slice(0, limit);
  const meta = { total_results: found.length, best_effort_results: found.filter((entry) => entry.bestEffort).length };
  return json(200, { data: found.map(({ number, bestEffort }) => describeAvailable(number, bestEffort)), meta, metadata: meta });
}

function inPlace(number: TelnyxCatalogNumber, query: TelnyxQuery): boolean {
  const destinationCode = query.text("filter[national_destination_code]");
  const locality = query.text("filter[locality]")?.toLowerCase();
  const area = query.text("filter[administrative_area]")?.toUpperCase();
  const rateCenter = query.text("filter[rate_center]")?.toUpperCase();
  return (
    (destinationCode === undefined || number.destinationCode === destinationCode) &&
    (locality === undefined || number.locality?.toLowerCase() === locality) &&
    (area === undefined || number.administrativeArea === area) &&
    (rateCenter === undefined || number.rateCenter === rateCenter)
  );
}

function matchesPatterns(number: TelnyxCatalogNumber, query: TelnyxQuery, destinationCode: string | undefined): boolean {
  const subject = destinationCode === undefined ? number.nationalNumber : number.nationalNumber.slice(destinationCode.length);
  const startsWith = query.text("filter[phone_number][starts_with]");
  const endsWith = query.text("filter[phone_number][ends_with]");
  const contains = query.text("filter[phone_number][contains]");
  return (startsWith === undefined || subject.startsWith(startsWith)) && (endsWith === undefined || subject.endsWith(endsWith)) && (contains === undefined || subject.includes(contains));
}

/** The state an area code serves, read from the catalogue. */
function areaState(stock: readonly TelnyxCatalogNumber[], destinationCode: string): string | undefined {
  return stock.find((number) => number.destinationCode === destinationCode)?.administrativeArea;
}

/** An AvailablePhoneNumber, with the docs' samples' extra `phone_number_type`. */
function describeAvailable(number: TelnyxCatalogNumber, bestEffort: boolean): Record<string, unknown> {
  const regions = [
    { region_type: "country_code", region_name: number.countryCode },
    ...(number.administrativeArea ? [{ region_type: "state", region_name: number.administrativeArea }] : []),
    ...(number.rateCenter ? [{ region_type: "rate_center", region_name: number.rateCenter }] : []),
    // As in the docs' sample "SHEBOYGAN (SHEBOYGAN)": the place, then a qualifier in brackets.
    ...(number.locality ? [{ region_type: "location", region_name: `${number.locality.toUpperCase()}${number.rateCenter ? ` (${number.rateCenter})` : ""}` }] : []),
  ];
  return {
    best_effort: bestEffort,
    cost_information: { currency: "USD", monthly_cost: number.monthlyCost, upfront_cost: number.upfrontCost },
    features: number.features.map((name) => ({ name })),
    phone_number: number.e164,
    phone_number_type: number.numberType,
    quickship: number.quickship,
    record_type: "available_phone_number",
    region_information: regions,
    reservable: true,
    vanity_format: null,
  };
}
