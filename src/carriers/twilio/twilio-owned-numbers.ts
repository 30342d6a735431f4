import { z } from "zod";
import type { CarrierCallOptions } from "../../domain/carrier-adapter.js";
import { CarrierError } from "../../domain/carrier-error.js";
import type { CarrierHttpClient } from "../kit/carrier-http-client.js";
import { parseJsonBody } from "../kit/response-body.js";
import { twilioErrorFromResponse } from "./twilio-error.js";

/** Only what numbergate reads from an IncomingPhoneNumber. */
export const twilioIncomingNumberSchema = z.object({ sid: z.string(), phone_number: z.string(), friendly_name: z.string().nullish() });
export type TwilioIncomingNumber = z.infer<typeof twilioIncomingNumberSchema>;

const incomingNumbersPageSchema = z.object({
  incoming_phone_numbers: z.array(twilioIncomingNumberSchema),
  next_page_uri: z.string().nullish(),
});

/** Twilio's default page size: the lists numbergate reads are filtered down to an order's numbers. */
const PAGE_SIZE = 50;
/** Pages followed before giving up; a filtered list this long is not what numbergate asks for. */
const MAX_PAGES = 20;

export interface IncomingNumbersFilter {
  /** Full or partial number (E.164). */
  readonly PhoneNumber?: string;
  /** Exact friendly name. */
  readonly FriendlyName?: string;
}

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
  const listPath = `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers.json`;
  const numbers: TwilioIncomingNumber[] = [];
  let next: { path: string; query: Record<string, string> } | undefined = { path: listPath, query: { ...filter, PageSize: String(PAGE_SIZE) } };
  for (let pages = 0; next !== undefined; pages += 1) {
    if (pages === MAX_PAGES) {
      throw new CarrierError({ kind: "carrier_server", carrierId: "twilio", operation, message: `twilio listed more than ${MAX_PAGES} pages of numbers`, requestMayHaveReachedCarrier: true });
    }
    const response = await api.request({ method: "GET", path: next.path, query: next.query, operation, signal: options.signal });
    if (response.status !== 200) throw twilioErrorFromResponse(response, operation);
    const page = parseJsonBody(response, incomingNumbersPageSchema, "twilio", operation);
    numbers.push(...page.incoming_phone_numbers);
    next = page.next_page_uri ? followable(page.next_page_uri, listPath, operation) : undefined;
  }
  return numbers;
}

/**
 * A next_page_uri as a request below the API base URL. It must stay on the list being read: a uri elsewhere
 * (another host or resource) is a broken answer, never followed with numbergate's credentials.
 */
function followable(uri: string, listPath: string, operation: string): { path: string; query: Record<string, string> } {
  const parsed = new URL(uri, "https://api.twilio.invalid");
  if (parsed.origin !== "https://api.twilio.invalid" || parsed.pathname !== listPath) {
    throw new CarrierError({ kind: "carrier_server", carrierId: "twilio", operation, message: "twilio sent a next page outside the list being read", requestMayHaveReachedCarrier: true });
  }
  return { path: parsed.pathname, query: Object.fromEntries(parsed.searchParams) };
}
