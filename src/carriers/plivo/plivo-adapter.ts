/**
 * Plivo's Phone Numbers API: JSON both ways, HTTP Basic (Auth ID, Auth Token), every path below
 * /v1/Account/{auth_id}/ and ending with "/", numbers as E.164 digits without "+".
 *
 * Built from provider-specs/plivo.md and plivo/numbers.derived.openapi.yaml. Plivo publishes no OpenAPI document:
 * that spec is DERIVED from Plivo's docs pages and official SDKs (plivo-python, plivo-node, plivo-go), not
 * official, so the adapter reads answers defensively (minimal schemas, results checked against what was asked).
 *
 * Telling this order's purchase from a number the account already rented. Plivo keeps no order and has no field
 * for a caller's reference: the buy (POST PhoneNumber/{number}/) accepts only app_id, cnam_lookup, ha_enable and
 * compliance_application_id, none of them free text; a rented number (GET Number/{number}/) carries `alias` (set
 * only by a separate update call the derived spec does not have), `application` (the account's default app when
 * none is given: the same for every purchase), `added_on` (a date, with no time or timezone) and `active`. None
 * says "bought by this order". So numbergate makes it true by construction, and stays conservative:
 * - before every buy the adapter asks GET Number/{number}/ and sends the POST only on 404: a number the account
 *   already rents is refused at once (not_found), never bought again, and never later mistaken for this order's;
 * - numbergate's holds keep every other numbergate order off the number from before that check until this order
 *   is final, and Plivo sells a number to one account only;
 * - so a lookup (GET Number/{number}/ for each unresolved number) that finds the number on the account finds what
 *   this order's POST bought. 404 is no trace; a rented number still awaiting activation is in process.
 * What remains possible: someone outside numbergate renting the very number on the same account between the check
 * and the lookup, or a check cut off by numbergate's own timeout (the order is then in doubt without the POST
 * having left). `added_on` cannot settle either without knowing when the request left: the lookup does not carry
 * that time (numbergate's CarrierOrderLookup has no send time), and `added_on` relative to the lookup's own day
 * would wrongly disown numbers whose documents took days.
 *
 * Money: a purchase is one POST, never retried here; an uncertain outcome is resolved by plivoFindPurchase. A buy
 * answered "pending" (documents awaited, plivo.md Buy [P4]) is followed the same way until Plivo activates it.
 */
import type { Dispatcher } from "undici";
import type { CarrierAdapter, CarrierCallOptions, CarrierDescriptor, CarrierSearchResult, CriteriaSupport } from "../../domain/carrier-adapter.js";
import type {
  CarrierOrderLookup,
  CarrierOrderStatus,
  CarrierPurchaseRequest,
  CarrierReleaseLookup,
  CarrierReleaseRequest,
  CarrierReleaseResult,
  CarrierReleaseStatus,
} from "../../domain/carrier-lifecycle.js";
import type { AvailableNumberOffer, NumberSearchCriteria } from "../../domain/numbers.js";
import type { ParsedPhoneNumber } from "../../domain/phone-number.js";
import { CarrierHttpClient, basicAuthorization } from "../kit/carrier-http-client.js";
import { parseJsonBody } from "../kit/response-body.js";
import { listOwnedNumbersPage, type PlivoAccount, type PlivoOwnedNumbersPage } from "./plivo-account-numbers.js";
import { plivoErrorFromResponse } from "./plivo-error.js";
import { plivoFindPurchase, plivoPurchase, plivoRelease, plivoReleaseStatus } from "./plivo-lifecycle.js";
import { searchPlivoNumbers } from "./plivo-search.js";
import { plivoExactNumberSearch, plivoSearchPlan } from "./plivo-search-query.js";
import { plivoAccountNumbersPageSchema } from "./plivo-wire.js";

export interface PlivoAdapterConfig {
  /** The Auth ID: the Basic-auth user and part of every path. */
  readonly authId: string;
  readonly authToken: string;
  /** Defaults to https://api.plivo.com/v1; the adapter adds /Account/{auth_id}/... */
  readonly apiBaseUrl: URL;
  readonly dispatcher?: Dispatcher;
}

