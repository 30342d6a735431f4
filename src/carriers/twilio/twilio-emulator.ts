import { randomBytes } from "node:crypto";
import {
  CarrierEmulator,
  hasBasicCredentials,
  json,
  type EmulatorRequest,
  type EmulatorResponse,
  type EmulatorRoute,
} from "../emulator-kit/carrier-emulator.js";
import { buildInventory, type InventoryNumber } from "../emulator-kit/inventory.js";
import { formParameters, twilioErrorResponse } from "./twilio-emulator-common.js";
import { parseTwilioSavedState, type TwilioSavedState } from "./twilio-emulator-state.js";
import { listOwnedNumbers, type TwilioOwnedNumber } from "./twilio-emulator-owned.js";
import { nationalFriendlyName, searchAvailablePhoneNumbers } from "./twilio-emulator-search.js";
import { TwilioPorting } from "./twilio-emulator-porting.js";

export { twilioContainsMatcher } from "./twilio-emulator-search.js";

export interface TwilioEmulatorOptions {
  readonly accountSid: string;
  readonly authToken: string;
  /** An API key of the account (SK + 32 hex): Basic auth with it and its secret works like the auth token. */
  readonly apiKeySid: string;
  readonly apiKeySecret: string;
  /** The clock of the porting walk (tests inject one); defaults to Date.now. */
  readonly now?: () => number;
  /**
   * The clock a requested target_port_in_date is judged on (at least 7 days ahead); defaults to `now`. An accepted
   * date is still reached on `now`.
   */
  readonly requestNow?: () => number;
  /** How long each porting step takes on that clock, ms; defaults to 2 seconds, so a sandbox port completes in seconds. */
  readonly portingStepMs?: number;
}

const DEFAULT_PORTING_STEP_MS = 2000;

export type TwilioAccountStatus = "active" | "suspended" | "closed";

const ERROR_CODES: Readonly<Record<number, { code: number; message: string }>> = {
  400: { code: 21451, message: "Invalid area code" },
  401: { code: 20003, message: "Authenticate" },
  403: { code: 20003, message: "Forbidden" },
  404: { code: 20404, message: "The requested resource was not found" },
  429: { code: 20429, message: "Too Many Requests" },
  500: { code: 20500, message: "Internal Server Error" },
};

const ACCOUNT_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\.json$/;
const INCOMING_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\/IncomingPhoneNumbers\.json$/;
const INCOMING_SID_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\/IncomingPhoneNumbers\/(PN[0-9a-f]{32})\.json$/;
const AVAILABLE_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\/AvailablePhoneNumbers\/([A-Z]{2})\/(Local|TollFree|Mobile)\.json$/;

/** Twilio's 2010 REST API on loopback: same paths, Basic auth (auth token or API key), JSON bodies and error shape. */
export class TwilioEmulator extends CarrierEmulator {
  readonly #options: TwilioEmulatorOptions;
  readonly #inventory: readonly InventoryNumber[] = buildInventory("twilio");
  /** Purchase position of every sid ever issued (page tokens name sids). */
  readonly #positions = new Map<string, number>();
  /** Numbers held elsewhere; they vanish from search and cannot be bought. */
  readonly unavailable = new Set<string>();
  /** Numbers this account owns, by E.164, in purchase order. Owned numbers are not for sale again until released. */
  readonly owned = new Map<string, TwilioOwnedNumber>();
  /** Every successful purchase, in order: a double buy shows up here. */
  readonly purchases: string[] = [];
  /** What GET Accounts/{Sid}.json reports (a test control for suspended and closed accounts). */
  accountStatus: TwilioAccountStatus = "active";

  /** Numbers v1 porting (numbers.twilio.com /v1/Porting/...), served on the same origin as the 2010 API. */
  readonly porting: TwilioPorting;

  protected readonly routes: readonly EmulatorRoute[];

