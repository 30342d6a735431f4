import type { KeyObject } from "node:crypto";
import type { Dispatcher } from "undici";
import type { CarrierAdapter, CarrierCallOptions, CarrierDescriptor, CarrierSearchResult, CriteriaSupport } from "../../domain/carrier-adapter.js";
import type {
  CarrierNotification,
  CarrierNotificationReading,
  CarrierOrderLookup,
  CarrierOrderStatus,
  CarrierOwnedNumbersPage,
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
import type { AvailableNumberOffer, NumberSearchCriteria } from "../../domain/numbers.js";
import type { ParsedPhoneNumber } from "../../domain/phone-number.js";
import { CarrierHttpClient } from "../kit/carrier-http-client.js";
import { parseJsonBody } from "../kit/response-body.js";
import { expectTelnyxStatus } from "./telnyx-error.js";
import { telnyxFindOrder, telnyxPlaceOrder } from "./telnyx-orders.js";
import { listTelnyxOwnedNumbers, telnyxRelease, telnyxReleaseStatus } from "./telnyx-phone-numbers.js";
import { telnyxCheckPortability } from "./telnyx-portability.js";
import { telnyxAttachPortInDocument, telnyxCancelPortIn, telnyxCreatePortIn, telnyxFindPortIn, telnyxGetPortIn, telnyxResubmitPortIn } from "./telnyx-porting.js";
import { readTelnyxPortingNotification, telnyxWebhookKey } from "./telnyx-porting-notifications.js";
import { telnyxReserve } from "./telnyx-reservations.js";
import { telnyxExactNumberQuery, telnyxOffer, telnyxSearchPlan, type TelnyxQuery } from "./telnyx-search.js";
import { telnyxAvailableNumbersSchema, telnyxPhoneNumberListSchema, type TelnyxAvailableNumber } from "./telnyx-wire.js";

export interface TelnyxAdapterConfig {
  /** Bearer token. */
  readonly apiKey: string;
  /** Defaults to https://api.telnyx.com/v2. */
  readonly apiBaseUrl: URL;
  readonly dispatcher?: Dispatcher;
  /**
   * The account's webhook public key as Telnyx's portal shows it (base64 of the raw 32-byte Ed25519 key); porting
   * notifications are verified with it. Without it, every notification is answered unverified.
   */
  readonly webhookPublicKey?: string;
}

export const TELNYX_DESCRIPTOR: CarrierDescriptor = {
  id: "telnyx",
  displayName: "Telnyx",
  capabilities: ["voice", "sms", "mms", "fax"],
  numberTypes: ["local", "toll_free", "mobile"],
  // Orders outside the US and Canada may wait on regulatory documents (telnyx.md, Buy), which numbergate cannot
  // attach yet: such an order stays pending until an operator completes it in Telnyx's portal.
  countries: ["US", "CA", "GB", "DE", "FR"],
  // number_reservations hold a number for this account (30 minutes).
  supportsReservations: true,
  // POST /portability_checks (telnyx-portability.ts).
  supportsPortabilityChecks: true,
  // Porting orders (telnyx-porting.ts) and their signed webhooks (telnyx-porting-notifications.ts).
  supportsPorting: true,
  // "1000 numbers is the maximum allowed" (the spec's MaximumAllowedPhoneNumbers example, error 10015).
  maxNumbersPerPurchase: 1000,
};

/**
 * Telnyx's Numbers API v2 (telnyx.md): JSON both ways, `Authorization: Bearer <API key>`, deepObject filters.
 *
 * Buying exactly once. A purchase is a number order, created `pending` and completed later: doPurchase sends
 * numbergate's order reference as the order's `customer_reference` and answers "pending" with the order id;
 * doGetOrderStatus then reads GET /number_orders/{id}. Nothing is ever retried here.
 * How a lookup tells this order's purchase from a number the account already held: Telnyx keeps the reference on
 * the order, so a number counts as bought by this order only when a number order carrying exactly this
 * `customer_reference` reports that number `success` (per number, as telnyx.md says to check). A purchase whose
 * answer was lost is found with GET /number_orders?filter[customer_reference]= (each listed order is then fetched,
 * and its reference compared exactly, since the list carries no per-number status and the filter's matching is
 * undocumented). A number the account held before, or bought under another reference, has no order of ours, so it
 * is never counted. A number reported `success` that the account's inventory does not list yet stays pending.
 *
 * Ids: numbergate records a number under its inventory id (GET /phone_numbers), which DELETE /phone_numbers/{id}
 * takes, not the order's phone-number id (a different id, telnyx.md Inventory).
 *
 * Port-ins are porting orders under numbergate's reference (`customer_reference`): created as a draft, filled with one
 * PATCH, confirmed once Telnyx's requirements are met, then walked by Telnyx (see telnyx-porting.ts).
 */
export class TelnyxAdapter implements CarrierAdapter {
  readonly specificationVersion = "v1" as const;
  readonly descriptor = TELNYX_DESCRIPTOR;
  readonly #api: CarrierHttpClient;
  readonly #webhookKey: KeyObject | undefined;

  constructor(config: TelnyxAdapterConfig) {
    this.#api = new CarrierHttpClient({ carrierId: "telnyx", baseUrl: config.apiBaseUrl, authorization: `Bearer ${config.apiKey}`, dispatcher: config.dispatcher });
    this.#webhookKey = telnyxWebhookKey(config.webhookPublicKey);
  }

  supportsSearch(criteria: NumberSearchCriteria): CriteriaSupport {
    const plan = telnyxSearchPlan(criteria);
    return plan.ok ? { supported: true } : { supported: false, reason: plan.reason };
  }

  async doSearch(criteria: NumberSearchCriteria, options: CarrierCallOptions): Promise<CarrierSearchResult> {
    const plan = telnyxSearchPlan(criteria);
    if (!plan.ok) return { numbers: [], warnings: [plan.reason] };
    const found = await this.#searchAvailable(plan.query, "search", options);
    return { numbers: found.map((number) => telnyxOffer(number, criteria.numberType, criteria.countryCode)), warnings: plan.warnings };
  }

  async doCheckAvailability(number: ParsedPhoneNumber, options: CarrierCallOptions): Promise<AvailableNumberOffer | undefined> {
    const { countryCode } = number;
    if (countryCode === undefined || !this.descriptor.countries.includes(countryCode)) return undefined;
    const numberType = number.numberType ?? "local";
    const found = await this.#searchAvailable(telnyxExactNumberQuery(number, countryCode, numberType), "check_availability", options);
    const match = found.find((candidate) => candidate.phone_number === number.e164);
    return match ? telnyxOffer(match, numberType, countryCode) : undefined;
  }

  /** GET /phone_numbers?page[size]=1: authenticated, and the cheapest read of the account. */
  async doProbeHealth(options: CarrierCallOptions): Promise<void> {
    const response = await this.#api.request({ method: "GET", path: "/phone_numbers", query: { "page[size]": 1 }, operation: "probe", signal: options.signal });
    expectTelnyxStatus(response, "probe");
    parseJsonBody(response, telnyxPhoneNumberListSchema, "telnyx", "probe");
  }

  doReserve(request: CarrierReservationRequest, options: CarrierCallOptions): Promise<CarrierReservation> {
    return telnyxReserve(this.#api, request, options);
  }

  /**
   * Telnyx has no way to end a reservation early (telnyx.md: "reservations simply expire"); it lapses by itself
   * within 30 minutes. It only ever held the number for this account, so numbergate's own hold is what matters.
   */
  doCancelReservation(_carrierReservationId: string, _options: CarrierCallOptions): Promise<void> {
    return Promise.resolve();
  }

  doPurchase(request: CarrierPurchaseRequest, options: CarrierCallOptions): Promise<CarrierOrderStatus> {
    return telnyxPlaceOrder(this.#api, request, options);
  }

  doGetOrderStatus(lookup: CarrierOrderLookup, options: CarrierCallOptions): Promise<CarrierOrderStatus | undefined> {
    return telnyxFindOrder(this.#api, lookup, options);
  }

  doRelease(request: CarrierReleaseRequest, options: CarrierCallOptions): Promise<CarrierReleaseResult> {
    return telnyxRelease(this.#api, request, options);
  }

  doGetReleaseStatus(lookup: CarrierReleaseLookup, options: CarrierCallOptions): Promise<CarrierReleaseStatus> {
    return telnyxReleaseStatus(this.#api, lookup, options);
  }

  doListOwnedNumbers(page: { readonly pageToken?: string; readonly pageSize: number }, options: CarrierCallOptions): Promise<CarrierOwnedNumbersPage> {
    return listTelnyxOwnedNumbers(this.#api, page, options);
  }

  doCheckPortability(numbers: readonly ParsedPhoneNumber[], options: CarrierCallOptions): Promise<readonly CarrierPortabilityAnswer[]> {
    return telnyxCheckPortability(this.#api, numbers, options);
  }

  doCreatePortIn(request: CarrierPortInRequest, options: CarrierCallOptions): Promise<CarrierPortInStatus> {
    return telnyxCreatePortIn(this.#api, request, options);
  }

  doFindPortIn(lookup: CarrierPortInLookup, options: CarrierCallOptions): Promise<CarrierPortInStatus | undefined> {
    return telnyxFindPortIn(this.#api, lookup.orderReference, options);
  }

  doGetPortIn(carrierOrderId: string, options: CarrierCallOptions): Promise<CarrierPortInStatus> {
    return telnyxGetPortIn(this.#api, carrierOrderId, options);
  }

  doResubmitPortIn(carrierOrderId: string, request: CarrierPortInRequest, options: CarrierCallOptions): Promise<CarrierPortInStatus> {
    return telnyxResubmitPortIn(this.#api, carrierOrderId, request, options);
  }

  doAttachPortInDocument(carrierOrderId: string, document: CarrierPortInDocument, options: CarrierCallOptions): Promise<CarrierPortInStatus> {
    return telnyxAttachPortInDocument(this.#api, carrierOrderId, document, options);
  }

  doCancelPortIn(carrierOrderId: string, options: CarrierCallOptions): Promise<void> {
    return telnyxCancelPortIn(this.#api, carrierOrderId, options);
  }

  readPortInNotification(notification: CarrierNotification): CarrierNotificationReading {
    return readTelnyxPortingNotification(notification, this.#webhookKey);
  }

  async close(): Promise<void> {
    await this.#api.close();
  }

  /** GET /available_phone_numbers; near matches (best_effort) are not what was asked and are dropped. */
  async #searchAvailable(query: TelnyxQuery, operation: string, options: CarrierCallOptions): Promise<readonly TelnyxAvailableNumber[]> {
    const response = await this.#api.request({ method: "GET", path: "/available_phone_numbers", query, operation, signal: options.signal });
    expectTelnyxStatus(response, operation);
    return parseJsonBody(response, telnyxAvailableNumbersSchema, "telnyx", operation).data.filter((number) => number.best_effort !== true);
  }
}
