import { xml, type EmulatorResponse } from "../emulator-kit/carrier-emulator.js";
import type { InventoryNumber } from "../emulator-kit/inventory.js";
import { buildXml } from "../kit/xml.js";

interface SearchType {
  readonly name: string;
  readonly required: readonly string[];
  readonly combinational: readonly string[];
  readonly optional: readonly string[];
}

const LOCAL_OPTIONAL = ["quantity", "enableTNDetail", "protected"];
const LOCATION = ["rateCenter", "city", "state", "lata", "zip"];
const PREFIXES = ["areaCode", "npaNxx", "npaNxxx"];

/**
 * The availableNumbers combination table of the spec's operation description, row by row. A request is valid
 * when some row has all its required parameters and allows every parameter sent. (The Local Vanity row spells
 * its detail flag "enableTNdetails"; the parameter list names it enableTNDetail, which is what is accepted.)
 */
const SEARCH_TYPES: readonly SearchType[] = [
  { name: "Area Code", required: ["areaCode"], combinational: LOCATION, optional: LOCAL_OPTIONAL },
  { name: "NPA-NXX", required: ["npaNxx"], combinational: [...LOCATION, "orderBy"], optional: LOCAL_OPTIONAL },
  { name: "NPA-NXX with Local Calling Area", required: ["npaNxx"], combinational: [], optional: [...LOCAL_OPTIONAL, "LCA"] },
  { name: "NPA-NXX-X", required: ["npaNxxx"], combinational: [...LOCATION, "orderBy"], optional: LOCAL_OPTIONAL },
  { name: "NPA-NXX-X with Local Calling Area", required: ["npaNxxx"], combinational: LOCATION, optional: [...LOCAL_OPTIONAL, "LCA"] },
  { name: "RateCenter", required: ["rateCenter", "state"], combinational: ["city", ...PREFIXES, "lata", "zip", "orderBy"], optional: LOCAL_OPTIONAL },
  { name: "RateCenter with Local Calling Area", required: ["rateCenter", "state"], combinational: [], optional: [...LOCAL_OPTIONAL, "LCA"] },
  { name: "State", required: ["state"], combinational: ["rateCenter", "city", ...PREFIXES, "lata", "zip"], optional: LOCAL_OPTIONAL },
  { name: "City", required: ["state", "city"], combinational: ["rateCenter", ...PREFIXES, "lata", "zip", "orderBy"], optional: LOCAL_OPTIONAL },
  { name: "Zip Code", required: ["zip"], combinational: ["rateCenter", "city", "state", ...PREFIXES, "lata", "orderBy"], optional: LOCAL_OPTIONAL },
  { name: "LATA", required: ["lata"], combinational: ["rateCenter", "city", "state", ...PREFIXES, "zip"], optional: LOCAL_OPTIONAL },
  { name: "Local Vanity", required: ["localVanity"], combinational: ["state", "areaCode"], optional: ["endsIn", "quantity", "protected", "enableTNDetail"] },
  { name: "TollFree Vanity", required: ["tollFreeVanity"], combinational: ["orderBy"], optional: ["quantity"] },
  { name: "TollFree WildCard", required: ["tollFreeWildCardPattern"], combinational: ["orderBy"], optional: ["quantity"] },
];

/** The row of the combination table a request's parameters fit, if any. */
export function matchSearchType(parameterNames: readonly string[]): SearchType | undefined {
  return SEARCH_TYPES.find(
    (type) =>
      type.required.every((name) => parameterNames.includes(name)) &&
      parameterNames.every((name) => type.required.includes(name) || type.combinational.includes(name) || type.optional.includes(name)),
  );
}

const KEYPAD: Readonly<Record<string, string>> = {
  A: "2", B: "2", C: "2", D: "3", E: "3", F: "3", G: "4", H: "4", I: "4", J: "5", K: "5", L: "5", M: "6",
  N: "6", O: "6", P: "7", Q: "7", R: "7", S: "7", T: "8", U: "8", V: "8", W: "9", X: "9", Y: "9", Z: "9",
};

function keypadDigits(vanity: string): string {
  return [...vanity.toUpperCase()].map((character) => KEYPAD[character] ?? character).join("");
}

/**
 * GET availableNumbers on the emulator's inventory. LCA defaults to true as in the spec: prefix and rate-center
 * searches then also return numbers of the same local calling area (here: the prefix's rate center) after the
 * exact matches, whichever row the request fits, so a client that cannot send LCA=false has to filter.
 */
