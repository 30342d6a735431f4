import { createHash, randomUUID } from "node:crypto";
import {
  CarrierEmulator,
  hasBasicCredentials,
  type EmulatorRequest,
  type EmulatorResponse,
  type EmulatorRoute,
} from "../emulator-kit/carrier-emulator.js";
import { plivoErrorResponse } from "./plivo-emulator-common.js";
import { DEFAULT_POLLS_BEFORE_ACTIVE, PlivoRentals, type PlivoRental } from "./plivo-emulator-rentals.js";
import { searchPhoneNumbers } from "./plivo-emulator-search.js";
import { restorePlivoState, savePlivoState, type PlivoSavedState } from "./plivo-emulator-state.js";
import { buildPlivoStock, type PlivoStockedNumber } from "./plivo-emulator-stock.js";

export interface PlivoEmulatorOptions {
  /** The Auth ID: the Basic-auth user, and the account in every path. */
  readonly authId: string;
  readonly authToken: string;
  /** GETs of a pending number answered inactive before the next finds it active. Defaults to 2. */
  readonly pollsBeforeActive?: number;
}

/** The emulator serves below /v1, like https://api.plivo.com/v1. */
export const PLIVO_EMULATOR_BASE_PATH = "/v1";

// Every resource path ends with "/" (plivo.md, Basics); without it nothing matches and the answer is 404.
const SEARCH_PATH = /^\/v1\/Account\/([^/]+)\/PhoneNumber\/$/;
const BUY_PATH = /^\/v1\/Account\/([^/]+)\/PhoneNumber\/([^/]+)\/$/;
const NUMBERS_PATH = /^\/v1\/Account\/([^/]+)\/Number\/$/;
const NUMBER_PATH = /^\/v1\/Account\/([^/]+)\/Number\/([^/]+)\/$/;

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

const ERROR_TEXTS: Readonly<Record<number, string>> = {
  400: "invalid request",
  401: "authentication failed",
  403: "forbidden",
  404: "not found",
  405: "method not allowed",
  429: "Too Many Requests",
  500: "internal server error",
};

/** Plivo's Phone Numbers API on loopback: same paths, Basic auth, JSON bodies, paging and error bodies. */
export class PlivoEmulator extends CarrierEmulator {
  readonly #options: PlivoEmulatorOptions;
  readonly #stock: readonly PlivoStockedNumber[] = buildPlivoStock();
  readonly #byDigits = new Map(this.#stock.map((number) => [number.digits, number]));
  /** The account's default number application (Plivo ids are 17 digits), stable per Auth ID. */
  readonly #defaultAppId: string;
  /** Numbers held elsewhere (E.164): they vanish from search and cannot be bought. */
  readonly unavailable = new Set<string>();
  /** The account's numbers and the purchase history. */
  readonly rentals: PlivoRentals;
  protected override readonly basePath = PLIVO_EMULATOR_BASE_PATH;

  protected readonly routes: readonly EmulatorRoute[] = [
    ...this.#resource(SEARCH_PATH, { GET: (request) => searchPhoneNumbers(request, this.#accountPath, this.#stock, (number) => this.rentals.isForSale(number)) }),
    ...this.#resource(BUY_PATH, { POST: (request, digits) => this.rentals.buy(request, digits) }),
    ...this.#resource(NUMBERS_PATH, { GET: (request) => this.rentals.list(request, this.#stock) }),
    ...this.#resource(NUMBER_PATH, { GET: (request, digits) => this.rentals.fetch(request, digits), DELETE: (request, digits) => this.rentals.unrent(request, digits) }),
  ];

  constructor(options: PlivoEmulatorOptions) {
    super();
    this.#options = options;
    this.#defaultAppId = `2${createHash("sha256").update(options.authId).digest().readBigUInt64BE().toString().padStart(20, "0").slice(-16)}`;
    this.rentals = new PlivoRentals({
      accountPath: this.#accountPath,
      defaultAppId: this.#defaultAppId,
      stocked: (digits) => this.#byDigits.get(digits),
      unavailable: this.unavailable,
    });
    this.rentals.pollsBeforeActive = options.pollsBeforeActive ?? DEFAULT_POLLS_BEFORE_ACTIVE;
  }

  /** The account this emulator serves (fake credentials, for tests and `npm run emulators`). */
  get credentials(): PlivoEmulatorOptions {
    return this.#options;
  }

  /** Every number the emulator stocks, for tests that need one of a kind (a German one, a toll-free one). */
  get stock(): readonly PlivoStockedNumber[] {
    return this.#stock;
  }

  numbersSold(): readonly string[] {
    return [...this.rentals.purchases];
  }

  describeState(): { purchases: string[]; owned: string[]; pending: string[] } {
    const rented = [...this.rentals.rented];
    return {
      purchases: [...this.rentals.purchases],
      owned: rented.map(([e164]) => e164),
      pending: rented.filter(([, rental]) => !rental.active).map(([e164]) => e164),
    };
  }

  /** Puts a stocked number on the account as if rented outside numbergate (not counted in `purchases`). */
  addOwned(e164: string, rental: Partial<PlivoRental> = {}): void {
    const number = this.#stock.find((candidate) => candidate.e164 === e164);
    if (!number) throw new Error(`the plivo emulator does not stock ${e164}`);
    this.rentals.addRented(number, rental);
  }

  protected saveState(): PlivoSavedState {
    return savePlivoState(this.rentals);
  }

  protected restoreState(saved: unknown): void {
    restorePlivoState(this.rentals, saved);
  }

  protected isAuthorized(request: EmulatorRequest): boolean {
    return hasBasicCredentials(request, this.#options.authId, this.#options.authToken);
  }

  /** Plivo's error body for every status. Its 429 carries no Retry-After (plivo.md, Rate limits), so none is sent. */
  protected errorResponse(status: number): EmulatorResponse {
    return plivoErrorResponse(status, ERROR_TEXTS[status] ?? (status >= 500 ? "service unavailable" : "request failed"));
  }

  protected malformedBody(): EmulatorResponse {
    return { status: 200, headers: { "content-type": "application/json" }, body: `{"api_id": "${randomUUID()}", "meta": {"limit": 20, "next": nu` };
  }

  get #accountPath(): string {
    return `${PLIVO_EMULATOR_BASE_PATH}/Account/${this.#options.authId}`;
  }

  /**
   * The routes of one resource: its methods for this account (a path naming another account is refused as
   * Plivo refuses credentials that do not match it, 401), and 405 for every other method.
   */
  #resource(pattern: RegExp, handlers: Partial<Record<(typeof METHODS)[number], (request: EmulatorRequest, digits: string) => EmulatorResponse>>): EmulatorRoute[] {
    return METHODS.map((method) => ({
      method,
      pattern,
      handle: (request: EmulatorRequest, match: RegExpExecArray): EmulatorResponse => {
        const handler = handlers[method];
        if (!handler) return this.errorResponse(405);
        if (match[1] !== this.#options.authId) return this.errorResponse(401);
        return handler(request, match[2] ?? "");
      },
    }));
  }
}
