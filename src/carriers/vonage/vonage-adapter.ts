import type { CountryCode } from "libphonenumber-js/max";
import type { Dispatcher } from "undici";
import type {
  CarrierAdapter,
  CarrierCallOptions,
  CarrierDescriptor,
  CarrierSearchResult,
  CriteriaSupport,
} from "../../domain/carrier-adapter.js";
import type {
  CarrierOrderLookup,
  CarrierOrderStatus,
  CarrierPurchaseRequest,
  CarrierReleaseLookup,
  CarrierReleaseRequest,
  CarrierReleaseResult,
  CarrierReleaseStatus,
} from "../../domain/carrier-lifecycle.js";
import type { AvailableNumberOffer, NumberSearchCriteria, NumberType } from "../../domain/numbers.js";
import { getCountryCallingCode, isSupportedCountry, type ParsedPhoneNumber } from "../../domain/phone-number.js";
import { CarrierHttpClient, basicAuthorization } from "../kit/carrier-http-client.js";
import { readVonageBody } from "./vonage-error.js";
import { vonageFindPurchase, vonagePurchase, vonageRelease, vonageReleaseStatus, type VonageAccount } from "./vonage-lifecycle.js";
import { listVonageOwnedNumbers, type VonageOwnedNumbersPage } from "./vonage-owned-numbers.js";
import { vonageMonthlyPrice } from "./vonage-price.js";
import { VonagePurchaseLedger } from "./vonage-purchase-ledger.js";
import { vonageSearchQuery, type VonageSearchQuery } from "./vonage-search-query.js";
import {
  VONAGE_CAPABILITIES,
  capabilitiesFromVonage,
  msisdnToE164,
  numberTypeFromVonage,
  toMsisdn,
  vonageAvailableNumbersPageSchema,
  vonageOwnedNumbersPageSchema,
  type VonageAvailableNumber,
} from "./vonage-wire.js";

/*
 * Vonage's Numbers API (vonage.md): JSON answers, form-encoded writes, HTTP Basic auth with the API key and secret,
 * numbers as E.164 digits without "+", prices in EUR, synchronous buys and cancels, no reservations, no porting.
 *
 * Telling this order's purchase from a number the account already held. Vonage lets a buy carry no reference (its
 * form takes country, msisdn and target_api_key only) and lists owned numbers with no purchase date, so nothing at
 * Vonage ties a number to an order. numbergate's rule:
 * 1. doPurchase never sends a buy for a number the account already holds: it first reads
 *    GET /account/numbers?pattern=<msisdn>&search_pattern=0, and a number found there is refused at once ("already
 *    holds"), no buy sent. So every buy numbergate sends is for a number the account did not hold moments before,
 *    and Vonage sells a number once: if it is on the account afterwards, that buy (or, within the same seconds, a
 *    buy made outside numbergate on the same account for the very number numbergate holds) put it there.
 * 2. The lookup (doGetOrderStatus) reads the same list for each asked number. Not on the account: no trace, and
 *    numbergate declares it not bought once NUMBERGATE_IN_DOUBT_GRACE has passed. On the account: bought by this
 *    order, unless this process remembers (VonagePurchaseLedger) that the order's buy was never sent (the
 *    ownership check itself was cut off by a timeout, which numbergate cannot tell from a lost buy): then it
 *    failed, not_found, as the account holds a number this order did not buy.
 * 3. Without that memory (a restart, or a lookup on another replica after a crash), a number on the account counts
 *    as bought. The one way this is wrong: the account already held the number from outside numbergate, a client
 *    asked to buy it anyway, and the ownership check was cut off with no memory of it left. Nothing is ever bought
 *    twice either way (numbergate never sends a number twice, and Vonage refuses to sell an owned number with 420);
 *    the alternative, declaring every unremembered number not bought, would leave numbers Vonage bills monthly
 *    unknown to numbergate after every crash mid-purchase.
 */

export interface VonageAdapterConfig {
  readonly apiKey: string;
  readonly apiSecret: string;
  /** Defaults to https://rest.nexmo.com. */
  readonly apiBaseUrl: URL;
  readonly dispatcher?: Dispatcher;
}

export const VONAGE_DESCRIPTOR: CarrierDescriptor = {
  id: "vonage",
  displayName: "Vonage",
  capabilities: VONAGE_CAPABILITIES,
  numberTypes: ["local", "toll_free", "mobile"],
  // Vonage publishes no coverage list in its spec; these are the countries of the spec's examples (GB) and of the
  // emulator's stock. Accounts sell in more: widen it when an account's coverage is known.
  countries: ["US", "GB", "DE", "FR"],
  // No hold or reservation endpoint exists in either spec version (vonage.md, Reserve): numbergate holds alone.
  supportsReservations: false,
  // Vonage has no porting API (vonage.md, Porting).
  supportsPortabilityChecks: false,
  supportsPorting: false,
  // POST /number/buy takes one msisdn.
  maxNumbersPerPurchase: 1,
};

export class VonageAdapter implements CarrierAdapter {
  readonly specificationVersion = "v1" as const;
  readonly descriptor = VONAGE_DESCRIPTOR;
  readonly #api: CarrierHttpClient;
  readonly #account: VonageAccount;

