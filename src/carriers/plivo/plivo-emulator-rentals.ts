import { randomUUID } from "node:crypto";
import { json, type EmulatorRequest, type EmulatorResponse } from "../emulator-kit/carrier-emulator.js";
import { PAGING_RULES, SERVICES_RULE, jsonBody, pageOf, plivoErrorResponse, queryProblem, type ParameterRule } from "./plivo-emulator-common.js";
import { PLIVO_COUNTRY_NAMES, type PlivoStockedNumber } from "./plivo-emulator-stock.js";

/** A number on the emulated account. */
export interface PlivoRental {
  /** YYYY-MM-DD (UTC), as `added_on`. */
  readonly addedOn: string;
  active: boolean;
  /** null, or "pending" until Plivo accepts the documents, then "approved". */
  complianceStatus: string | null;
  /** GETs answered while the number awaited activation. */
  polls: number;
}

/** Default GETs of a pending number answered inactive before the next finds it active. */
export const DEFAULT_POLLS_BEFORE_ACTIVE = 2;

const DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const LIST_RULES: Readonly<Record<string, ParameterRule>> = {
  type: ["local", "mobile", "fixed", "national", "tollfree"],
  number_startswith: /^[0-9]{1,15}$/,
  subaccount: "text",
  alias: "text",
  services: SERVICES_RULE,
  renewal_date: DATE,
  renewal_date__gt: DATE,
  renewal_date__gte: DATE,
  renewal_date__lt: DATE,
  renewal_date__lte: DATE,
  cnam_lookup: ["enabled", "disabled"],
  tendlc_registration_status: "text",
  tendlc_campaign_id: "text",
  toll_free_sms_verification: "text",
  ...PAGING_RULES,
};
const BUY_FIELDS = new Set(["app_id", "cnam_lookup", "ha_enable", "compliance_application_id"]);

/** What the rentals need of the emulator: its account, the default number application, and what is for sale. */
export interface PlivoEmulatedAccount {
  /** /v1/Account/{auth_id}, as resource URIs write it. */
  readonly accountPath: string;
  readonly defaultAppId: string;
  readonly stocked: (digits: string) => PlivoStockedNumber | undefined;
  readonly unavailable: ReadonlySet<string>;
}

/**
 * The account's numbers: buy (POST PhoneNumber/{number}/), get, list and unrent (Number/). A rented number is
 * for sale to nobody until unrented. A number with a `restriction` is bought "pending": it is on the account but
 * inactive, and each GET of it moves it towards activation, as Plivo's back office accepting documents would.
 */
export class PlivoRentals {
  /** Rented numbers by E.164, in rental order. */
  readonly rented = new Map<string, PlivoRental>();
  /** Every successful buy, in order (E.164): a double buy shows up here. */
  readonly purchases: string[] = [];
  pollsBeforeActive = DEFAULT_POLLS_BEFORE_ACTIVE;

  constructor(private readonly account: PlivoEmulatedAccount) {}

  isForSale(number: PlivoStockedNumber): boolean {
    return !this.account.unavailable.has(number.e164) && !this.rented.has(number.e164);
  }

  buy(request: EmulatorRequest, digits: string): EmulatorResponse {
    if (request.query.size > 0) return plivoErrorResponse(400, `unknown parameter ${[...request.query.keys()][0] ?? ""}`);
    const body = jsonBody(request);
    if (!body.ok) return body.response;
    const problem = buyFieldProblem(body.fields, this.account.defaultAppId);
    if (problem !== undefined) return plivoErrorResponse(400, problem);
    if (!/^[1-9][0-9]{5,14}$/.test(digits)) return plivoErrorResponse(400, `The number ${digits} is not a valid number`);
    const number = this.account.stocked(digits);
    if (!number || !this.isForSale(number)) return plivoErrorResponse(404, `Number ${digits} is not available for purchase`);
    if (body.fields["cnam_lookup"] !== undefined && number.countryIso !== "US") return plivoErrorResponse(400, "cnam_lookup is only available for US numbers");
    const pending = number.restriction !== null;
    this.rented.set(number.e164, { addedOn: today(), active: !pending, complianceStatus: pending ? "pending" : null, polls: 0 });
    this.purchases.push(number.e164);
    return json(201, { api_id: randomUUID(), message: "created", numbers: [{ number: digits, status: pending ? "pending" : "Success" }], status: "fulfilled" });
  }

