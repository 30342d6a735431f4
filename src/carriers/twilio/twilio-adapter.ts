import type {
  CarrierAdapter,
  CarrierCallOptions,
  CarrierDescriptor,
  CarrierSearchResult,
  CriteriaSupport,
} from "../../domain/carrier-adapter.js";
import type { ParsedPhoneNumber } from "../../domain/phone-number.js";
import { getCountryCallingCode, isSupportedCountry } from "../../domain/phone-number.js";
import type { AvailableNumberOffer, Capability, NumberSearchCriteria, NumberType } from "../../domain/numbers.js";
import type { CountryCode } from "libphonenumber-js/max";
import type { Dispatcher } from "undici";
import { CarrierHttpClient, basicAuthorization, type CarrierHttpResponse } from "../kit/carrier-http-client.js";
import { parseJsonBody } from "../kit/response-body.js";
import { twilioErrorFromResponse } from "./twilio-error.js";
import { twilioFindPurchase, twilioPurchase, twilioRelease, twilioReleaseStatus } from "./twilio-lifecycle.js";
import { listTwilioOwnedNumbersPage, type TwilioOwnedNumbersPage } from "./twilio-owned-numbers.js";
import { twilioCheckPortability } from "./twilio-portability.js";
import { readTwilioPortingNotification } from "./twilio-porting-notifications.js";
import {
  twilioAttachPortInDocument,
  twilioCancelPortIn,
  twilioCreatePortIn,
  twilioFindPortIn,
  twilioGetPortIn,
  twilioResubmitPortIn,
  type TwilioPortingContext,
} from "./twilio-porting.js";
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
} from "../../domain/carrier-lifecycle.js";
import { CarrierError } from "../../domain/carrier-error.js";
import {
  TWILIO_CONTAINS_MAX_LENGTH,
  twilioAccountSchema,
  twilioAvailableNumbersPageSchema,
  twilioContainsPattern,
  twilioNumberTypeResource,
  twilioSearchQuery,
  type TwilioAvailableNumber,
} from "./twilio-wire.js";

export interface TwilioAdapterConfig {
  /** AC + 32 hex; part of every 2010 API path. */
  readonly accountSid: string;
  /** Basic-auth user: the Account SID, or an API key SID (SK...). */
  readonly username: string;
  /** Basic-auth password: the auth token or the API key secret. */
  readonly password: string;
  /** Defaults to https://api.twilio.com. */
  readonly apiBaseUrl: URL;
  /** Defaults to https://numbers.twilio.com (porting). */
  readonly numbersBaseUrl: URL;
  /**
   * The auth token Twilio signs webhooks with (porting notifications). Defaults to the password when the username is
   * the Account SID (the password is then the auth token); with an API key and no token, notifications cannot be verified.
   */
  readonly webhookAuthToken?: string;
  readonly dispatcher?: Dispatcher;
  /** numbergate's clock (port dates, in-doubt lookups), ms since the epoch; defaults to Date.now. */
  readonly now?: () => number;
}

export const TWILIO_DESCRIPTOR: CarrierDescriptor = {
  id: "twilio",
  displayName: "Twilio",
  capabilities: ["voice", "sms", "mms", "fax"],
  numberTypes: ["local", "toll_free", "mobile"],
  countries: ["US", "CA", "GB", "AU", "DE", "FR", "NL", "SE", "IE", "ES"],
  supportsReservations: false,
  supportsPortabilityChecks: true,
  supportsPorting: true,
  maxNumbersPerPurchase: 1,
};

/** Twilio's 2010 REST API: JSON responses, form-encoded writes, HTTP Basic auth. */
export class TwilioAdapter implements CarrierAdapter {
  readonly specificationVersion = "v1" as const;
  readonly descriptor = TWILIO_DESCRIPTOR;
  readonly #accountSid: string;
  readonly #api: CarrierHttpClient;
  /** Numbers v1 (porting) lives on its own host. */
  readonly #numbersApi: CarrierHttpClient;
  readonly #porting: TwilioPortingContext;
  readonly #webhookAuthToken: string | undefined;

