import { z } from "zod";
import type { CarrierCallOptions } from "../../domain/carrier-adapter.js";
import { CarrierError } from "../../domain/carrier-error.js";
import type { CarrierOwnedNumber, CarrierOwnedNumbersPage } from "../../domain/carrier-lifecycle.js";
import type { Capability, NumberType } from "../../domain/numbers.js";
import type { CarrierHttpClient } from "../kit/carrier-http-client.js";
import { parseJsonBody } from "../kit/response-body.js";
import { twilioErrorFromResponse } from "./twilio-error.js";

/** Only what numbergate reads from an IncomingPhoneNumber. */
export const twilioIncomingNumberSchema = z.object({
  sid: z.string(),
  phone_number: z.string(),
  friendly_name: z.string().nullish(),
  /** "The phone number type": local, toll-free or mobile. */
  type: z.string().nullish(),
  capabilities: z.object({ voice: z.boolean().nullish(), sms: z.boolean().nullish(), mms: z.boolean().nullish(), fax: z.boolean().nullish() }).nullish(),
});
export type TwilioIncomingNumber = z.infer<typeof twilioIncomingNumberSchema>;

const incomingNumbersPageSchema = z.object({
  incoming_phone_numbers: z.array(twilioIncomingNumberSchema),
  next_page_uri: z.string().nullish(),
});

/** Twilio's default page size: the lists numbergate reads are filtered down to an order's numbers. */
const PAGE_SIZE = 50;
/** "The default is 50, and the maximum is 1000" (PageSize of the list operations). */
const MAX_PAGE_SIZE = 1000;
/** Pages followed before giving up; a filtered list this long is not what numbergate asks for. */
const MAX_PAGES = 20;

export interface IncomingNumbersFilter {
  /** Full or partial number (E.164). */
  readonly PhoneNumber?: string;
  /** Exact friendly name. */
  readonly FriendlyName?: string;
}

/** An owned number as Twilio lists it: the account's own view, with the capabilities it reports. */
export interface TwilioOwnedNumber extends CarrierOwnedNumber {
  readonly capabilities: readonly Capability[];
}

export interface TwilioOwnedNumbersPage extends CarrierOwnedNumbersPage {
  readonly numbers: readonly TwilioOwnedNumber[];
}

const listPathOf = (accountSid: string) => `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers.json`;

/**
 * Every IncomingPhoneNumber matching the filter: GET IncomingPhoneNumbers.json, then each `next_page_uri`
 * (relative to the API host) until it is null, bounded by MAX_PAGES.
 */
export async function listTwilioIncomingNumbers(
  api: CarrierHttpClient,
  accountSid: string,
  filter: IncomingNumbersFilter,
  operation: string,
  options: CarrierCallOptions,
): Promise<readonly TwilioIncomingNumber[]> {
  const listPath = listPathOf(accountSid);
  const numbers: TwilioIncomingNumber[] = [];
  let next: { path: string; query: Record<string, string> } | undefined = { path: listPath, query: { ...filter, PageSize: String(PAGE_SIZE) } };
  for (let pages = 0; next !== undefined; pages += 1) {
    if (pages === MAX_PAGES) {
      throw new CarrierError({ kind: "carrier_server", carrierId: "twilio", operation, message: `twilio listed more than ${MAX_PAGES} pages of numbers`, requestMayHaveReachedCarrier: true });
    }
    const page = await fetchIncomingNumbersPage(api, next, operation, options);
    numbers.push(...page.incoming_phone_numbers);
    next = page.next_page_uri ? followable(page.next_page_uri, listPath, operation) : undefined;
  }
  return numbers;
}

/**
 * One page of the account's numbers, unfiltered: the first page when `pageToken` is absent, else the page its
 * token (a `next_page_uri` this function handed out) names. The token is opaque to callers.
 */
export async function listTwilioOwnedNumbersPage(
  api: CarrierHttpClient,
  accountSid: string,
  page: { readonly pageToken?: string; readonly pageSize: number },
  options: CarrierCallOptions,
): Promise<TwilioOwnedNumbersPage> {
  const operation = "list_owned";
  const listPath = listPathOf(accountSid);
  const pageSize = Math.min(Math.max(Math.trunc(page.pageSize), 1), MAX_PAGE_SIZE);
  let request: { path: string; query: Record<string, string> } | undefined = { path: listPath, query: { PageSize: String(pageSize) } };
  if (page.pageToken !== undefined) {
    request = belowList(page.pageToken, listPath);
    if (!request) throw new CarrierError({ kind: "invalid_request", carrierId: "twilio", operation, message: "not a page token of twilio's number list", requestMayHaveReachedCarrier: false });
  }
  const answer = await fetchIncomingNumbersPage(api, request, operation, options);
  const next = answer.next_page_uri ?? undefined;
  // Checked now: a next page elsewhere fails this page, and is never handed out as a token.
  if (next !== undefined) followable(next, listPath, operation);
  return { numbers: answer.incoming_phone_numbers.map(toOwnedNumber), nextPageToken: next };
}

async function fetchIncomingNumbersPage(api: CarrierHttpClient, request: { path: string; query: Record<string, string> }, operation: string, options: CarrierCallOptions) {
  const response = await api.request({ method: "GET", path: request.path, query: request.query, operation, signal: options.signal });
  if (response.status !== 200) throw twilioErrorFromResponse(response, operation);
  return parseJsonBody(response, incomingNumbersPageSchema, "twilio", operation);
}

function toOwnedNumber(number: TwilioIncomingNumber): TwilioOwnedNumber {
  const reported = number.capabilities ?? {};
  const capabilities = (["voice", "sms", "mms", "fax"] as const).filter((capability) => reported[capability] === true);
  return { e164: number.phone_number, carrierNumberId: number.sid, numberType: numberTypeOf(number.type), capabilities };
}

/** Twilio's `type` of an IncomingPhoneNumber ("local", "toll-free", "mobile"); anything else is not known. */
function numberTypeOf(type: string | null | undefined): NumberType | undefined {
  switch (type?.toLowerCase()) {
    case "local":
      return "local";
    case "toll-free":
    case "tollfree":
    case "toll_free":
      return "toll_free";
    case "mobile":
      return "mobile";
    default:
      return undefined;
  }
}

/**
 * A next_page_uri as a request below the API base URL. It must stay on the list being read: a uri elsewhere
 * (another host or resource) is a broken answer, never followed with numbergate's credentials.
 */
function followable(uri: string, listPath: string, operation: string): { path: string; query: Record<string, string> } {
  const request = belowList(uri, listPath);
  if (!request) {
    throw new CarrierError({ kind: "carrier_server", carrierId: "twilio", operation, message: "twilio sent a next page outside the list being read", requestMayHaveReachedCarrier: true });
  }
  return request;
}

/** A uri relative to the API host as a request, when it names the list being read; undefined otherwise. */
function belowList(uri: string, listPath: string): { path: string; query: Record<string, string> } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(uri, "https://api.twilio.invalid");
  } catch {
    return undefined;
  }
  if (parsed.origin !== "https://api.twilio.invalid" || parsed.pathname !== listPath) return undefined;
  return { path: parsed.pathname, query: Object.fromEntries(parsed.searchParams) };
}