  /** GET Number/{number}/: the rented number, 404 otherwise; a GET of a pending number moves it towards activation. */
  fetch(request: EmulatorRequest, digits: string): EmulatorResponse {
    if (request.query.size > 0) return plivoErrorResponse(400, `unknown parameter ${[...request.query.keys()][0] ?? ""}`);
    const number = this.account.stocked(digits);
    const rental = number && this.rented.get(number.e164);
    if (!number || !rental) return plivoErrorResponse(404, "not found");
    this.#advance(rental, this.pollsBeforeActive);
    return json(200, { api_id: randomUUID(), ...this.describe(number, rental) });
  }

  list(request: EmulatorRequest, stock: readonly PlivoStockedNumber[]): EmulatorResponse {
    const problem = queryProblem(request.query, LIST_RULES);
    if (problem !== undefined) return plivoErrorResponse(400, problem);
    const byE164 = new Map(stock.map((number) => [number.e164, number]));
    const entries = [...this.rented].flatMap(([e164, rental]) => {
      const number = byE164.get(e164);
      return number ? [this.describe(number, rental)] : [];
    });
    const page = pageOf(request, entries.filter((entry) => listFilterAccepts(request.query, entry)));
    return page.ok ? json(200, page.body) : page.response;
  }

  /** DELETE Number/{number}/: 204 without a body; the number is for sale again. */
  unrent(request: EmulatorRequest, digits: string): EmulatorResponse {
    if (request.query.size > 0 || request.body !== "") return plivoErrorResponse(400, "this operation takes no parameters");
    const number = this.account.stocked(digits);
    if (!number || !this.rented.delete(number.e164)) return plivoErrorResponse(404, "not found");
    return { status: 204 };
  }

  /** Puts a stocked number on the account as if rented outside numbergate (not counted in `purchases`). */
  addRented(number: PlivoStockedNumber, rental: Partial<PlivoRental> = {}): void {
    this.rented.set(number.e164, { addedOn: today(), active: true, complianceStatus: null, polls: 0, ...rental });
  }

  /** Activates every number still awaiting documents. */
  completePending(): void {
    for (const rental of this.rented.values()) this.#advance(rental, 0);
  }

  #advance(rental: PlivoRental, pollsBeforeActive: number): void {
    if (rental.active || rental.complianceStatus !== "pending") return;
    rental.polls += 1;
    if (rental.polls <= pollsBeforeActive) return;
    rental.active = true;
    rental.complianceStatus = "approved";
  }

  /** An AccountPhoneNumber (fields of plivo/examples/number_get.response.json). */
  describe(number: PlivoStockedNumber, rental: PlivoRental): Record<string, unknown> {
    const has = (capability: string): boolean => number.capabilities.some((candidate) => candidate === capability);
    const country = titleCase(PLIVO_COUNTRY_NAMES[number.countryIso] ?? number.countryIso);
    const usLocal = number.countryIso === "US" && number.kind === "fixed";
    return {
      active: rental.active,
      added_on: rental.addedOn,
      alias: null,
      application: `${this.account.accountPath}/Application/${this.account.defaultAppId}/`,
      carrier: "Plivo",
      city: number.city,
      cnam_lookup: number.countryIso === "US" ? "disabled" : null,
      compliance_application_id: null,
      compliance_status: rental.complianceStatus,
      country,
      mms_enabled: has("mms"),
      mms_rate: "0.00000",
      monthly_rental_rate: number.monthlyRentalRate,
      number: number.digits,
      number_type: number.kind === "tollfree" ? "tollfree" : "local",
      region: `${number.regionName}, ${PLIVO_COUNTRY_NAMES[number.countryIso] ?? number.countryIso}`,
      renewal_date: monthAfter(rental.addedOn),
      resource_uri: `${this.account.accountPath}/Number/${number.digits}/`,
      sms_enabled: has("sms"),
      sms_rate: "0.00000",
      sub_account: null,
      tendlc_campaign_id: null,
      tendlc_registration_status: usLocal ? "UNREGISTERED" : null,
      toll_free_sms_verification: number.countryIso === "US" && number.kind === "tollfree" && has("sms") ? "unverified" : null,
      voice_enabled: has("voice"),
      voice_rate: "0.00850",
    };
  }
}

