import type { Dispatcher } from "undici";
import type {
  CarrierAdapter,
  CarrierCallOptions,
  CarrierDescriptor,
  CarrierSearchResult,
  CriteriaSupport,
} from "../../domain/carrier-adapter.js";
import type { ParsedPhoneNumber } from "../../domain/phone-number.js";
import type { AvailableNumberOffer, NumberSearchCriteria, NumberType } from "../../domain/numbers.js";
import { CarrierHttpClient, basicAuthorization, type CarrierHttpResponse } from "../kit/carrier-http-client.js";
import { parseXmlBody } from "../kit/response-body.js";
import { BANDWIDTH_XML, type BandwidthAccount } from "./bandwidth-account.js";
import { bandwidthDisconnect, bandwidthReleaseStatus } from "./bandwidth-disconnects.js";
import { bandwidthErrorFromResponse } from "./bandwidth-error.js";
import { bandwidthFindOrder, bandwidthPlaceOrder } from "./bandwidth-orders.js";
import { bandwidthCheckPortability } from "./bandwidth-portability.js";
import { readBandwidthPortInNotification, type BandwidthCallbackCredentials } from "./bandwidth-portin-notifications.js";
import {
  bandwidthAttachPortInDocument,
  bandwidthCancelPortIn,
  bandwidthCreatePortIn,
  bandwidthFindPortIn,
  bandwidthGetPortIn,
  bandwidthResubmitPortIn,
} from "./bandwidth-portins.js";
import { listBandwidthInServicePage, type BandwidthOwnedNumbersPage } from "./bandwidth-owned-numbers.js";
import { bandwidthCancelReservation, bandwidthReserve } from "./bandwidth-reservations.js";
import type {
  CarrierNotification,
  CarrierNotificationReading,
  CarrierOrderLookup,
  CarrierOrderStatus,
  CarrierPortabilityAnswer,
  CarrierPortInDocument,
  CarrierPortInRequest,
  CarrierPortInLookup,
  CarrierPortInStatus,
  CarrierPurchaseRequest,
  CarrierReleaseLookup,
  CarrierReleaseRequest,
  CarrierReleaseResult,
  CarrierReleaseStatus,
  CarrierReservation,
  CarrierReservationRequest,
} from "../../domain/carrier-lifecycle.js";
import {
  BANDWIDTH_CAPABILITIES,
  bandwidthSearchQuery,
  bandwidthTollFreeLookupQuery,
  bandwidthTnToE164,
  readBandwidthError,
  readSearchResult,
  type BandwidthSearchHit,
  type BandwidthSearchQuery,
} from "./bandwidth-wire.js";

export interface BandwidthAdapterConfig {
  readonly username: string;
  readonly password: string;
  readonly accountId: string;
  /** Needed to order numbers (BANDWIDTH_SITE_ID). */
  readonly siteId?: string;
  readonly peerId?: string;
  /** Defaults to https://dashboard.bandwidth.com/api. */
  readonly apiBaseUrl: URL;
  readonly dispatcher?: Dispatcher;
  /** What port-in notifications must carry (BANDWIDTH_CALLBACK_USERNAME/PASSWORD); without them none is verified. */
  readonly callbackCredentials?: BandwidthCallbackCredentials;
}

export const BANDWIDTH_DESCRIPTOR: CarrierDescriptor = {
  id: "bandwidth",
  displayName: "Bandwidth",
  capabilities: ["voice", "sms", "mms"],
  numberTypes: ["local", "toll_free"],
  countries: ["US"],
  supportsReservations: true,
  supportsPortabilityChecks: true,
  supportsPorting: true,
  maxNumbersPerPurchase: 5000,
};

/** Bandwidth errors meaning "nothing to sell here": a search answer, not a failure. */
const EMPTY_SEARCH_CODES = new Set(["4023", "4024"]);

/** Bandwidth's Numbers (Iris) API: XML both ways, HTTP Basic, 10-digit NANP numbers. */
export class BandwidthAdapter implements CarrierAdapter {
  readonly specificationVersion = "v1" as const;
  readonly descriptor = BANDWIDTH_DESCRIPTOR;
  readonly #accountPath: string;
  readonly #api: CarrierHttpClient;
  readonly #account: BandwidthAccount;
  readonly #callbackCredentials: BandwidthCallbackCredentials | undefined;