  readonly #accountRoutes: readonly EmulatorRoute[] = [
    { method: "GET", pattern: ACCOUNT_PATH, handle: (request, match) => this.#forAccount(match, () => this.#fetchAccount()) },
    { method: "GET", pattern: AVAILABLE_PATH, handle: (request, match) => this.#forAccount(match, () => this.#search(request, match)) },
    { method: "POST", pattern: INCOMING_PATH, handle: (request, match) => this.#forAccount(match, () => this.#buy(request)) },
    { method: "GET", pattern: INCOMING_PATH, handle: (request, match) => this.#forAccount(match, () => this.#listOwned(request)) },
    { method: "DELETE", pattern: INCOMING_SID_PATH, handle: (request, match) => this.#forAccount(match, () => this.#release(match[2] ?? "")) },
  ];

  /** The account this emulator serves (fake credentials, for tests and `npm run emulators`). */
  get credentials(): TwilioEmulatorOptions {
    return this.#options;
  }

  constructor(options: TwilioEmulatorOptions) {
    super();
    this.#options = options;
    this.porting = new TwilioPorting({
      accountSid: options.accountSid,
      authToken: options.authToken,
      now: options.now ?? Date.now,
      requestNow: options.requestNow ?? options.now ?? Date.now,
      stepMs: options.portingStepMs ?? DEFAULT_PORTING_STEP_MS,
      isOwned: (e164) => this.owned.has(e164),
      inTwilioStock: (e164) => this.#inventory.some((number) => number.e164 === e164),
      addOwned: (e164) => void this.addOwned(e164),
    });
    // The porting walk is caught up before every request, so whatever a request reads (ported numbers among the
    // IncomingPhoneNumbers included) is as of now, and the walk's webhooks go out as it happens.
    this.routes = [...this.#accountRoutes, ...this.porting.routes].map((route) => ({
      ...route,
      handle: (request, match) => {
        this.porting.advance();
        return route.handle(request, match);
      },
    }));
  }

  /**
   * Sets the porting webhook's port_in_target_url, as an operator does in the console (or with POST
   * Configuration/Webhook): every port-in event is then posted there, signed with the auth token. Undefined removes it.
   */
  deliverPortingNotificationsTo(url: string | undefined): void {
    const webhooks = this.porting.webhooks;
    const previous = webhooks.configuration;
    if (url === undefined) {
      if (previous === null) return;
      webhooks.configuration = previous.portOutTargetUrl === null ? null : { ...previous, portInTargetUrl: null, portInDateCreated: null };
      return;
    }
    webhooks.configuration = {
      portInTargetUrl: url,
      portOutTargetUrl: previous?.portOutTargetUrl ?? null,
      notificationsOf: previous?.notificationsOf ?? [],
      portInDateCreated: previous?.portInTargetUrl === url ? previous.portInDateCreated : (this.#options.now ?? Date.now)(),
      portOutDateCreated: previous?.portOutDateCreated ?? null,
    };
  }

  numbersSold(): readonly string[] {
    return [...this.purchases];
  }

  describeState(): { purchases: string[]; owned: string[] } {
    return { purchases: [...this.purchases], owned: [...this.owned.keys()] };
  }

  protected saveState(): TwilioSavedState {
    return { version: 1, owned: [...this.owned], positions: [...this.#positions], purchases: [...this.purchases], porting: this.porting.save() };
  }

  protected restoreState(saved: unknown): void {
    const state = parseTwilioSavedState(saved);
    this.owned.clear();
    for (const [e164, owned] of state.owned) this.owned.set(e164, owned);
    this.#positions.clear();
    for (const [sid, position] of state.positions) this.#positions.set(sid, position);
    this.purchases.splice(0, this.purchases.length, ...state.purchases);
    this.porting.restore(state.porting);
  }

  /**
   * Puts a number on the account as if bought outside numbergate (not counted in `purchases`); returns its sid.
   * Defaults to Twilio's own friendly name, the formatted number.
   */
  addOwned(e164: string, friendlyName: string = nationalFriendlyName(e164)): string {
    const sid = `PN${randomBytes(16).toString("hex")}`;
    this.#positions.set(sid, this.#positions.size);
    this.owned.set(e164, { sid, friendlyName, dateCreated: new Date().toUTCString().replace("GMT", "+0000") });
    return sid;
  }

  protected isAuthorized(request: EmulatorRequest): boolean {
    const { accountSid, authToken, apiKeySid, apiKeySecret } = this.#options;
    return hasBasicCredentials(request, accountSid, authToken) || hasBasicCredentials(request, apiKeySid, apiKeySecret);
  }

  protected errorResponse(status: number, retryAfterSeconds?: number): EmulatorResponse {
    const known = ERROR_CODES[status] ?? { code: 20500, message: "Service Unavailable" };
    return twilioErrorResponse(status, known.code, known.message, retryAfterSeconds === undefined ? {} : { "retry-after": String(retryAfterSeconds) });
  }

  protected malformedBody(): EmulatorResponse {
    return { status: 200, headers: { "content-type": "application/json" }, body: '{"available_phone_numbers": [{"phone_nu' };
  }

  #forAccount(match: RegExpExecArray, handle: () => EmulatorResponse): EmulatorResponse {
    return match[1] === this.#options.accountSid ? handle() : this.errorResponse(404);
  }

  #isForSale(number: InventoryNumber): boolean {
    return !this.unavailable.has(number.e164) && !this.owned.has(number.e164);
  }

  #incomingNumber(e164: string, owned: TwilioOwnedNumber): Record<string, unknown> {
    const stocked = this.#inventory.find((number) => number.e164 === e164);
    return {
      sid: owned.sid,
      account_sid: this.#options.accountSid,
      phone_number: e164,
      friendly_name: owned.friendlyName,
      origin: "twilio",
      status: "in-use",
      type: stocked?.tollFree ? "toll-free" : "local",
      capabilities: Object.fromEntries((["voice", "sms", "mms", "fax"] as const).map((feature) => [feature, stocked?.capabilities.includes(feature) ?? false])),
      date_created: owned.dateCreated ?? null,
      date_updated: owned.dateCreated ?? null,
      uri: `/2010-04-01/Accounts/${this.#options.accountSid}/IncomingPhoneNumbers/${owned.sid}.json`,
    };
  }

  /**
   * POST IncomingPhoneNumbers.json (form-encoded): buys PhoneNumber, or any number in AreaCode. Without either
   * (which is also what a body of another content type amounts to: Twilio does not read it) the answer is 400.
   */
  #buy(request: EmulatorRequest): EmulatorResponse {
    const form = formParameters(request.headers, request.body);
    const phoneNumber = form.get("PhoneNumber");
    const areaCode = form.get("AreaCode");
    // The spec requires one of the two and names no code for neither; 21421 is its code for a bad PhoneNumber.
    if (phoneNumber === null && areaCode === null) return twilioErrorResponse(400, 21421, "A PhoneNumber or AreaCode is required");
    let chosen: string;
    if (phoneNumber !== null) {
      if (!/^\+[1-9][0-9]{6,14}$/.test(phoneNumber)) return twilioErrorResponse(400, 21421, "PhoneNumber is invalid");
      const stocked = this.#inventory.find((number) => number.e164 === phoneNumber);
      if (!stocked || !this.#isForSale(stocked)) return twilioErrorResponse(400, 21422, "PhoneNumber is not available");
      chosen = phoneNumber;
    } else {
      if (!/^[2-9][0-9]{2}$/.test(areaCode ?? "")) return twilioErrorResponse(400, 21451, "Invalid area code");
      const inArea = this.#inventory.find((number) => !number.tollFree && number.npa === areaCode && this.#isForSale(number));
      if (!inArea) return twilioErrorResponse(400, 21452, "No phone numbers found in area code");
      chosen = inArea.e164;
    }
    this.addOwned(chosen, form.get("FriendlyName") ?? nationalFriendlyName(chosen));
    this.purchases.push(chosen);
    const owned = this.owned.get(chosen);
    return owned ? json(201, this.#incomingNumber(chosen, owned)) : this.errorResponse(500);
  }

  #listOwned(request: EmulatorRequest): EmulatorResponse {
    return listOwnedNumbers({
      path: request.path,
      query: request.query,
      owned: this.owned,
      positionOf: (sid) => this.#positions.get(sid),
      describe: (e164, owned) => this.#incomingNumber(e164, owned),
    });
  }

  /** DELETE IncomingPhoneNumbers/{Sid}.json: synchronous, 204 without a body. */
  #release(sid: string): EmulatorResponse {
    const entry = [...this.owned.entries()].find(([, owned]) => owned.sid === sid);
    if (!entry) return this.errorResponse(404);
    this.owned.delete(entry[0]);
    return { status: 204 };
  }

  #fetchAccount(): EmulatorResponse {
    return json(200, { sid: this.#options.accountSid, friendly_name: "numbergate sandbox", status: this.accountStatus, type: "Full" });
  }

  #search(request: EmulatorRequest, match: RegExpExecArray): EmulatorResponse {
    const [, , country = "", resource = ""] = match;
    return searchAvailablePhoneNumbers(request.query, request.path, country, resource, this.#inventory, (number) => this.#isForSale(number));
  }
}
