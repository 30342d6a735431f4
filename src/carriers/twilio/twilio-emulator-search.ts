import { json, type EmulatorResponse } from "../emulator-kit/carrier-emulator.js";
import type { InventoryNumber } from "../emulator-kit/inventory.js";
import { TWILIO_INVALID_PARAMETER, twilioErrorResponse } from "./twilio-emulator-common.js";

const FEATURES = ["voice", "sms", "mms", "fax"] as const;

/**
 * GET AvailablePhoneNumbers/{Country}/{Local|TollFree|Mobile}.json on the emulator's inventory, with Twilio's
 * AreaCode, Contains, InLocality, InRegion, *Enabled and PageSize parameters.
 */
export function searchAvailablePhoneNumbers(
  query: URLSearchParams,
  path: string,
  country: string,
  resource: string,
  inventory: readonly InventoryNumber[],
  isForSale: (number: InventoryNumber) => boolean,
): EmulatorResponse {
  const areaCode = query.get("AreaCode");
  if (areaCode !== null && !/^[2-9][0-9]{2}$/.test(areaCode)) return twilioErrorResponse(400, 21451, "Invalid area code");
  const contains = query.get("Contains");
  const containsMatcher = contains === null ? undefined : twilioContainsMatcher(contains);
  if (containsMatcher === null) return twilioErrorResponse(400, 21451, "Invalid Contains pattern");
  const pageSizeText = query.get("PageSize") ?? "50";
  const pageSize = Number(pageSizeText);
  // PageSize is an integer from 1 to 1000 (the spec's schema): refused rather than clamped, so a client sending more finds out here.
  if (!/^[0-9]+$/.test(pageSizeText) || pageSize < 1 || pageSize > 1000) return twilioErrorResponse(400, TWILIO_INVALID_PARAMETER, "PageSize must be an integer from 1 to 1000");
  const wanted = (name: string): boolean => query.get(name)?.toLowerCase() === "true";
  const locality = query.get("InLocality")?.toLowerCase();
  const region = query.get("InRegion")?.toUpperCase();

  // Twilio sells no US mobile numbers, and the emulator only stocks the US.
  const stock = country === "US" && resource !== "Mobile" ? inventory : [];
  const found = stock
    .filter((number) => number.tollFree === (resource === "TollFree"))
    .filter(isForSale)
    .filter((number) => areaCode === null || number.npa === areaCode)
    .filter((number) => !containsMatcher || containsMatcher.test(number.e164))
    .filter((number) => locality === undefined || number.city?.toLowerCase() === locality)
    .filter((number) => region === undefined || number.state === region)
    .filter((number) => FEATURES.every((feature) => !wanted(`${capitalize(feature)}Enabled`) || number.capabilities.includes(feature)))
    .slice(0, pageSize);

  return json(200, {
    available_phone_numbers: found.map((number) => ({
      friendly_name: nationalFriendlyName(number.e164),
      phone_number: number.e164,
      lata: null,
      locality: number.city ?? null,
      rate_center: number.rateCenter ?? null,
      latitude: null,
      longitude: null,
      region: number.state ?? null,
      postal_code: null,
      iso_country: "US",
      address_requirements: "none",
      beta: false,
      capabilities: Object.fromEntries(FEATURES.map((feature) => [feature, number.capabilities.includes(feature)])),
    })),
    uri: path,
  });
}

/** Twilio's default friendly name of a NANP number: "(808) 925-1571". */
export function nationalFriendlyName(e164: string): string {
  const national = e164.startsWith("+1") ? e164.slice(2) : undefined;
  if (national?.length !== 10) return e164;
  return `(${national.slice(0, 3)}) ${national.slice(3, 6)}-${national.slice(6)}`;
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

const KEYPAD: Readonly<Record<string, string>> = {
  A: "2", B: "2", C: "2", D: "3", E: "3", F: "3", G: "4", H: "4", I: "4", J: "5", K: "5", L: "5", M: "6",
  N: "6", O: "6", P: "7", Q: "7", R: "7", S: "7", T: "8", U: "8", V: "8", W: "9", X: "9", Y: "9", Z: "9",
};

/**
 * Twilio's Contains syntax as a regular expression over the E.164 number: digits and letters (keypad),
 * `*` one character, `%` a run, leading `+` anchors the start, trailing `$` the end. Null when invalid.
 */
export function twilioContainsMatcher(pattern: string): RegExp | null {
  if (pattern.length < 2 || pattern.length > 16) return null;
  const anchoredStart = pattern.startsWith("+");
  const anchoredEnd = pattern.endsWith("$");
  const body = pattern.slice(anchoredStart ? 1 : 0, anchoredEnd ? -1 : undefined);
  if (!/^[0-9A-Za-z*%]+$/.test(body)) return null;
  const source = [...body.toUpperCase()]
    .map((character) => (character === "*" ? "." : character === "%" ? ".*" : (KEYPAD[character] ?? character)))
    .join("");
  return new RegExp(`${anchoredStart ? "^\\+" : ""}${source}${anchoredEnd ? "$" : ""}`);
}
