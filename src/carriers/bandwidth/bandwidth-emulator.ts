import {
  CarrierEmulator,
  hasBasicCredentials,
  xml,
  type EmulatorRequest,
  type EmulatorResponse,
  type EmulatorRoute,
} from "../emulator-kit/carrier-emulator.js";
import { buildInventory, type InventoryNumber } from "../emulator-kit/inventory.js";
import { buildXml } from "../kit/xml.js";
import { BandwidthNumberState } from "./bandwidth-emulator-orders.js";

export interface BandwidthEmulatorOptions {
  readonly username: string;
  readonly password: string;
  readonly accountId: string;
}

/** The emulator serves below /api, like https://dashboard.bandwidth.com/api. */
export const BANDWIDTH_EMULATOR_BASE_PATH = "/api";

const ACCOUNT_PATH = /^\/api\/accounts\/([^/]+)$/;
const AVAILABLE_PATH = /^\/api\/accounts\/([^/]+)\/availableNumbers$/;
const RESERVATIONS_PATH = /^\/api\/accounts\/([^/]+)\/tnreservation$/;
const RESERVATION_PATH = /^\/api\/accounts\/([^/]+)\/tnreservation\/([^/]+)$/;
const ORDERS_PATH = /^\/api\/accounts\/([^/]+)\/orders$/;
const ORDER_PATH = /^\/api\/accounts\/([^/]+)\/orders\/([^/]+)$/;
const DISCONNECTS_PATH = /^\/api\/accounts\/([^/]+)\/disconnects$/;

