import { json, type EmulatorResponse } from "../emulator-kit/carrier-emulator.js";
import { TWILIO_INVALID_PARAMETER, twilioErrorResponse } from "./twilio-emulator-common.js";

/** One IncomingPhoneNumber of the emulated account. */
export interface TwilioOwnedNumber {
  readonly sid: string;
  readonly friendlyName: string;
  /** RFC 2822, as the 2010 API writes dates; absent for numbers a test put on the account by hand. */
  readonly dateCreated?: string;
}

/** "The default is 50, and the maximum is 1000" (PageSize of the list operations). */
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;
/** Filters kept, in Twilio's order, in the list's own uri, first_page_uri and next_page_uri. */
const FILTERS = ["FriendlyName", "Beta", "PhoneNumber", "Origin"] as const;

export interface OwnedListContext {
  readonly path: string;
  readonly query: URLSearchParams;
  /** The account's numbers by E.164, in purchase order. */
  readonly owned: ReadonlyMap<string, TwilioOwnedNumber>;
  /** Purchase position of every sid ever issued, so a page token stays valid when its number is released. */
  readonly positionOf: (sid: string) => number | undefined;
  readonly describe: (e164: string, owned: TwilioOwnedNumber) => Record<string, unknown>;
}

/**
 * GET IncomingPhoneNumbers.json: filtered by PhoneNumber (full or partial, `*` any digit) and FriendlyName, in
 * pages of PageSize. PageToken is the server's cursor (PA{sid}: after that number, PB{sid}: before it); Page is
 * only echoed back, as the spec says it "is simply for client state". The answer carries Twilio's page fields,
 * with next_page_uri and previous_page_uri relative to the API host and null at either end.
 */
export function listOwnedNumbers(context: OwnedListContext): EmulatorResponse {
  const { query } = context;
  const pageSize = integerParameter(query.get("PageSize"), DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
  const page = integerParameter(query.get("Page"), 0, 0, Number.MAX_SAFE_INTEGER);
  if (pageSize === undefined) return twilioErrorResponse(400, TWILIO_INVALID_PARAMETER, `PageSize must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  if (page === undefined) return twilioErrorResponse(400, TWILIO_INVALID_PARAMETER, "Page must be a non-negative integer");

  const phoneNumber = query.get("PhoneNumber");
  const phoneMatcher = phoneNumber === null ? undefined : partialNumberMatcher(phoneNumber);
  const friendlyName = query.get("FriendlyName");
  const origin = query.get("Origin");
  const matching = [...context.owned.entries()]
    .filter(([e164]) => !phoneMatcher || phoneMatcher.test(e164))
    .filter(([, owned]) => friendlyName === null || owned.friendlyName === friendlyName)
    // Every emulated number was bought from Twilio, none is hosted.
    .filter(() => origin === null || origin === "twilio")
    .map(([e164, owned]) => ({ e164, owned, position: context.positionOf(owned.sid) ?? Number.MAX_SAFE_INTEGER }))
    .sort((left, right) => left.position - right.position);

  const token = query.get("PageToken");
  let onPage: typeof matching;
  if (token === null) {
    onPage = matching.slice(0, pageSize);
  } else {
    const cursor = /^P([AB])(PN[0-9a-fA-F]{32})$/.exec(token);
    const position = cursor?.[2] === undefined ? undefined : context.positionOf(cursor[2]);
    if (!cursor || position === undefined) return twilioErrorResponse(400, TWILIO_INVALID_PARAMETER, "PageToken is invalid");
    onPage = cursor[1] === "A" ? matching.filter((entry) => entry.position > position).slice(0, pageSize) : matching.filter((entry) => entry.position < position).slice(-pageSize);
  }
  const first = onPage[0];
  const last = onPage.at(-1);
  const hasNext = last !== undefined && matching.some((entry) => entry.position > last.position);
  const hasPrevious = first !== undefined && page > 0 && matching.some((entry) => entry.position < first.position);
  const uriOf = (pageIndex: number, pageToken: string | undefined): string => {
    const parameters = new URLSearchParams();
    for (const name of FILTERS) {
      const value = query.get(name);
      if (value !== null) parameters.set(name, value);
    }
    parameters.set("PageSize", String(pageSize));
    parameters.set("Page", String(pageIndex));
    if (pageToken !== undefined) parameters.set("PageToken", pageToken);
    return `${context.path}?${parameters.toString()}`;
  };
  const start = page * pageSize;
  return json(200, {
    end: start + Math.max(onPage.length - 1, 0),
    first_page_uri: uriOf(0, undefined),
    incoming_phone_numbers: onPage.map((entry) => context.describe(entry.e164, entry.owned)),
    next_page_uri: hasNext && last ? uriOf(page + 1, `PA${last.owned.sid}`) : null,
    page,
    page_size: pageSize,
    previous_page_uri: hasPrevious && first ? uriOf(page - 1, `PB${first.owned.sid}`) : null,
    start,
    uri: uriOf(page, token ?? undefined),
  });
}

function integerParameter(raw: string | null, fallback: number, min: number, max: number): number | undefined {
  if (raw === null) return fallback;
  if (!/^[0-9]+$/.test(raw)) return undefined;
  const value = Number(raw);
  return value >= min && value <= max ? value : undefined;
}

/** "You can specify partial numbers and use '*' as a wildcard for any digit": a match anywhere in the E.164 number. */
function partialNumberMatcher(filter: string): RegExp {
  const source = [...filter].map((character) => (character === "*" ? "[0-9]" : character.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join("");
  return new RegExp(source);
}
