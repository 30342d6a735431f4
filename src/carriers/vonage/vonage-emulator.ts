import { randomBytes } from "node:crypto";
import { parsePhoneNumber } from "../../domain/phone-number.js";
import {
  CarrierEmulator,
  hasBasicCredentials,
  json,
  type EmulatorRequest,
  type EmulatorResponse,
  type EmulatorRoute,
} from "../emulator-kit/carrier-emulator.js";
import { vonageStatusResponse } from "./vonage-emulator-common.js";
import { buildVonageInventory, type VonageStockedNumber } from "./vonage-emulator-inventory.js";
import { buyNumber, cancelNumber, type VonageNumberBook } from "./vonage-emulator-numbers.js";
import { listAccountNumbers, type VonageAccountNumber } from "./vonage-emulator-owned.js";
import { searchAvailableNumbers } from "./vonage-emulator-search.js";
import { parseVonageSavedState, type VonageSavedState } from "./vonage-emulator-state.js";

export interface VonageEmulatorOptions {
  readonly apiKey: string;
  readonly apiSecret: string;
}

/** Labels of the legacy error body per HTTP status; 401's is the spec's example. */
const ERROR_LABELS: Readonly<Record<number, string>> = {
  400: "bad request",
  401: "authentication failed",
  403: "forbidden",
  404: "not found",
  500: "internal error",
  502: "bad gateway",
  503: "service unavailable",
};

/**
 * Vonage's Numbers API on loopback, as https://rest.nexmo.com serves it (the paths are complete below the origin):
 * Basic auth or the legacy api_key/api_secret query parameters, JSON answers, form-encoded writes, msisdns without
 * "+", synchronous buys and cancels, page-number paging, errors in the body of HTTP 200 answers too.
 */
export class VonageEmulator extends CarrierEmulator {
  readonly #options: VonageEmulatorOptions;
  readonly #stock: readonly VonageStockedNumber[] = buildVonageInventory();
  readonly #stockByMsisdn: ReadonlyMap<string, VonageStockedNumber> = new Map(this.#stock.map((number) => [number.msisdn, number]));
  /** Numbers held elsewhere (E.164); they vanish from search and cannot be bought. */
  readonly unavailable = new Set<string>();
  /** The account's numbers by msisdn, in the order it got them. Owned numbers are not for sale again until cancelled. */
  readonly owned = new Map<string, VonageAccountNumber>();
  /** Every successful purchase, E.164, in order: a double buy shows up here. */
  readonly purchases: string[] = [];
  readonly #book: VonageNumberBook;

  protected readonly routes: readonly EmulatorRoute[] = [
    { method: "GET", pattern: /^\/number\/search$/, handle: (request) => searchAvailableNumbers(request.query, this.#stock, (number) => this.#isForSale(number)) },
    { method: "GET", pattern: /^\/account\/numbers$/, handle: (request) => listAccountNumbers(request.query, [...this.owned.values()]) },
    { method: "POST", pattern: /^\/number\/buy$/, handle: (request) => buyNumber(request, this.#book) },
    { method: "POST", pattern: /^\/number\/cancel$/, handle: (request) => cancelNumber(request, this.#book) },
  ];

  constructor(options: VonageEmulatorOptions) {
    super();
    this.#options = options;
    this.#book = {
      apiKey: options.apiKey,
      stockByMsisdn: this.#stockByMsisdn,
      owned: this.owned,
      purchases: this.purchases,
      isForSale: (number) => this.#isForSale(number),
    };
  }

  /** The account this emulator serves (fake credentials, for tests and `npm run emulators`). */
  get credentials(): VonageEmulatorOptions {
    return this.#options;
  }

  numbersSold(): readonly string[] {
    return [...this.purchases];
  }

  describeState(): { purchases: string[]; owned: string[] } {
    return { purchases: [...this.purchases], owned: [...this.owned.keys()].map((msisdn) => `+${msisdn}`) };
  }

  protected saveState(): VonageSavedState {
    return { version: 1, owned: [...this.owned.values()].map((number) => ({ ...number, features: [...number.features] })), purchases: [...this.purchases] };
  }

  protected restoreState(saved: unknown): void {
    const state = parseVonageSavedState(saved);
    this.owned.clear();
    for (const number of state.owned) this.owned.set(number.msisdn, number);
    this.purchases.splice(0, this.purchases.length, ...state.purchases);
  }

  /** Puts a number on the account as if bought outside numbergate (not counted in `purchases`). */
  addOwned(e164: string): void {
    const msisdn = e164.replace(/^\+/, "");
    const stocked = this.#stockByMsisdn.get(msisdn);
    const parsed = parsePhoneNumber(e164);
    const country = stocked?.country ?? (parsed.ok ? parsed.number.countryCode : undefined) ?? "US";
    this.owned.set(msisdn, { msisdn, country, type: stocked?.type ?? "landline", features: stocked?.features ?? ["VOICE"] });
  }

  /** Basic base64(api_key:api_secret), or both legacy query parameters (the spec's two security alternatives). */
  protected isAuthorized(request: EmulatorRequest): boolean {
    const { apiKey, apiSecret } = this.#options;
    if (hasBasicCredentials(request, apiKey, apiSecret)) return true;
    return request.query.get("api_key") === apiKey && request.query.get("api_secret") === apiSecret;
  }

  protected errorResponse(status: number): EmulatorResponse {
    if (status === 429) {
      // The SDKs' 429 fixture, RFC 7807 (vonage/examples/generic_rate_limit.429.json). Vonage documents no
      // Retry-After (vonage.md, Rate limits), so none is sent, even when a fault names a delay: the adapter must
      // cope without one, as it will at Vonage.
      return json(429, { title: "Rate Limit Hit", type: "https://developer.vonage.com/api-errors#rate-limit", detail: "Please wait, then retry your request", instance: randomBytes(16).toString("hex") });
    }
    return vonageStatusResponse(status, String(status), ERROR_LABELS[status] ?? (status >= 500 ? "internal error" : "bad request"));
  }

  protected malformedBody(): EmulatorResponse {
    return { status: 200, headers: { "content-type": "application/json;charset=utf-8" }, body: '{"count":3,"numbers":[{"country":"US","msisdn":"1212' };
  }

  #isForSale(number: VonageStockedNumber): boolean {
    return !this.unavailable.has(number.e164) && !this.owned.has(number.msisdn);
  }
}