export function searchAvailableNumbers(query: URLSearchParams, inventory: readonly InventoryNumber[], isForSale: (number: InventoryNumber) => boolean): EmulatorResponse {
  const read = (name: string): string | undefined => query.get(name) ?? undefined;
  const areaCode = read("areaCode");
  const npaNxx = read("npaNxx");
  const npaNxxx = read("npaNxxx");
  const city = read("city");
  const state = read("state");
  const rateCenter = read("rateCenter");
  const localVanity = read("localVanity");
  const tollFreeVanity = read("tollFreeVanity");
  const tollFreePattern = read("tollFreeWildCardPattern");
  const quantity = Number(read("quantity") ?? 5000);

  if (areaCode !== undefined && !/^[2-9][0-9]{2}$/.test(areaCode)) return searchError("4000", "Please verify that your Area Code search input parameters are correct.");
  if ((npaNxx !== undefined && !/^[2-9][0-9]{2}[2-9][0-9]{2}$/.test(npaNxx)) || (npaNxxx !== undefined && !/^[2-9][0-9]{2}[2-9][0-9]{3}$/.test(npaNxxx))) {
    return searchError("4002", "Please verify that your NPA, NPA-NXX, or NPA-NXX-X search input parameters are correct.");
  }
  if (city !== undefined && state === undefined) return searchError("4005", "Please verify that your City search input parameters are correct.");
  if (rateCenter !== undefined && state === undefined) return searchError("4001", "Please verify that your Rate Center search input parameters are correct.");
  if (localVanity !== undefined && !/^[0-9A-Za-z]{4,7}$/.test(localVanity)) return searchError("4010", "Provided search criteria are unsupported or are not valid");
  if (tollFreeVanity !== undefined && !/^[0-9A-Za-z]{7,}$/.test(tollFreeVanity)) return searchError("4003", "Please verify that your Toll Free Vanity search input parameters are correct.");
  if (tollFreePattern !== undefined && !/^8[0-9*]{2}$/.test(tollFreePattern)) return searchError("4004", "Please verify that your Toll Free Wild Card search input parameters are correct.");
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > 5000) return searchError("4010", "Provided search criteria are unsupported or are not valid");
  const names = [...new Set(query.keys())];
  if (![areaCode, npaNxx, npaNxxx, state, localVanity, tollFreeVanity, tollFreePattern, read("zip"), read("lata")].some((value) => value !== undefined)) {
    return searchError("4010", "One of more required search parameters are null or empty, please refer to the api documentation");
  }
  if (!matchSearchType(names)) return searchError("4010", "Provided search criteria are unsupported or are not valid");

  const tollFree = tollFreePattern !== undefined || tollFreeVanity !== undefined;
  const tollFreeMatcher = tollFreePattern === undefined ? undefined : new RegExp(`^${tollFreePattern.replaceAll("*", "[0-9]")}`);
  const vanityDigits = tollFreeVanity === undefined ? undefined : keypadDigits(tollFreeVanity);
  const endsIn = read("endsIn") === "true";
  const inLocation = (number: InventoryNumber): boolean =>
    (state === undefined || number.state === state.toUpperCase()) &&
    (city === undefined || number.city?.toUpperCase() === city.toUpperCase()) &&
    (rateCenter === undefined || number.rateCenter === rateCenter.toUpperCase());
  const candidates = inventory.filter((number) => number.tollFree === tollFree && isForSale(number));
  const exact = candidates
    .filter((number) => !tollFreeMatcher || tollFreeMatcher.test(number.nationalNumber))
    .filter((number) => vanityDigits === undefined || number.nationalNumber.endsWith(vanityDigits))
    .filter((number) => areaCode === undefined || number.npa === areaCode)
    .filter((number) => npaNxx === undefined || number.nationalNumber.startsWith(npaNxx))
    .filter((number) => npaNxxx === undefined || number.nationalNumber.startsWith(npaNxxx))
    .filter(inLocation)
    .filter((number) => localVanity === undefined || (endsIn ? number.nationalNumber.endsWith(keypadDigits(localVanity)) : number.nationalNumber.slice(3).includes(keypadDigits(localVanity))));

  const prefix = npaNxxx ?? npaNxx;
  const lcaApplies = read("LCA") !== "false" && (prefix !== undefined || rateCenter !== undefined);
  // The local calling area of a prefix: the rate centers its numbers belong to (212 and 646 share New York's).
  const callingArea = new Set(inventory.filter((number) => (prefix !== undefined && number.nationalNumber.startsWith(prefix)) || (rateCenter !== undefined && number.rateCenter === rateCenter.toUpperCase())).map((number) => number.rateCenter));
  const localCallingArea = lcaApplies ? candidates.filter((number) => !exact.includes(number) && callingArea.has(number.rateCenter)) : [];
  const found = [...exact, ...localCallingArea].slice(0, quantity);

  if (found.length === 0) return xml(200, buildXml({ SearchResult: "" }));
  if (query.get("enableTNDetail") === "true" && !tollFree) {
    return xml(200, buildXml({
      SearchResult: {
        ResultCount: String(found.length),
        TelephoneNumberDetailList: {
          TelephoneNumberDetail: found.map((number) => ({
            City: (number.city ?? "").toUpperCase(),
            LATA: "224",
            RateCenter: number.rateCenter ?? "",
            State: number.state ?? "",
            FullNumber: number.nationalNumber,
            Tier: "0",
            VendorId: "49",
            VendorName: "Bandwidth CLEC",
          })),
        },
      },
    }));
  }
  return xml(200, buildXml({
    SearchResult: { ResultCount: String(found.length), TelephoneNumberList: { TelephoneNumber: found.map((number) => number.nationalNumber) } },
  }));
}

function searchError(code: string, description: string): EmulatorResponse {
  return xml(400, buildXml({ SearchResult: { Error: { Code: code, Description: description } } }));
}