export const PLIVO_DESCRIPTOR: CarrierDescriptor = {
  id: "plivo",
  displayName: "Plivo",
  // voice_enabled, sms_enabled, mms_enabled: Plivo sells no fax numbers.
  capabilities: ["voice", "sms", "mms"],
  numberTypes: ["local", "toll_free", "mobile"],
  // US and CA (npanxx, lata, rate_center, self-service port-in), DE (the docs' pending-buy example), GB and FR.
  countries: ["US", "CA", "GB", "DE", "FR"],
  // No reservation or hold endpoint exists (plivo.md, Reserve): numbergate holds numbers alone.
  supportsReservations: false,
  // Porting is done in Plivo's console or by ticket; there is no API (plivo.md, Porting).
  supportsPortabilityChecks: false,
  supportsPorting: false,
  // POST PhoneNumber/{number}/ buys exactly one number.
  maxNumbersPerPurchase: 1,
};

/** Plivo's Phone Numbers API, one account (see the header above for how purchases are told apart). */
export class PlivoAdapter implements CarrierAdapter {
  readonly specificationVersion = "v1" as const;
  readonly descriptor = PLIVO_DESCRIPTOR;
  readonly #api: CarrierHttpClient;
  readonly #account: PlivoAccount;

  constructor(config: PlivoAdapterConfig) {
    this.#api = new CarrierHttpClient({
      carrierId: "plivo",
      baseUrl: config.apiBaseUrl,
      authorization: basicAuthorization(config.authId, config.authToken),
      dispatcher: config.dispatcher,
    });
    this.#account = { api: this.#api, authId: config.authId, accountPath: `/Account/${encodeURIComponent(config.authId)}` };
  }

  supportsSearch(criteria: NumberSearchCriteria): CriteriaSupport {
    const plan = plivoSearchPlan(criteria);
    return plan.ok ? { supported: true } : { supported: false, reason: plan.reason };
  }

  async doSearch(criteria: NumberSearchCriteria, options: CarrierCallOptions): Promise<CarrierSearchResult> {
    const plan = plivoSearchPlan(criteria);
    if (!plan.ok) return { numbers: [], warnings: [plan.reason] };
    const found = await searchPlivoNumbers(this.#account, plan, criteria, "search", options);
    const restricted = found.filter((offer) => offer.restricted).length;
    const warnings = restricted > 0 ? [`${restricted} of these plivo numbers need address or identity documents before Plivo activates them`] : [];
    return { numbers: found.map((offer) => offer.offer), warnings };
  }

  /** Plivo has no "is this number for sale" call: a search for its whole national number finds it or not. */
  async doCheckAvailability(number: ParsedPhoneNumber, options: CarrierCallOptions): Promise<AvailableNumberOffer | undefined> {
    if (number.countryCode === undefined) return undefined;
    const numberType = number.numberType ?? "local";
    const criteria: NumberSearchCriteria = { countryCode: number.countryCode, numberType, features: [], limit: 1 };
    const search = plivoExactNumberSearch(number.countryCode, numberType, number.nationalNumber);
    const found = await searchPlivoNumbers(this.#account, search, criteria, "check_availability", options);
    return found.find((candidate) => candidate.offer.phoneNumber === number.e164)?.offer;
  }

  /** GET Number/?limit=1: authenticated, on the account, and the cheapest read the derived spec offers. */
  async doProbeHealth(options: CarrierCallOptions): Promise<void> {
    const response = await this.#api.request({ method: "GET", path: `${this.#account.accountPath}/Number/`, query: { limit: 1 }, operation: "probe", signal: options.signal });
    if (response.status !== 200) throw plivoErrorFromResponse(response, "probe");
    parseJsonBody(response, plivoAccountNumbersPageSchema, "plivo", "probe");
  }

  doPurchase(request: CarrierPurchaseRequest, options: CarrierCallOptions): Promise<CarrierOrderStatus> {
    return plivoPurchase(this.#account, request, options);
  }

  doGetOrderStatus(lookup: CarrierOrderLookup, options: CarrierCallOptions): Promise<CarrierOrderStatus | undefined> {
    return plivoFindPurchase(this.#account, lookup, options);
  }

  doRelease(request: CarrierReleaseRequest, options: CarrierCallOptions): Promise<CarrierReleaseResult> {
    return plivoRelease(this.#account, request, options);
  }

  doGetReleaseStatus(lookup: CarrierReleaseLookup, options: CarrierCallOptions): Promise<CarrierReleaseStatus> {
    return plivoReleaseStatus(this.#account, lookup, options);
  }

  /** One page of the account's numbers (GET Number/), with the services Plivo reports for each. */
  doListOwnedNumbers(page: { readonly pageToken?: string; readonly pageSize: number }, options: CarrierCallOptions): Promise<PlivoOwnedNumbersPage> {
    return listOwnedNumbersPage(this.#account, page, options);
  }

  async close(): Promise<void> {
    await this.#api.close();
  }
}