function buyFieldProblem(fields: Readonly<Record<string, unknown>>, defaultAppId: string): string | undefined {
  const unknown = Object.keys(fields).find((name) => !BUY_FIELDS.has(name));
  if (unknown !== undefined) return `unknown parameter ${unknown}`;
  const { app_id: appId, cnam_lookup: cnamLookup, ha_enable: haEnable, compliance_application_id: complianceId } = fields;
  if (appId !== undefined && appId !== defaultAppId) return "invalid app_id: no such application";
  if (cnamLookup !== undefined && cnamLookup !== "enabled" && cnamLookup !== "disabled") return "cnam_lookup must be enabled or disabled";
  if (haEnable !== undefined && typeof haEnable !== "boolean") return "ha_enable must be true or false";
  // A fallback (HA) number is a second rental the emulator does not model: refused rather than ignored.
  if (haEnable === true) return "ha_enable is not available for this number";
  if (complianceId !== undefined && typeof complianceId !== "string") return "compliance_application_id must be a string";
  return undefined;
}

/** Whether a listed number passes the list's filters (the names of GET Number/ in the derived spec). */
function listFilterAccepts(query: URLSearchParams, entry: Readonly<Record<string, unknown>>): boolean {
  const value = (name: string): string | null => {
    const field = entry[name];
    return typeof field === "string" ? field : null;
  };
  const type = query.get("type");
  const renewal = value("renewal_date") ?? "";
  const checks: readonly [string, (wanted: string) => boolean][] = [
    ["type", (wanted) => (wanted === "fixed" ? "local" : wanted) === value("number_type")],
    ["number_startswith", (wanted) => (value("number") ?? "").startsWith(wanted)],
    ["subaccount", (wanted) => value("sub_account") === wanted],
    ["alias", (wanted) => value("alias") === wanted],
    ["services", (wanted) => wanted.split(",").every((service) => entry[`${service}_enabled`] === true)],
    ["renewal_date", (wanted) => renewal === wanted],
    ["renewal_date__gt", (wanted) => renewal > wanted],
    ["renewal_date__gte", (wanted) => renewal >= wanted],
    ["renewal_date__lt", (wanted) => renewal < wanted],
    ["renewal_date__lte", (wanted) => renewal <= wanted],
    ["cnam_lookup", (wanted) => value("cnam_lookup") === wanted],
    ["tendlc_registration_status", (wanted) => value("tendlc_registration_status")?.toLowerCase() === wanted.toLowerCase()],
    ["tendlc_campaign_id", (wanted) => value("tendlc_campaign_id") === wanted],
    ["toll_free_sms_verification", (wanted) => value("toll_free_sms_verification") === wanted],
  ];
  return type !== "mobile" && type !== "national" && checks.every(([name, accepts]) => {
    const wanted = query.get(name);
    return wanted === null || accepts(wanted);
  });
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function monthAfter(date: string): string {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCMonth(next.getUTCMonth() + 1);
  return next.toISOString().slice(0, 10);
}

function titleCase(name: string): string {
  return name.toLowerCase().replace(/(^|\s)(\p{L})/gu, (_match, space: string, letter: string) => space + letter.toUpperCase());
}
