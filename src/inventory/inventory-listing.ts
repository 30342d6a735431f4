import { featureMethods, type CarrierAdapter } from "../domain/carrier-adapter.js";
import { CarrierError } from "../domain/carrier-error.js";
import type { CarrierOwnedNumber, CarrierOwnedNumbersPage } from "../domain/carrier-lifecycle.js";
import { CAPABILITIES, type Capability, type NumberType } from "../domain/numbers.js";
import { CarrierUnavailableError } from "../domain/service-errors.js";
import type { ProviderManager } from "../manager/provider-manager.js";
import type { Logger } from "../telemetry/logger.js";

/** A number on the carrier's account, as its own list says. */
export interface ListedNumber {
  readonly e164: string;
  readonly carrierNumberId: string;
  readonly numberType: NumberType | undefined;
  readonly capabilities: readonly Capability[];
}

/** The carrier's whole list, or why it could not be read whole (then nothing may be concluded from it). */
export type CarrierListing =
  | { readonly ok: true; readonly numbers: ReadonlyMap<string, ListedNumber>; readonly startedAt: number }
  | { readonly ok: false; readonly error: string };

export interface ListingLimits {
  /** Numbers asked per page. */
  readonly pageSize: number;
  /** Pages followed before the list counts as unreadable: a list that never ends is never taken as complete. */
  readonly maxPages: number;
}

/** Whether the carrier's adapter can list the account's numbers at all. */
export function canListOwnedNumbers(adapter: CarrierAdapter): boolean {
  return featureMethods(adapter, "inventory") !== undefined;
}

/**
 * Reads one carrier's list of the account's numbers page by page, each page one call through the carrier's
 * resilience pipeline (its timeout, retries, breaker and rate limit). Any page failing, a page token coming back
 * twice, or more than maxPages pages makes the whole listing unreadable: a partial list would make every
 * number after the failure look released.
 */
export async function listCarrierNumbers(
  manager: ProviderManager,
  carrierId: string,
  limits: ListingLimits,
  context: { readonly now: () => number; readonly logger: Logger; readonly signal: AbortSignal },
): Promise<CarrierListing> {
  const startedAt = context.now();
  const numbers = new Map<string, ListedNumber>();
  const seenTokens = new Set<string>();
  let pageToken: string | undefined;
  try {
    for (let pages = 0; ; pages += 1) {
      if (pages === limits.maxPages) return { ok: false, error: `${carrierId} listed more than ${limits.maxPages} pages of ${limits.pageSize} numbers; the list was not read to its end` };
      const page = await manager.callCarrier(carrierId, "list_owned", (adapter, signal) => listPage(adapter, carrierId, pageToken, limits.pageSize, signal), context.signal);
      for (const number of page.numbers) numbers.set(number.e164, toListed(number));
      if (page.nextPageToken === undefined) return { ok: true, numbers, startedAt };
      if (seenTokens.has(page.nextPageToken)) return { ok: false, error: `${carrierId} sent the same next page twice; the list was not read to its end` };
      seenTokens.add(page.nextPageToken);
      pageToken = page.nextPageToken;
    }
  } catch (error) {
    return { ok: false, error: describeListingFailure(carrierId, error, context) };
  }
}

function listPage(adapter: CarrierAdapter, carrierId: string, pageToken: string | undefined, pageSize: number, signal: AbortSignal | undefined): Promise<CarrierOwnedNumbersPage> {
  const page = featureMethods(adapter, "inventory")?.doListOwnedNumbers(pageToken === undefined ? { pageSize } : { pageToken, pageSize }, { signal });
  if (!page) throw new CarrierUnavailableError(carrierId, `${carrierId} cannot list its numbers`);
  return page;
}

/** Our own words for why a listing failed: carrier errors already are; anything else is logged and summarised. */
function describeListingFailure(carrierId: string, error: unknown, context: { readonly logger: Logger; readonly signal: AbortSignal }): string {
  if (context.signal.aborted) return "the reconciliation was stopped before the list was read (numbergate is shutting down)";
  if (CarrierError.is(error) || error instanceof CarrierUnavailableError) return error.message;
  context.logger.error({ err: error, carrier: carrierId }, "listing the carrier's numbers failed unexpectedly");
  return `listing ${carrierId}'s numbers failed unexpectedly (the server log has the details)`;
}

function toListed(number: CarrierOwnedNumber): ListedNumber {
  return { e164: number.e164, carrierNumberId: number.carrierNumberId, numberType: number.numberType, capabilities: listedCapabilities(number) };
}

/** The capabilities the carrier's list reports for a number, when it reports them. */
function listedCapabilities(number: CarrierOwnedNumber): readonly Capability[] {
  return CAPABILITIES.filter((capability) => number.capabilities?.includes(capability) ?? false);
}
