import { CarrierEmulator, type EmulatorRequest, type EmulatorResponse, type EmulatorRoute } from "../emulator-kit/carrier-emulator.js";
import { TelnyxEmulatedAccount, DEFAULT_POLLS_BEFORE_FINAL } from "./telnyx-emulator-account.js";
import { buildTelnyxCatalog } from "./telnyx-emulator-catalog.js";
import { readTelnyxQuery, telnyxErrorResponse } from "./telnyx-emulator-common.js";
import { completeOrder, createNumberOrder, listNumberOrders, retrieveNumberOrder } from "./telnyx-emulator-orders.js";
import { DEFAULT_PORTING_POLLS_PER_STEP, TelnyxPorting, telnyxPortingRoutes } from "./telnyx-emulator-porting.js";
import { deletePhoneNumber, listPhoneNumbers, retrievePhoneNumber } from "./telnyx-emulator-phone-numbers.js";
import { createNumberReservation, extendNumberReservation, retrieveNumberReservation } from "./telnyx-emulator-reservations.js";
import { searchAvailablePhoneNumbers } from "./telnyx-emulator-search.js";
import { restoreTelnyxState, saveTelnyxState, type TelnyxSavedState } from "./telnyx-emulator-state.js";

export interface TelnyxEmulatorOptions {
  /** The account's API key: requests must carry `Authorization: Bearer <apiKey>`. */
  readonly apiKey: string;
  /** GETs of a number order answered pending before it completes; 0 completes it on the first GET. Defaults to 1. */
  readonly pollsBeforeFinal?: number;
  /** GETs of a porting order answered in one status before it takes its next step; 0 moves it on every GET. Defaults to 1. */
  readonly portingPollsPerStep?: number;
  /** The emulator's clock (reservations expire by it); defaults to Date.now. */
  readonly now?: () => number;
  /** The clock porting orders walk on (ported orders wait for their FOC date on it); defaults to `now`. */
  readonly portingNow?: () => number;
  /**
   * The clock a requested FOC date (activation_settings.foc_datetime_requested) is judged on when it is set or the
   * order confirmed ("must be in the future"); defaults to `portingNow`. An accepted date is still reached on
   * `portingNow`.
   */
  readonly portingRequestNow?: () => number;
}

/** The emulator serves below /v2, like https://api.telnyx.com/v2. */
export const TELNYX_EMULATOR_BASE_PATH = "/v2";

const SEARCH_PATH = /^\/v2\/available_phone_numbers$/;
const ORDERS_PATH = /^\/v2\/number_orders$/;
const ORDER_PATH = /^\/v2\/number_orders\/([^/]+)$/;
const RESERVATIONS_PATH = /^\/v2\/number_reservations$/;
const RESERVATION_PATH = /^\/v2\/number_reservations\/([^/]+)$/;
const EXTEND_PATH = /^\/v2\/number_reservations\/([^/]+)\/actions\/extend$/;
const PHONE_NUMBERS_PATH = /^\/v2\/phone_numbers$/;
const PHONE_NUMBER_PATH = /^\/v2\/phone_numbers\/([^/]+)$/;

interface StatusError {
  readonly code: string;
  readonly title: string;
  readonly detail: string;
}

const BAD_REQUEST: StatusError = { code: "10015", title: "Bad Request", detail: "The request could not be understood." };
/** The spec's numbers_Error example, word for word. */
const UNEXPECTED_ERROR: StatusError = { code: "10007", title: "Unexpected error", detail: "An unexpected error occured." };

/** Error codes and words of the statuses the emulator answers by itself (and fault injection asks for). */
const STATUS_ERRORS: Readonly<Record<number, StatusError>> = {
  400: BAD_REQUEST,
  401: { code: "10009", title: "Authentication failed", detail: "Could not understand the provided credentials." },
  403: { code: "10010", title: "Authorization failed", detail: "You are not authorized to perform this action." },
  404: { code: "10005", title: "Resource not found", detail: "The requested resource or URL could not be found." },
  422: { code: "10015", title: "Bad Request", detail: "The request could not be processed." },
};

/**
 * Telnyx's Numbers API v2 on loopback: the same paths below /v2, Bearer auth, JSON bodies, deepObject filters checked
 * parameter by parameter, page[number]/page[size] paging with `meta`, number orders that complete over polls, 30-minute
 * reservations, and Telnyx's error body. It enforces ownership: a number on the account (even purchase-pending) is not
 * for sale; a deleted one is for sale again.
 */
export class TelnyxEmulator extends CarrierEmulator {
  readonly #options: TelnyxEmulatorOptions;
  readonly account: TelnyxEmulatedAccount;
  /** Port-ins: porting orders, their walk, and the webhooks that report it (notifyTo, webhookPublicKey). */
  readonly porting: TelnyxPorting;
  protected override readonly basePath = TELNYX_EMULATOR_BASE_PATH;