  constructor(config: TwilioAdapterConfig) {
    this.#accountSid = config.accountSid;
    this.#api = new CarrierHttpClient({
      carrierId: "twilio",
      baseUrl: config.apiBaseUrl,
      authorization: basicAuthorization(config.username, config.password),
      dispatcher: config.dispatcher,
    });
    this.#numbersApi = new CarrierHttpClient({
      carrierId: "twilio",
      baseUrl: config.numbersBaseUrl,
      authorization: basicAuthorization(config.username, config.password),
      dispatcher: config.dispatcher,
    });
    this.#porting = { numbersApi: this.#numbersApi, accountSid: config.accountSid, now: config.now ?? Date.now };
    this.#webhookAuthToken = config.webhookAuthToken ?? (config.username === config.accountSid ? config.password : undefined);
  }

  supportsSearch(criteria: NumberSearchCriteria): CriteriaSupport {
    const contains = twilioContainsPattern(criteria, callingCodeOf(criteria.countryCode));
    if (contains !== undefined && contains.length > TWILIO_CONTAINS_MAX_LENGTH) {
      return { supported: false, reason: `Twilio patterns are at most ${TWILIO_CONTAINS_MAX_LENGTH} characters` };
    }
    return { supported: true };
  }

  async doSearch(criteria: NumberSearchCriteria, options: CarrierCallOptions): Promise<CarrierSearchResult> {
    const contains = twilioContainsPattern(criteria, callingCodeOf(criteria.countryCode));
    const numbers = await this.#searchAvailable(
      criteria.countryCode,
      criteria.numberType,
      twilioSearchQuery(criteria, contains),
      "search",
      options,
    );
    return { numbers: numbers.map((number) => toOffer(number, criteria.numberType, criteria.countryCode)), warnings: [] };
  }

  async doCheckAvailability(number: ParsedPhoneNumber, options: CarrierCallOptions): Promise<AvailableNumberOffer | undefined> {
    const countryCode = number.countryCode;
    if (countryCode === undefined) return undefined;
    const numberType = number.numberType ?? "local";
    // `+` anchors the start, so this matches exactly the one number.
    const found = await this.#searchAvailable(countryCode, numberType, { Contains: number.e164, PageSize: 1 }, "check_availability", options);
    const match = found.find((candidate) => candidate.phone_number === number.e164);
    return match ? toOffer(match, numberType, countryCode) : undefined;
  }

  async doProbeHealth(options: CarrierCallOptions): Promise<void> {
    const response = await this.#api.request({
      method: "GET",
      path: `/2010-04-01/Accounts/${this.#accountSid}.json`,
      operation: "probe",
      signal: options.signal,
    });
    this.#expectOk(response, "probe");
    const account = parseJsonBody(response, twilioAccountSchema, "twilio", "probe");
    // The credentials work, but a suspended or closed account cannot buy or keep numbers.
    if (account.status === "suspended" || account.status === "closed") {
      throw new CarrierError({
        kind: "auth",
        carrierId: "twilio",
        operation: "probe",
        message: `the twilio account is ${account.status} (check the account in the Twilio console)`,
        httpStatus: response.status,
        requestMayHaveReachedCarrier: true,
      });
    }
  }

  doPurchase(request: CarrierPurchaseRequest, options: CarrierCallOptions): Promise<CarrierOrderStatus> {
    return twilioPurchase(this.#api, this.#accountSid, request, options);
  }

  doGetOrderStatus(lookup: CarrierOrderLookup, options: CarrierCallOptions): Promise<CarrierOrderStatus | undefined> {
    return twilioFindPurchase(this.#api, this.#accountSid, lookup, options);
  }

  doRelease(request: CarrierReleaseRequest, options: CarrierCallOptions): Promise<CarrierReleaseResult> {
    return twilioRelease(this.#api, this.#accountSid, request, options);
  }

  doGetReleaseStatus(lookup: CarrierReleaseLookup, options: CarrierCallOptions): Promise<CarrierReleaseStatus> {
    return twilioReleaseStatus(this.#api, this.#accountSid, lookup, options);
  }

  /** One page of IncomingPhoneNumbers (every number on the account), with the capabilities Twilio reports. */
  doListOwnedNumbers(page: { readonly pageToken?: string; readonly pageSize: number }, options: CarrierCallOptions): Promise<TwilioOwnedNumbersPage> {
    return listTwilioOwnedNumbersPage(this.#api, this.#accountSid, page, options);
  }

  doCheckPortability(numbers: readonly ParsedPhoneNumber[], options: CarrierCallOptions): Promise<readonly CarrierPortabilityAnswer[]> {
    return twilioCheckPortability(this.#numbersApi, this.#accountSid, numbers, options);
  }

  /** POST /v1/Porting/PortIn (JSON); a request Twilio would refuse is refused before anything is sent. */
  doCreatePortIn(request: CarrierPortInRequest, options: CarrierCallOptions): Promise<CarrierPortInStatus> {
    return twilioCreatePortIn(this.#porting, request, options);
  }

  /** Twilio keeps no reference on a port-in: found through this process's record of what it sent (twilio-porting.ts). */
  doFindPortIn(lookup: CarrierPortInLookup, options: CarrierCallOptions): Promise<CarrierPortInStatus | undefined> {
    return twilioFindPortIn(this.#porting, lookup, options);
  }

  doGetPortIn(carrierOrderId: string, options: CarrierCallOptions): Promise<CarrierPortInStatus> {
    return twilioGetPortIn(this.#porting, carrierOrderId, options);
  }

  /** A new port-in request replacing the old one, which is canceled first (a new carrierOrderId). */
  doResubmitPortIn(carrierOrderId: string, request: CarrierPortInRequest, options: CarrierCallOptions): Promise<CarrierPortInStatus> {
    return twilioResubmitPortIn(this.#porting, carrierOrderId, request, options);
  }

  /** Always refused: Twilio takes Document SIDs when the port-in is created and collects the LOA signature by e-mail. */
  doAttachPortInDocument(carrierOrderId: string, document: CarrierPortInDocument): Promise<CarrierPortInStatus> {
    return twilioAttachPortInDocument(carrierOrderId, document);
  }

  doCancelPortIn(carrierOrderId: string, options: CarrierCallOptions): Promise<void> {
    return twilioCancelPortIn(this.#porting, carrierOrderId, options);
  }

  readPortInNotification(notification: CarrierNotification): CarrierNotificationReading {
    return readTwilioPortingNotification(notification, { authToken: this.#webhookAuthToken, accountSid: this.#accountSid });
  }

  async close(): Promise<void> {
    await Promise.all([this.#api.close(), this.#numbersApi.close()]);
  }

  async #searchAvailable(
    countryCode: string,
    numberType: NumberType,
    query: Record<string, string | number | boolean | undefined>,
    operation: string,
    options: CarrierCallOptions,
  ): Promise<readonly TwilioAvailableNumber[]> {
    const resource = twilioNumberTypeResource(numberType);
    const response = await this.#api.request({
      method: "GET",
      path: `/2010-04-01/Accounts/${this.#accountSid}/AvailablePhoneNumbers/${countryCode}/${resource}.json`,
      query,
      operation,
      signal: options.signal,
    });
    this.#expectOk(response, operation);
    return parseJsonBody(response, twilioAvailableNumbersPageSchema, "twilio", operation).available_phone_numbers;
  }

  #expectOk(response: CarrierHttpResponse, operation: string): void {
    if (response.status < 200 || response.status >= 300) throw twilioErrorFromResponse(response, operation);
  }
}

function callingCodeOf(countryCode: string): string {
  return isSupportedCountry(countryCode) ? getCountryCallingCode(countryCode as CountryCode) : "";
}

function toOffer(number: TwilioAvailableNumber, numberType: NumberType, countryCode: string): AvailableNumberOffer {
  const capabilities: Capability[] = [];
  const reported = number.capabilities ?? {};
  if (reported.voice) capabilities.push("voice");
  if (reported.sms) capabilities.push("sms");
  if (reported.mms) capabilities.push("mms");
  if (reported.fax) capabilities.push("fax");
  return {
    phoneNumber: number.phone_number,
    carrierId: "twilio",
    numberType,
    countryCode: number.iso_country ?? countryCode,
    locality: number.locality ?? undefined,
    region: number.region ?? undefined,
    rateCenter: number.rate_center ?? undefined,
    capabilities,
  };
}
