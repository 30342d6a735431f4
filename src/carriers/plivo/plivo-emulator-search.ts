import { json, type EmulatorRequest, type EmulatorResponse } from "../emulator-kit/carrier-emulator.js";
import { PAGING_RULES, SERVICES_RULE, pageOf, plivoErrorResponse, queryProblem, type ParameterRule } from "./plivo-emulator-common.js";
import { describeAvailable, type PlivoStockedNumber } from "./plivo-emulator-stock.js";

/** The parameters of GET PhoneNumber/ in the derived spec, and the form of each. */
const SEARCH_RULES: Readonly<Record<string, ParameterRule>> = {
  country_iso: /^[A-Z]{2}$/,
  type: ["local", "national", "tollfree", "mobile", "fixed"],
  pattern: /^[0-9]{1,15}$/,
  npanxx: /^[2-9][0-9]{5}$/,
  local_calling_area: "boolean",
  region: "text",
  city: "text",
  lata: "integer",
  rate_center: "text",
  services: SERVICES_RULE,
  eligible: "boolean",
  compliance_requirement: "text",
  ...PAGING_RULES,
};

/** Which stocked kinds each `type` finds: local and fixed are geographic numbers; none of the stock is national or mobile. */
function kindMatches(type: string | null, number: PlivoStockedNumber): boolean {
  switch (type) {
    case null:
      return true;
    case "local":
    case "fixed":
      return number.kind === "fixed";
    case "tollfree":
      return number.kind === "tollfree";
    default:
      return false;
  }
}

/**
 * GET PhoneNumber/ on the emulator's stock: `country_iso` required, every other parameter optional and checked.
 * `pattern` matches the start of the national number (`pattern=212` finds New York's 212 numbers), `region` a
 * state code (2 letters) or a region's name, `services` numbers offering all the services listed; results are
 * paged with limit (≤ 20) and offset.
 */
export function searchPhoneNumbers(request: EmulatorRequest, accountPath: string, stock: readonly PlivoStockedNumber[], isForSale: (number: PlivoStockedNumber) => boolean): EmulatorResponse {
  const { query } = request;
  const problem = queryProblem(query, SEARCH_RULES, ["country_iso"]);
  if (problem !== undefined) return plivoErrorResponse(400, problem);
  const text = (name: string): string | undefined => query.get(name) ?? undefined;
  const country = text("country_iso");
  const pattern = text("pattern");
  const npanxx = text("npanxx");
  const region = text("region");
  const city = text("city")?.toLowerCase();
  const lata = text("lata");
  const rateCenter = text("rate_center")?.toUpperCase();
  const services = text("services")?.split(",") ?? [];
  const inRegion = (number: PlivoStockedNumber): boolean =>
    region === undefined || (region.length === 2 ? number.regionCode === region.toUpperCase() : number.regionName.toLowerCase() === region.toLowerCase());
  // npanxx with local_calling_area=true also finds numbers in the same rate centers (plivo.md, Search).
  const npanxxCenters = new Set(stock.filter((number) => npanxx !== undefined && number.nationalNumber.startsWith(npanxx)).map((number) => number.rateCenter));
  const inNpanxx = (number: PlivoStockedNumber): boolean =>
    npanxx === undefined || number.nationalNumber.startsWith(npanxx) || (query.get("local_calling_area") === "true" && number.rateCenter !== undefined && npanxxCenters.has(number.rateCenter));

  const found = stock
    .filter((number) => number.countryIso === country && kindMatches(query.get("type"), number))
    .filter(isForSale)
    .filter((number) => pattern === undefined || number.nationalNumber.startsWith(pattern))
    .filter(inNpanxx)
    .filter(inRegion)
    .filter((number) => city === undefined || number.city?.toLowerCase() === city)
    .filter((number) => lata === undefined || String(number.lata) === lata)
    .filter((number) => rateCenter === undefined || number.rateCenter === rateCenter)
    .filter((number) => services.every((service) => number.capabilities.some((capability) => capability === service)));
  const page = pageOf(request, found.map((number) => describeAvailable(number, accountPath)));
  return page.ok ? json(200, page.body) : page.response;
}