  protected readonly routes: readonly EmulatorRoute[] = [
    { method: "GET", pattern: SEARCH_PATH, handle: (request) => searchAvailablePhoneNumbers(this.account, request.query) },
    { method: "POST", pattern: ORDERS_PATH, handle: (request) => this.#withoutQuery(request, () => createNumberOrder(this.account, request)) },
    { method: "GET", pattern: ORDERS_PATH, handle: (request) => listNumberOrders(this.account, request) },
    { method: "GET", pattern: ORDER_PATH, handle: (request, match) => this.#withoutQuery(request, () => retrieveNumberOrder(this.account, match[1] ?? "")) },
    { method: "POST", pattern: RESERVATIONS_PATH, handle: (request) => this.#withoutQuery(request, () => createNumberReservation(this.account, request)) },
    { method: "GET", pattern: RESERVATION_PATH, handle: (request, match) => this.#withoutQuery(request, () => retrieveNumberReservation(this.account, match[1] ?? "")) },
    { method: "POST", pattern: EXTEND_PATH, handle: (request, match) => this.#withoutQuery(request, () => extendNumberReservation(this.account, match[1] ?? "")) },
    { method: "GET", pattern: PHONE_NUMBERS_PATH, handle: (request) => listPhoneNumbers(this.account, request) },
    { method: "GET", pattern: PHONE_NUMBER_PATH, handle: (request, match) => this.#withoutQuery(request, () => retrievePhoneNumber(this.account, match[1] ?? "")) },
    { method: "DELETE", pattern: PHONE_NUMBER_PATH, handle: (request, match) => this.#withoutQuery(request, () => deletePhoneNumber(this.account, match[1] ?? "")) },
    ...telnyxPortingRoutes(() => this.porting, (request, handle) => this.#withoutQuery(request, handle)),
  ];

  constructor(options: TelnyxEmulatorOptions) {
    super();
    this.#options = options;
    const now = options.now ?? Date.now;
    const portingNow = options.portingNow ?? now;
    this.account = new TelnyxEmulatedAccount(buildTelnyxCatalog(), now, portingNow, options.portingRequestNow ?? portingNow);
    this.account.pollsBeforeFinal = options.pollsBeforeFinal ?? DEFAULT_POLLS_BEFORE_FINAL;
    this.porting = new TelnyxPorting(this.account, options.apiKey, options.portingPollsPerStep ?? DEFAULT_PORTING_POLLS_PER_STEP);
  }

  /** The API key this emulator accepts (fake, for tests and `npm run emulators`). */
  get apiKey(): string {
    return this.#options.apiKey;
  }

  /** Every successful purchase, in order (E.164): a double buy shows up here. */
  get purchases(): readonly string[] {
    return this.account.purchases;
  }

  /** Numbers held elsewhere: they vanish from search and cannot be bought or reserved. */
  get unavailable(): Set<string> {
    return this.account.unavailable;
  }

  /** The Ed25519 public key (base64 of the raw 32 bytes, as Telnyx's portal shows it) that verifies this emulator's webhooks. */
  get webhookPublicKey(): string {
    return this.porting.webhookPublicKey;
  }

  /**
   * Sends every later porting event to this URL as well (a portal notification profile), signed with
   * `webhookPublicKey`'s key; undefined changes nothing. Sandbox start-up points it at numbergate.
   */
  deliverPortingNotificationsTo(url: string | undefined): void {
    if (url !== undefined) this.porting.notifyTo(url);
  }

  /** Puts a number on the account as if bought outside numbergate (not counted in `purchases`); returns its inventory id. */
  addOwned(e164: string): string {
    return this.account.addPhoneNumber(e164);
  }

  /** Completes every pending number order, as Telnyx does whether or not anyone polls (a test control). */
  completeOpenOrders(): void {
    for (const order of this.account.orders.values()) if (order.status === "pending") completeOrder(this.account, order);
  }

  numbersSold(): readonly string[] {
    return [...this.account.purchases];
  }

  describeState(): { purchases: string[]; owned: string[]; orders: number; reservations: number; portingOrders: number } {
    const { account } = this;
    const owned = [...account.phoneNumbers.values()].map((record) => record.phoneNumber);
    return { purchases: [...account.purchases], owned, orders: account.orders.size, reservations: account.reservations.size, portingOrders: this.porting.orders.size };
  }

  protected saveState(): TelnyxSavedState {
    return saveTelnyxState(this.account, this.porting.orders);
  }

  protected restoreState(saved: unknown): void {
    restoreTelnyxState(this.account, this.porting.orders, saved);
  }

  protected isAuthorized(request: EmulatorRequest): boolean {
    return request.headers.authorization === `Bearer ${this.#options.apiKey}`;
  }

  protected errorResponse(status: number, retryAfterSeconds?: number): EmulatorResponse {
    if (status === 429) {
      // The docs' 429 body (examples/rate_limited.429.json), with the x-ratelimit-* headers and no Retry-After [S2].
      const headers = { "x-ratelimit-limit": "100", "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(retryAfterSeconds ?? 1) };
      return { status, headers: { "content-type": "application/json; charset=utf-8", ...headers }, body: JSON.stringify({ errors: [{ code: "10011", title: "Too many requests", detail: "You have exceeded the maximum number of allowed requests." }] }) };
    }
    const known = STATUS_ERRORS[status] ?? (status >= 500 ? UNEXPECTED_ERROR : BAD_REQUEST);
    return telnyxErrorResponse(status, known.code, known.title, known.detail);
  }

  protected malformedBody(): EmulatorResponse {
    return { status: 200, headers: { "content-type": "application/json; charset=utf-8" }, body: '{"data": [{"phone_number": "+1212' };
  }

  /** Operations that take no query parameters refuse any, as the search and lists refuse unknown ones. */
  #withoutQuery(request: EmulatorRequest, handle: () => EmulatorResponse): EmulatorResponse {
    const read = readTelnyxQuery(request.query, {});
    return read.ok ? handle() : read.response;
  }
}
