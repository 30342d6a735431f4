import {
  CarrierEmulator,
  hasBasicCredentials,
  json,
  type EmulatorRequest,
  type EmulatorResponse,
  type EmulatorRoute,
} from "../emulator-kit/carrier-emulator.js";
import { buildInventory, type InventoryNumber } from "../emulator-kit/inventory.js";
import { randomBytes } from "node:crypto";

export interface TwilioEmulatorOptions {
  readonly accountSid: string;
  readonly authToken: string;
}

const ERROR_CODES: Readonly<Record<number, { code: number; message: string }>> = {
  400: { code: 21451, message: "Invalid area code" },
  401: { code: 20003, message: "Authenticate" },
  403: { code: 20003, message: "Forbidden" },
  404: { code: 20404, message: "The requested resource was not found" },
  429: { code: 20429, message: "Too Many Requests" },
  500: { code: 20500, message: "Internal Server Error" },
};

const ACCOUNT_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\.json$/;
const INCOMING_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\/IncomingPhoneNumbers\.json$/;
const INCOMING_SID_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\/IncomingPhoneNumbers\/(PN[0-9a-f]{32})\.json$/;
const AVAILABLE_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\/AvailablePhoneNumbers\/([A-Z]{2})\/(Local|TollFree|Mobile)\.json$/;

/** Twilio's 2010 REST API on loopback: same paths, Basic auth, JSON bodies and error shape. */
export class TwilioEmulator extends CarrierEmulator {
  readonly #options: TwilioEmulatorOptions;
  readonly #inventory: readonly InventoryNumber[] = buildInventory("twilio");
  /** Numbers held elsewhere; they vanish from search and cannot be bought. */
  readonly unavailable = new Set<string>();
  /** Numbers this account owns, by E.164. Owned numbers are not for sale again until released. */
  readonly owned = new Map<string, { sid: string; friendlyName: string }>();
  /** Every successful purchase, in order: a double buy shows up here. */
  readonly purchases: string[] = [];

