import { randomBytes } from "node:crypto";
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
import type { BandwidthEmulatedAccount } from "./bandwidth-emulator-common.js";
import { BandwidthNumberState, DEFAULT_POLLS_BEFORE_FINAL } from "./bandwidth-emulator-orders.js";
import { listInServiceNumbers } from "./bandwidth-emulator-inservice.js";
import { BandwidthPortIns } from "./bandwidth-emulator-portins.js";
import { portInRoutes } from "./bandwidth-emulator-portin-routes.js";
import { searchAvailableNumbers } from "./bandwidth-emulator-search.js";
import { restoreBandwidthState, saveBandwidthState, type BandwidthSavedState } from "./bandwidth-emulator-state.js";

export interface BandwidthEmulatorOptions {
  readonly username: string;
  readonly password: string;
  readonly accountId: string;
  /** The account's one site: orders naming another SiteId are refused (5016). */
  readonly siteId: string;
  /** The site's one SIP peer: orders naming another PeerId are refused (5023). */
  readonly peerId: string;
  /**
   * GETs of an order or disconnect answered PROCESSING before the next one finds it final; 0 makes the first GET
   * final. Defaults to 2.
   */
  readonly pollsBeforeFinal?: number;
  /**
   * The HTTP Basic credentials port-in notifications carry (the account's subscription callback credentials); made up
   * at random when not given.
   */
  readonly callbackUsername?: string;
  readonly callbackPassword?: string;
  /** The clock of port-ins (when they were created and changed, whether their FOC date has come). Defaults to Date.now. */
  readonly now?: () => number;
  /**
   * The clock a requested FOC date (RequestedFocDate) is judged on: not in the past (7208), not before the losing
   * carrier's minimum interval (7317), within 30 days (7210). Defaults to `now`. An accepted date is still reached on
   * `now`, which also gives the default FOC date when none is requested.
   */
  readonly requestNow?: () => number;
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
const DISCONNECT_PATH = /^\/api\/accounts\/([^/]+)\/disconnects\/([^/]+)$/;
const IN_SERVICE_LIST_PATH = /^\/api\/accounts\/([^/]+)\/inserviceNumbers$/;
const IN_SERVICE_PATH = /^\/api\/accounts\/([^/]+)\/inserviceNumbers\/([^/]+)$/;

/** Bandwidth's Numbers API on loopback: same paths, Basic auth, XML bodies and error elements. */
export class BandwidthEmulator extends CarrierEmulator {
  readonly #options: BandwidthEmulatorOptions;
  readonly #account: BandwidthEmulatedAccount;
  readonly #callback: { readonly callbackUsername: string; readonly callbackPassword: string };
  readonly #inventory: readonly InventoryNumber[] = buildInventory("bandwidth");
  /** Numbers held elsewhere (E.164); they vanish from search and cannot be ordered. */
  readonly unavailable = new Set<string>();
  /** Reservations, orders, disconnects and owned TNs. */
  readonly numbers: BandwidthNumberState;
  /** Port-ins (lnpchecker, portins and their LOAs, history and notifications). */
  readonly portins: BandwidthPortIns;
  protected override readonly basePath = BANDWIDTH_EMULATOR_BASE_PATH;