  constructor(config: VonageAdapterConfig) {
    this.#api = new CarrierHttpClient({
      carrierId: "vonage",
      baseUrl: config.apiBaseUrl,
      // The only scheme of v1.1.0 and what both official SDKs send for Numbers (vonage.md [V4][V5][V6]); it keeps the
      // secret out of URLs, where the legacy api_key/api_secret query parameters would put it.
      authorization: basicAuthorization(config.apiKey, config.apiSecret),
      dispatcher: config.dispatcher,
    });
    this.#account = { api: this.#api, ledger: new VonagePurchaseLedger() };
  }

  supportsSearch(criteria: NumberSearchCriteria): CriteriaSupport {
    const plan = vonageSearchQuery(criteria, callingCodeOf(criteria.countryCode));
    return plan.ok ? { supported: true } : { supported: false, reason: plan.reason };
  }

  async doSearch(criteria: NumberSearchCriteria, options: CarrierCallOptions): Promise<CarrierSearchResult> {
    const callingCode = callingCodeOf(criteria.countryCode);
    const plan = vonageSearchQuery(criteria, callingCode);
    if (!plan.ok) return { numbers: [], warnings: [plan.reason] };
    const found = await this.#searchAvailable(plan.query, "search", options);
    const offers = found
      .map((number) => toOffer(number, criteria.countryCode, criteria.numberType))
      .filter((offer): offer is AvailableNumberOffer => offer !== undefined && offer.numberType === criteria.numberType)
      .filter((offer) => offer.phoneNumber.startsWith(`+${callingCode}`) && plan.matches(offer.phoneNumber.slice(callingCode.length + 1)));
    return { numbers: offers, warnings: [] };
  }

  async doCheckAvailability(number: ParsedPhoneNumber, options: CarrierCallOptions): Promise<AvailableNumberOffer | undefined> {
    if (number.countryCode === undefined) return undefined;
    const msisdn = toMsisdn(number.e164);
    // No type: the number is found whatever Vonage calls it. A starts-with pattern of the full msisdn matches it and
    // only longer numbers.
    const found = await this.#searchAvailable({ country: number.countryCode, pattern: msisdn, search_pattern: 0, size: 100, index: 1 }, "check_availability", options);
    const match = found.find((candidate) => candidate.msisdn === msisdn);
    return match ? toOffer(match, number.countryCode, number.numberType ?? "local") : undefined;
  }

  /** The cheapest authenticated read of the Numbers API: one owned number. */
  async doProbeHealth(options: CarrierCallOptions): Promise<void> {
    const response = await this.#api.request({ method: "GET", path: "/account/numbers", query: { size: 1, index: 1 }, operation: "probe", signal: options.signal });
    readVonageBody(response, vonageOwnedNumbersPageSchema, "probe");
  }

  doPurchase(request: CarrierPurchaseRequest, options: CarrierCallOptions): Promise<CarrierOrderStatus> {
    return vonagePurchase(this.#account, request, options);
  }

  doGetOrderStatus(lookup: CarrierOrderLookup, options: CarrierCallOptions): Promise<CarrierOrderStatus | undefined> {
    return vonageFindPurchase(this.#account, lookup, options);
  }

  doRelease(request: CarrierReleaseRequest, options: CarrierCallOptions): Promise<CarrierReleaseResult> {
    return vonageRelease(this.#account, request, options);
  }

  doGetReleaseStatus(lookup: CarrierReleaseLookup, options: CarrierCallOptions): Promise<CarrierReleaseStatus> {
    return vonageReleaseStatus(this.#account, lookup, options);
  }

  /** One page of the account's numbers (GET /account/numbers), with the features Vonage reports. */
  doListOwnedNumbers(page: { readonly pageToken?: string; readonly pageSize: number }, options: CarrierCallOptions): Promise<VonageOwnedNumbersPage> {
    return listVonageOwnedNumbers(this.#api, page, options);
  }

  async close(): Promise<void> {
    await this.#api.close();
  }

  async #searchAvailable(query: VonageSearchQuery, operation: string, options: CarrierCallOptions): Promise<readonly VonageAvailableNumber[]> {
    const response = await this.#api.request({ method: "GET", path: "/number/search", query, operation, signal: options.signal });
    return readVonageBody(response, vonageAvailableNumbersPageSchema, operation).numbers ?? [];
  }
}

function callingCodeOf(countryCode: string): string {
  return isSupportedCountry(countryCode) ? getCountryCallingCode(countryCode as CountryCode) : "";
}

/** An offer in numbergate's terms, priced by Vonage in EUR; undefined for an msisdn that is not E.164 digits. */
function toOffer(number: VonageAvailableNumber, countryCode: string, fallbackType: NumberType): AvailableNumberOffer | undefined {
  const phoneNumber = msisdnToE164(number.msisdn);
  if (phoneNumber === undefined) return undefined;
  const monthlyPrice = vonageMonthlyPrice(number.cost);
  return {
    phoneNumber,
    carrierId: "vonage",
    numberType: numberTypeFromVonage(number.type) ?? fallbackType,
    countryCode: number.country ?? countryCode,
    // Vonage reports no locality or region (vonage.md, Search).
    capabilities: capabilitiesFromVonage(number.features),
    ...(monthlyPrice ? { monthlyPrice, priceSource: "carrier" as const } : {}),
  };
}