  protected readonly routes: readonly EmulatorRoute[] = [
    { method: "GET", pattern: ACCOUNT_PATH, handle: (request, match) => this.#fetchAccount(match) },
    { method: "GET", pattern: AVAILABLE_PATH, handle: (request, match) => this.#searchAvailable(request, match) },
    { method: "POST", pattern: INCOMING_PATH, handle: (request, match) => this.#buy(request, match) },
    { method: "GET", pattern: INCOMING_PATH, handle: (request, match) => this.#listOwned(request, match) },
    { method: "DELETE", pattern: INCOMING_SID_PATH, handle: (request, match) => this.#release(match) },
  ];

  constructor(options: TwilioEmulatorOptions) {
    super();
    this.#options = options;
  }

  describeState(): { purchases: string[]; owned: string[] } {
    return { purchases: [...this.purchases], owned: [...this.owned.keys()] };
  }

  protected isAuthorized(request: EmulatorRequest): boolean {
    return hasBasicCredentials(request, this.#options.accountSid, this.#options.authToken);
  }

  protected errorResponse(status: number, retryAfterSeconds?: number): EmulatorResponse {
    const known = ERROR_CODES[status] ?? { code: 20500, message: "Service Unavailable" };
    const headers: Record<string, string> = retryAfterSeconds === undefined ? {} : { "retry-after": String(retryAfterSeconds) };
    return json(status, { code: known.code, message: known.message, more_info: `https://www.twilio.com/docs/errors/${known.code}`, status }, headers);
  }

  protected malformedBody(): EmulatorResponse {
    return { status: 200, headers: { "content-type": "application/json" }, body: '{"available_phone_numbers": [{"phone_nu' };
  }

  #incomingNumber(e164: string, sid: string, friendlyName: string): Record<string, unknown> {
    const stocked = this.#inventory.find((number) => number.e164 === e164);
    return {
      sid,
      account_sid: this.#options.accountSid,
      phone_number: e164,
      friendly_name: friendlyName,
      status: "in-use",
      type: stocked?.tollFree ? "toll-free" : "local",
      capabilities: Object.fromEntries((["voice", "sms", "mms", "fax"] as const).map((feature) => [feature, stocked?.capabilities.includes(feature) ?? false])),
      date_created: new Date().toUTCString(),
      uri: `/2010-04-01/Accounts/${this.#options.accountSid}/IncomingPhoneNumbers/${sid}.json`,
    };
  }

  /** POST IncomingPhoneNumbers.json: buys a specific number; a number already owned or not stocked is 21422. */
  #buy(request: EmulatorRequest, match: RegExpExecArray): EmulatorResponse {
    if (match[1] !== this.#options.accountSid) return this.errorResponse(404);
    const form = new URLSearchParams(request.body);
    const phoneNumber = form.get("PhoneNumber");
    if (!phoneNumber || !/^\+[1-9][0-9]{6,14}$/.test(phoneNumber)) return twilioError(400, 21421, "PhoneNumber is invalid");
    const stocked = this.#inventory.some((number) => number.e164 === phoneNumber);
    if (!stocked || this.owned.has(phoneNumber) || this.unavailable.has(phoneNumber)) {
      return twilioError(400, 21422, "PhoneNumber is not available");
    }
    const sid = `PN${randomBytes(16).toString("hex")}`;
    const friendlyName = form.get("FriendlyName") ?? phoneNumber;
    this.owned.set(phoneNumber, { sid, friendlyName });
    this.purchases.push(phoneNumber);
    return json(201, this.#incomingNumber(phoneNumber, sid, friendlyName));
  }

  #listOwned(request: EmulatorRequest, match: RegExpExecArray): EmulatorResponse {
    if (match[1] !== this.#options.accountSid) return this.errorResponse(404);
    const filter = request.query.get("PhoneNumber");
    const numbers = [...this.owned.entries()]
      .filter(([e164]) => filter === null || e164.includes(filter.replace(/^\+/, "")))
      .map(([e164, { sid, friendlyName }]) => this.#incomingNumber(e164, sid, friendlyName));
    return json(200, { incoming_phone_numbers: numbers, page: 0, page_size: 50, start: 0, end: numbers.length, uri: request.path, next_page_uri: null });
  }

  #release(match: RegExpExecArray): EmulatorResponse {
    if (match[1] !== this.#options.accountSid) return this.errorResponse(404);
    const entry = [...this.owned.entries()].find(([, owned]) => owned.sid === match[2]);
    if (!entry) return this.errorResponse(404);
    this.owned.delete(entry[0]);
    return { status: 204 };
  }

  #fetchAccount(match: RegExpExecArray): EmulatorResponse {
    if (match[1] !== this.#options.accountSid) return this.errorResponse(404);
    return json(200, { sid: this.#options.accountSid, friendly_name: "numbergate sandbox", status: "active", type: "Full" });
  }

  #searchAvailable(request: EmulatorRequest, match: RegExpExecArray): EmulatorResponse {
    const [, accountSid, country, resource] = match;
    if (accountSid !== this.#options.accountSid) return this.errorResponse(404);
    const query = request.query;
    const areaCode = query.get("AreaCode");
    if (areaCode !== null && !/^[2-9][0-9]{2}$/.test(areaCode)) return this.errorResponse(400);
    const contains = query.get("Contains");
    const containsMatcher = contains === null ? undefined : twilioContainsMatcher(contains);
    if (containsMatcher === null) {
      return json(400, { code: 21451, message: "Invalid Contains pattern", more_info: "https://www.twilio.com/docs/errors/21451", status: 400 });
    }
    const pageSize = Math.min(Math.max(Number(query.get("PageSize") ?? 50) || 50, 1), 1000);
    const wanted = (name: string): boolean => query.get(name)?.toLowerCase() === "true";
    const locality = query.get("InLocality")?.toLowerCase();
    const region = query.get("InRegion")?.toUpperCase();

    // Twilio sells no US mobile numbers, and the emulator only stocks the US.
    const stock = country === "US" && resource !== "Mobile" ? this.#inventory : [];
    const found = stock
      .filter((number) => number.tollFree === (resource === "TollFree"))
      .filter((number) => !this.unavailable.has(number.e164) && !this.owned.has(number.e164))
      .filter((number) => areaCode === null || number.npa === areaCode)
      .filter((number) => !containsMatcher || containsMatcher.test(number.e164))
      .filter((number) => locality === undefined || number.city?.toLowerCase() === locality)
      .filter((number) => region === undefined || number.state === region)
      .filter((number) => (["voice", "sms", "mms", "fax"] as const).every((feature) => !wanted(`${capitalize(feature)}Enabled`) || number.capabilities.includes(feature)))
      .slice(0, pageSize);

    return json(200, {
      available_phone_numbers: found.map((number) => ({
        friendly_name: `(${number.npa}) ${number.nationalNumber.slice(3, 6)}-${number.nationalNumber.slice(6)}`,
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
        capabilities: Object.fromEntries((["voice", "sms", "mms", "fax"] as const).map((feature) => [feature, number.capabilities.includes(feature)])),
      })),
      uri: request.path,
    });
  }
}

function twilioError(status: number, code: number, message: string): EmulatorResponse {
  return json(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
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
