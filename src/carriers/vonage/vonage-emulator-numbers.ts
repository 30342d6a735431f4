import type { EmulatorRequest, EmulatorResponse } from "../emulator-kit/carrier-emulator.js";
import { COUNTRY, VONAGE_SUCCESS, formFields, queryNameProblem, vonageBadRequest, vonageStatusResponse } from "./vonage-emulator-common.js";
import type { VonageStockedNumber } from "./vonage-emulator-inventory.js";
import type { VonageAccountNumber } from "./vonage-emulator-owned.js";

/** What POST /number/buy and /number/cancel act on. */
export interface VonageNumberBook {
  /** The account's own API key: `target_api_key` may name only it (the emulated account has no subaccounts). */
  readonly apiKey: string;
  readonly stockByMsisdn: ReadonlyMap<string, VonageStockedNumber>;
  /** The account's numbers by msisdn, in the order it got them. */
  readonly owned: Map<string, VonageAccountNumber>;
  /** Every successful purchase, E.164, in order. */
  readonly purchases: string[];
  isForSale(number: VonageStockedNumber): boolean;
}

const NUMBER_DETAILS_FIELDS = ["country", "msisdn", "target_api_key"];

/**
 * The `number-details` form (country and msisdn required, target_api_key optional): fields only from a form body,
 * none unknown or repeated; the query carries nothing but the legacy credentials.
 */
function readNumberDetails(request: EmulatorRequest, book: VonageNumberBook): { country: string; msisdn: string } | EmulatorResponse {
  const queryProblem = queryNameProblem(request.query, []);
  if (queryProblem) return queryProblem;
  const form = formFields(request.headers, request.body);
  for (const name of new Set(form.keys())) {
    if (!NUMBER_DETAILS_FIELDS.includes(name)) return vonageBadRequest(`unknown parameter: ${name}`);
    if (form.getAll(name).length > 1) return vonageBadRequest(`parameter given more than once: ${name}`);
  }
  const country = form.get("country");
  const msisdn = form.get("msisdn");
  if (country === null) return vonageBadRequest("missing parameter: country");
  if (msisdn === null) return vonageBadRequest("missing parameter: msisdn");
  if (!COUNTRY.test(country)) return vonageBadRequest("country must be an ISO 3166-1 alpha-2 code");
  // E.164 digits without the leading "+" (vonage.md, Basics).
  if (!/^[1-9][0-9]{6,14}$/.test(msisdn)) return vonageBadRequest("msisdn must be a number in E.164 format without a leading +");
  const target = form.get("target_api_key");
  if (target !== null && target !== book.apiKey) return methodFailed(420);
  return { country, msisdn };
}

/** 420 with the label of the official fixture for a refused number operation (vonage.md [V6]). */
function methodFailed(httpStatus: number): EmulatorResponse {
  return vonageStatusResponse(httpStatus, "420", "method failed");
}

/**
 * POST /number/buy: synchronous. Success puts the number on the account at once and answers
 * `{"error-code":"200","error-code-label":"success"}`; a number not for sale (unknown, held elsewhere, already owned,
 * or not in the country named) is HTTP 420 "Action failed", as the spec declares for this operation.
 */
export function buyNumber(request: EmulatorRequest, book: VonageNumberBook): EmulatorResponse {
  const details = readNumberDetails(request, book);
  if ("status" in details) return details;
  const number = book.stockByMsisdn.get(details.msisdn);
  if (!number || number.country !== details.country || !book.isForSale(number)) return methodFailed(420);
  book.owned.set(number.msisdn, { msisdn: number.msisdn, country: number.country, type: number.type, features: number.features });
  book.purchases.push(number.e164);
  return VONAGE_SUCCESS();
}

/**
 * POST /number/cancel: synchronous; the number is for sale again at once. The spec declares only 200 and 401 for this
 * operation, and the official fixture for cancelling a number the account does not hold is the body
 * `{"error-code":"420","error-code-label":"method failed"}`: so that refusal comes with HTTP 200, the error in the body.
 */
export function cancelNumber(request: EmulatorRequest, book: VonageNumberBook): EmulatorResponse {
  const details = readNumberDetails(request, book);
  if ("status" in details) return details;
  const owned = book.owned.get(details.msisdn);
  if (!owned || owned.country !== details.country) return methodFailed(200);
  book.owned.delete(details.msisdn);
  return VONAGE_SUCCESS();
}