  protected readonly routes: readonly EmulatorRoute[] = [
    { method: "GET", pattern: ACCOUNT_PATH, handle: (request, match) => this.#forAccount(match, () => this.#fetchAccount()) },
    { method: "GET", pattern: AVAILABLE_PATH, handle: (request, match) => this.#forAccount(match, () => this.#search(request)) },
    { method: "POST", pattern: RESERVATIONS_PATH, handle: (request, match) => this.#xmlWrite(request, match, () => this.numbers.reserve(request)) },
    { method: "GET", pattern: RESERVATION_PATH, handle: (request, match) => this.#forAccount(match, () => this.numbers.fetchReservation(match[2] ?? "")) },
    { method: "DELETE", pattern: RESERVATION_PATH, handle: (request, match) => this.#forAccount(match, () => this.numbers.cancelReservation(match[2] ?? "")) },
    { method: "POST", pattern: ORDERS_PATH, handle: (request, match) => this.#xmlWrite(request, match, () => this.numbers.placeOrder(request)) },
    { method: "GET", pattern: ORDERS_PATH, handle: (request, match) => this.#forAccount(match, () => this.numbers.listOrders(request)) },
    { method: "GET", pattern: ORDER_PATH, handle: (request, match) => this.#forAccount(match, () => this.numbers.fetchOrder(match[2] ?? "")) },
    { method: "POST", pattern: DISCONNECTS_PATH, handle: (request, match) => this.#xmlWrite(request, match, () => this.numbers.disconnects.place(request)) },
    { method: "GET", pattern: DISCONNECT_PATH, handle: (request, match) => this.#forAccount(match, () => this.numbers.disconnects.fetch(match[2] ?? "")) },
    { method: "GET", pattern: IN_SERVICE_LIST_PATH, handle: (request, match) => this.#forAccount(match, () => listInServiceNumbers(request.query, this.numbers.owned, this.#account)) },
    { method: "GET", pattern: IN_SERVICE_PATH, handle: (request, match) => this.#forAccount(match, () => this.#inService(match[2] ?? "")) },
    ...portInRoutes(
      () => this.portins,
      (match, handle) => this.#forAccount(match, handle),
      (request, match, handle) => this.#xmlWrite(request, match, handle),
    ),
  ];

  /** The account this emulator serves (fake credentials, for tests and `npm run emulators`). */
  get credentials(): BandwidthEmulatorOptions {
    return this.#options;
  }

  /** What this emulator's port-in notifications carry, for the connection that verifies them. */
  get callbackCredentials(): { readonly callbackUsername: string; readonly callbackPassword: string } {
    return this.#callback;
  }

  /**
   * Posts Bandwidth's port-in <Notification>s to this URL, with the callback credentials, on every status change from
   * now on (as a `portins` subscription with a callback does); undefined stops them.
   */
  deliverPortingNotificationsTo(url: string | undefined): void {
    const { callbackUsername: username, callbackPassword: password } = this.#callback;
    this.portins.notifyTo(url === undefined ? undefined : { url, username, password });
  }

  constructor(options: BandwidthEmulatorOptions) {
    super();
    this.#options = options;
    this.#callback = {
      callbackUsername: options.callbackUsername ?? "bandwidth-callback",
      callbackPassword: options.callbackPassword ?? randomBytes(16).toString("hex"),
    };
    this.#account = {
      accountId: options.accountId,
      siteId: options.siteId,
      peerId: options.peerId,
      accountUrl: () => `${this.baseUrl}/accounts/${encodeURIComponent(options.accountId)}`,
    };
    this.numbers = new BandwidthNumberState(this.#inventory, this.unavailable, this.#account);
    this.numbers.pollsBeforeFinal = options.pollsBeforeFinal ?? DEFAULT_POLLS_BEFORE_FINAL;
    const inventory = new Set(this.#inventory.map((number) => number.nationalNumber));
    this.portins = new BandwidthPortIns({
      account: this.#account,
      apiUser: options.username,
      owned: this.numbers.owned,
      isInInventory: (tn) => inventory.has(tn),
      now: options.now ?? Date.now,
      requestNow: options.requestNow ?? options.now ?? Date.now,
      pollsBeforeFinal: () => this.numbers.pollsBeforeFinal,
    });
  }

  numbersSold(): readonly string[] {
    return this.numbers.purchases.map((tn) => `+1${tn}`);
  }

  describeState(): { purchases: string[]; owned: string[]; reservations: number; orders: number; disconnects: number; portins: number } {
    const { numbers } = this;
    return {
      purchases: [...numbers.purchases],
      owned: [...numbers.owned],
      reservations: numbers.reservations.size,
      orders: numbers.orders.size,
      disconnects: numbers.disconnects.records.size,
      portins: this.portins.records.size,
    };
  }

  protected saveState(): BandwidthSavedState {
    return saveBandwidthState(this.numbers, this.portins);
  }

  protected restoreState(saved: unknown): void {
    restoreBandwidthState(this.numbers, this.portins, saved);
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

  #forAccount(match: RegExpExecArray, handle: () => EmulatorResponse): EmulatorResponse {
    return match[1] === this.#options.accountId ? handle() : this.errorResponse(403);
  }

  /**
   * A write's body must be declared XML (bandwidth.md: "send Content-Type: application/xml"). The spec names no
   * answer for other types; the emulator gives the HTTP one, 415 Unsupported Media Type, without reading the body.
   */
  #xmlWrite(request: EmulatorRequest, match: RegExpExecArray, handle: () => EmulatorResponse): EmulatorResponse {
    const mediaType = request.headers["content-type"]?.split(";")[0]?.trim().toLowerCase();
    if (mediaType !== "application/xml") return { status: 415, body: "" };
    return this.#forAccount(match, handle);
  }

  #fetchAccount(): EmulatorResponse {
    return xml(200, buildXml({ AccountResponse: { Account: { AccountId: this.#options.accountId, CompanyName: "numbergate sandbox", AccountType: "Business" } } }));
  }

  #search(request: EmulatorRequest): EmulatorResponse {
    return searchAvailableNumbers(request.query, this.#inventory, (number) => this.numbers.isForSale(number.nationalNumber));
  }

  /** GET inserviceNumbers/{tn}: "200 OK if the number is in-service on the account, or a 404"; no payload either way. */
  #inService(tn: string): EmulatorResponse {
    return { status: this.numbers.owned.has(tn) ? 200 : 404, body: "" };
  }
}