  constructor(config: BandwidthAdapterConfig) {
    this.#accountPath = `/accounts/${encodeURIComponent(config.accountId)}`;
    const authorization = basicAuthorization(config.username, config.password);
    this.#api = new CarrierHttpClient({ carrierId: "bandwidth", baseUrl: config.apiBaseUrl, authorization, dispatcher: config.dispatcher });
    this.#callbackCredentials = config.callbackCredentials;
    this.#account = { api: this.#api, accountId: config.accountId, accountPath: this.#accountPath, siteId: config.siteId, peerId: config.peerId };
  }

  doReserve(request: CarrierReservationRequest, options: CarrierCallOptions): Promise<CarrierReservation> {
    return bandwidthReserve(this.#account, request, options);
  }

  doCancelReservation(carrierReservationId: string, options: CarrierCallOptions): Promise<void> {
    return bandwidthCancelReservation(this.#account, carrierReservationId, options);
  }

  doPurchase(request: CarrierPurchaseRequest, options: CarrierCallOptions): Promise<CarrierOrderStatus> {
    return bandwidthPlaceOrder(this.#account, request, options);
  }

  doGetOrderStatus(lookup: CarrierOrderLookup, options: CarrierCallOptions): Promise<CarrierOrderStatus | undefined> {
    return bandwidthFindOrder(this.#account, lookup, options);
  }

  doRelease(request: CarrierReleaseRequest, options: CarrierCallOptions): Promise<CarrierReleaseResult> {
    return bandwidthDisconnect(this.#account, request, options);
  }

  doGetReleaseStatus(lookup: CarrierReleaseLookup, options: CarrierCallOptions): Promise<CarrierReleaseStatus> {
    return bandwidthReleaseStatus(this.#account, lookup, options);
  }

  doCheckPortability(numbers: readonly ParsedPhoneNumber[], options: CarrierCallOptions): Promise<readonly CarrierPortabilityAnswer[]> {
    return bandwidthCheckPortability(this.#account, numbers, options);
  }

  /** POST portins (<LnpOrder>, numbergate's reference as CustomerOrderId). */
  doCreatePortIn(request: CarrierPortInRequest, options: CarrierCallOptions): Promise<CarrierPortInStatus> {
    return bandwidthCreatePortIn(this.#account, request, options);
  }

  doFindPortIn(lookup: CarrierPortInLookup, options: CarrierCallOptions): Promise<CarrierPortInStatus | undefined> {
    return bandwidthFindPortIn(this.#account, lookup.orderReference, options);
  }

  doGetPortIn(carrierOrderId: string, options: CarrierCallOptions): Promise<CarrierPortInStatus> {
    return bandwidthGetPortIn(this.#account, carrierOrderId, options);
  }

  /** A supp: PUT portins/{id} with <LnpOrderSupp>; the carrierOrderId stays. */
  doResubmitPortIn(carrierOrderId: string, request: CarrierPortInRequest, options: CarrierCallOptions): Promise<CarrierPortInStatus> {
    return bandwidthResubmitPortIn(this.#account, carrierOrderId, request, options);
  }

  doAttachPortInDocument(carrierOrderId: string, document: CarrierPortInDocument, options: CarrierCallOptions): Promise<CarrierPortInStatus> {
    return bandwidthAttachPortInDocument(this.#account, carrierOrderId, document, options);
  }

  doCancelPortIn(carrierOrderId: string, options: CarrierCallOptions): Promise<void> {
    return bandwidthCancelPortIn(this.#account, carrierOrderId, options);
  }

  readPortInNotification(notification: CarrierNotification): CarrierNotificationReading {
    return readBandwidthPortInNotification(notification, this.#callbackCredentials);
  }

  /** One page of the TNs in service on the account (GET inserviceNumbers), for inventory reconciliation. */
  doListOwnedNumbers(page: { readonly pageToken?: string; readonly pageSize: number }, options: CarrierCallOptions): Promise<BandwidthOwnedNumbersPage> {
    return listBandwidthInServicePage(this.#account, page, options);
  }

  supportsSearch(criteria: NumberSearchCriteria): CriteriaSupport {
    const built = bandwidthSearchQuery(criteria);
    return built.ok ? { supported: true } : { supported: false, reason: built.reason };
  }

  async doSearch(criteria: NumberSearchCriteria, options: CarrierCallOptions): Promise<CarrierSearchResult> {
    const built = bandwidthSearchQuery(criteria);
    if (!built.ok) return { numbers: [], warnings: [built.reason] };
    const hits = await this.#searchAvailable(built.query, "search", options);
    if (hits === "none_in_area") {
      return { numbers: [], warnings: ["bandwidth has no numbers to sell in this area"] };
    }
    const { requiredPrefix } = built;
    // Local-calling-area numbers Bandwidth may add when LCA=false could not be sent.
    const matching = requiredPrefix === undefined ? hits : hits.filter((hit) => hit.telephoneNumber.startsWith(requiredPrefix));
    return { numbers: matching.map((hit) => toOffer(hit, criteria.numberType)), warnings: [] };
  }

  async doCheckAvailability(number: ParsedPhoneNumber, options: CarrierCallOptions): Promise<AvailableNumberOffer | undefined> {
    if (number.callingCode !== "1" || number.countryCode !== "US") return undefined;
    const numberType: NumberType = number.numberType === "toll_free" ? "toll_free" : "local";
    // A 7-digit NPA-NXX-X block holds at most 1000 numbers, so one page answers for the whole block; the
    // toll-free vanity search for the last 7 digits returns at most one number per toll-free NPA.
    const query: BandwidthSearchQuery =
      numberType === "toll_free"
        ? bandwidthTollFreeLookupQuery(number.nationalNumber)
        : { npaNxxx: number.nationalNumber.slice(0, 7), LCA: false, quantity: 1000, enableTNDetail: true };
    const hits = await this.#searchAvailable(query, "check_availability", options);
    if (hits === "none_in_area") return undefined;
    const hit = hits.find((candidate) => candidate.telephoneNumber === number.nationalNumber);
    return hit ? toOffer(hit, numberType) : undefined;
  }

  async doProbeHealth(options: CarrierCallOptions): Promise<void> {
    const response = await this.#api.request({
      method: "GET",
      path: this.#accountPath,
      accept: BANDWIDTH_XML,
      operation: "probe",
      signal: options.signal,
    });
    this.#readOk(response, "AccountResponse", "probe");
  }

  async close(): Promise<void> {
    await this.#api.close();
  }

  async #searchAvailable(
    query: BandwidthSearchQuery,
    operation: string,
    options: CarrierCallOptions,
  ): Promise<readonly BandwidthSearchHit[] | "none_in_area"> {
    const response = await this.#api.request({
      method: "GET",
      path: `${this.#accountPath}/availableNumbers`,
      query,
      accept: BANDWIDTH_XML,
      operation,
      signal: options.signal,
    });
    if (response.status === 400) {
      const error = bandwidthErrorFromResponse(response, operation);
      if (error.carrierCode && EMPTY_SEARCH_CODES.has(error.carrierCode)) return "none_in_area";
      throw error;
    }
    return readSearchResult(this.#readOk(response, "SearchResult", operation));
  }

  /** The root element of a 2xx answer; errors inside a 200 body count as errors (as the official SDK does). */
  #readOk(response: CarrierHttpResponse, rootElement: string, operation: string): Record<string, unknown> {
    if (response.status < 200 || response.status >= 300) throw bandwidthErrorFromResponse(response, operation);
    const root = parseXmlBody(response, rootElement, "bandwidth", operation);
    const embedded = readBandwidthError(root);
    if (embedded) throw bandwidthErrorFromResponse(response, operation, embedded);
    return root;
  }
}

function toOffer(hit: BandwidthSearchHit, numberType: NumberType): AvailableNumberOffer {
  return {
    phoneNumber: bandwidthTnToE164(hit.telephoneNumber),
    carrierId: "bandwidth",
    numberType,
    countryCode: "US",
    locality: hit.city === undefined ? undefined : titleCase(hit.city),
    region: hit.state,
    rateCenter: hit.rateCenter,
    capabilities: BANDWIDTH_CAPABILITIES[numberType],
  };
}

/** Bandwidth writes cities in capitals ("JERSEY CITY"); other carriers and callers use "Jersey City". */
function titleCase(city: string): string {
  return city.toLowerCase().replace(/(^|[\s-])(\p{L})/gu, (_match, separator: string, letter: string) => separator + letter.toUpperCase());
}