/** Bandwidth's Numbers API on loopback: same paths, Basic auth, XML bodies and error elements. */
export class BandwidthEmulator extends CarrierEmulator {
  readonly #options: BandwidthEmulatorOptions;
  readonly #inventory: readonly InventoryNumber[] = buildInventory("bandwidth");
  /** Numbers held elsewhere; they vanish from search. */
  readonly unavailable = new Set<string>();
  /** Reservations, orders and owned TNs. */
  readonly numbers = new BandwidthNumberState(this.#inventory);

  protected readonly routes: readonly EmulatorRoute[] = [
    { method: "GET", pattern: ACCOUNT_PATH, handle: (request, match) => this.#fetchAccount(match) },
    { method: "GET", pattern: AVAILABLE_PATH, handle: (request, match) => this.#searchAvailable(request, match) },
    { method: "POST", pattern: RESERVATIONS_PATH, handle: (request, match) => this.#forAccount(match, () => this.numbers.reserve(request, request.path)) },
    { method: "GET", pattern: RESERVATION_PATH, handle: (request, match) => this.#forAccount(match, () => this.numbers.fetchReservation(match[2] ?? "", this.#options.accountId)) },
    { method: "DELETE", pattern: RESERVATION_PATH, handle: (request, match) => this.#forAccount(match, () => this.numbers.cancelReservation(match[2] ?? "")) },
    { method: "POST", pattern: ORDERS_PATH, handle: (request, match) => this.#forAccount(match, () => this.numbers.placeOrder(request)) },
    { method: "GET", pattern: ORDERS_PATH, handle: (request, match) => this.#forAccount(match, () => this.numbers.listOrders(request)) },
    { method: "GET", pattern: ORDER_PATH, handle: (request, match) => this.#forAccount(match, () => this.numbers.fetchOrder(match[2] ?? "")) },
    { method: "POST", pattern: DISCONNECTS_PATH, handle: (request, match) => this.#forAccount(match, () => this.numbers.disconnect(request)) },
  ];

  constructor(options: BandwidthEmulatorOptions) {
    super();
    this.#options = options;
  }

  #forAccount(match: RegExpExecArray, handle: () => EmulatorResponse): EmulatorResponse {
    return match[1] === this.#options.accountId ? handle() : this.errorResponse(403);
  }

  get baseUrl(): string {
    return `${this.origin}${BANDWIDTH_EMULATOR_BASE_PATH}`;
  }

  describeState(): { purchases: string[]; owned: string[]; reservations: number; orders: number } {
    const { numbers } = this;
    return { purchases: [...numbers.purchases], owned: [...numbers.owned], reservations: numbers.reservations.size, orders: numbers.orders.size };
  }

  protected isAuthorized(request: EmulatorRequest): boolean {
    return hasBasicCredentials(request, this.#options.username, this.#options.password);
  }

  protected errorResponse(status: number, retryAfterSeconds?: number): EmulatorResponse {
    if (status === 429) {
      // Bandwidth answers 429 with an empty body and the reset time in epoch seconds.
      const reset = Math.ceil(Date.now() / 1000) + (retryAfterSeconds ?? 1);
      return { status, headers: { "x-ratelimit-reset": String(reset) }, body: "" };
    }
    if (status === 401 || status === 403) return { status, body: "" };
    const code = status === 404 ? "5040" : status >= 500 ? "4009" : "4010";
    const description = status === 404 ? "Not found" : status >= 500 ? "The request could not be processed; please retry" : "Invalid request";
    return xml(status, buildXml({ ResponseStatus: { ErrorCode: code, Description: description } }));
  }

  protected malformedBody(): EmulatorResponse {
    return xml(200, "<SearchResult><ResultCount>3</ResultCount><TelephoneNumberList><TelephoneNumber>212");
  }

  #fetchAccount(match: RegExpExecArray): EmulatorResponse {
    if (match[1] !== this.#options.accountId) return this.errorResponse(403);
    return xml(200, buildXml({ AccountResponse: { Account: { AccountId: this.#options.accountId, CompanyName: "numbergate sandbox", AccountType: "Business" } } }));
  }

  #searchAvailable(request: EmulatorRequest, match: RegExpExecArray): EmulatorResponse {
    if (match[1] !== this.#options.accountId) return this.errorResponse(403);
    const parameters = request.query;
    const read = (name: string): string | undefined => parameters.get(name) ?? undefined;
    const areaCode = read("areaCode");
    const npaNxx = read("npaNxx");
    const npaNxxx = read("npaNxxx");
    const city = read("city");
    const state = read("state");
    const localVanity = read("localVanity");
    const tollFreePattern = read("tollFreeWildCardPattern");
    const quantity = Number(read("quantity") ?? 5000);

    if (areaCode !== undefined && !/^[2-9][0-9]{2}$/.test(areaCode)) return searchError("4000", "Please verify that your Area Code search input parameters are correct.");
    if ((npaNxx !== undefined && !/^[2-9][0-9]{5}$/.test(npaNxx)) || (npaNxxx !== undefined && !/^[2-9][0-9]{6}$/.test(npaNxxx))) {
      return searchError("4002", "Please verify that your NPA, NPA-NXX, or NPA-NXX-X search input parameters are correct.");
    }
    if (city !== undefined && state === undefined) return searchError("4005", "Please verify that your City search input parameters are correct.");
    if (localVanity !== undefined && !/^[0-9A-Za-z]{4,7}$/.test(localVanity)) return searchError("4010", "Provided search criteria are unsupported or are not valid");
    if (tollFreePattern !== undefined && !/^8[0-9*]{2}$/.test(tollFreePattern)) return searchError("4004", "Please verify that your Toll Free Wild Card search input parameters are correct.");
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > 5000) return searchError("4010", "Provided search criteria are unsupported or are not valid");
    if ([areaCode, npaNxx, npaNxxx, state, localVanity, tollFreePattern].every((value) => value === undefined)) {
      return searchError("4010", "One of more required search parameters are null or empty, please refer to the api documentation");
    }

    const tollFree = tollFreePattern !== undefined;
    const tollFreeMatcher = tollFree ? new RegExp(`^${tollFreePattern.replaceAll("*", "[0-9]")}`) : undefined;
    const endsIn = read("endsIn") === "true";
    const found = this.#inventory
      .filter((number) => number.tollFree === tollFree && !this.unavailable.has(number.e164) && this.numbers.isForSale(number.nationalNumber))
      .filter((number) => !tollFreeMatcher || tollFreeMatcher.test(number.nationalNumber))
      .filter((number) => areaCode === undefined || number.npa === areaCode)
      .filter((number) => npaNxx === undefined || number.nationalNumber.startsWith(npaNxx))
      .filter((number) => npaNxxx === undefined || number.nationalNumber.startsWith(npaNxxx))
      .filter((number) => state === undefined || number.state === state.toUpperCase())
      .filter((number) => city === undefined || number.city?.toUpperCase() === city.toUpperCase())
      .filter((number) => localVanity === undefined || (endsIn ? number.nationalNumber.endsWith(localVanity) : number.nationalNumber.includes(localVanity)))
      .slice(0, quantity);

    if (found.length === 0) return xml(200, buildXml({ SearchResult: "" }));
    if (read("enableTNDetail") === "true" && !tollFree) {
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
}

function searchError(code: string, description: string): EmulatorResponse {
  return xml(400, buildXml({ SearchResult: { Error: { Code: code, Description: description } } }));
}
