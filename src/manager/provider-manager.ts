import { PriceTable } from "../config/price-table.js";
import { CarrierError } from "../domain/carrier-error.js";
import type { ParsedPhoneNumber } from "../domain/phone-number.js";
import { isValidE164 } from "../domain/phone-number.js";
import type { AvailableNumberOffer, CarrierId, NumberSearchCriteria } from "../domain/numbers.js";
import { AllCarriersFailedError, NoEligibleCarrierError } from "../domain/service-errors.js";
import { directInvoker, type CarrierInvoker } from "./carrier-invoker.js";
import { checkEligibility, orderByPriority, type CarrierRegistration, type EligibilityQuestion } from "./carrier-registry.js";
import { judgePrice, priceOffer } from "./offer-pricing.js";
import { answeredOutcome, failedOutcome, skippedOutcome, type ProviderOutcome } from "./provider-outcome.js";

export interface SearchNumbersQuery {
  readonly criteria: Omit<NumberSearchCriteria, "limit">;
  /** Total numbers wanted across carriers. */
  readonly limit: number;
  readonly maxMonthlyRateCents?: number;
  readonly carrierIds: readonly string[];
}

export interface SearchNumbersResult {
  readonly numbers: readonly AvailableNumberOffer[];
  readonly outcomes: readonly ProviderOutcome[];
  readonly warnings: readonly string[];
}

export interface AvailabilityQuery {
  readonly number: ParsedPhoneNumber;
  /** Only this carrier when set. */
  readonly carrierId?: string;
}

export interface AvailabilityResult {
  readonly offer: AvailableNumberOffer | undefined;
  readonly outcomes: readonly ProviderOutcome[];
}

export interface ProviderManagerOptions {
  readonly registrations: readonly CarrierRegistration[];
  readonly priceTable?: PriceTable;
  readonly invoker?: CarrierInvoker;
  readonly now?: () => number;
}

/** Chooses carriers for each request, asks them in priority order, and merges what they answer. */
export class ProviderManager {
  readonly #registrations: readonly CarrierRegistration[];
  readonly #priceTable: PriceTable;
  readonly #invoker: CarrierInvoker;
  readonly #now: () => number;

  constructor(options: ProviderManagerOptions) {
    this.#registrations = orderByPriority(options.registrations);
    this.#priceTable = options.priceTable ?? new PriceTable();
    this.#invoker = options.invoker ?? directInvoker;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Configured carriers in priority order. */
  get registrations(): readonly CarrierRegistration[] {
    return this.#registrations;
  }

  /**
   * Asks eligible carriers in priority order until `limit` numbers are found: the first carrier, then
   * the next to fill what is missing. Numbers are deduplicated by E.164, priced and filtered by price.
   */
  async searchNumbers(query: SearchNumbersQuery, signal?: AbortSignal): Promise<SearchNumbersResult> {
    const { eligible, outcomes } = this.#select({ ...query.criteria, carrierIds: query.carrierIds }, (registration) =>
      registration.adapter.supportsSearch({ ...query.criteria, limit: query.limit }),
    );
    const numbers: AvailableNumberOffer[] = [];
    const seen = new Set<string>();
    const warnings: string[] = [];
    const failures: CarrierError[] = [];
    let answered = 0;

    for (const registration of eligible) {
      const carrierId = registration.adapter.descriptor.id;
      const remaining = query.limit - numbers.length;
      if (remaining <= 0) {
        outcomes.set(carrierId, skippedOutcome(carrierId, "enough numbers were found at higher-priority carriers"));
        continue;
      }
      const started = this.#now();
      try {
        const result = await this.#invoker.invoke(
          carrierId,
          "search",
          // Ask for extra numbers to cover ones already found elsewhere: carriers' stocks overlap.
          (callSignal) => registration.adapter.doSearch({ ...query.criteria, limit: remaining + seen.size }, { signal: callSignal }),
          { signal },
        );
        answered += 1;
        warnings.push(...result.warnings.map((warning) => `${carrierId}: ${warning}`));
        let excludedUnknownPrice = 0;
        let excludedOverPrice = 0;
        let added = 0;
        for (const rawOffer of result.numbers) {
          if (added >= remaining) break;
          const offer = priceOffer(rawOffer, this.#priceTable);
          if (!isUsableOffer(offer, query.criteria) || seen.has(offer.phoneNumber)) continue;
          const verdict = judgePrice(offer, query.maxMonthlyRateCents);
          if (verdict === "unknown") excludedUnknownPrice += 1;
          else if (verdict === "over") excludedOverPrice += 1;
          else {
            seen.add(offer.phoneNumber);
            numbers.push(offer);
            added += 1;
          }
        }
        const durationMs = this.#now() - started;
        outcomes.set(carrierId, answeredOutcome(carrierId, { numbersReturned: added, excludedUnknownPrice, excludedOverPrice, durationMs }));
      } catch (error) {
        if (!CarrierError.is(error)) throw error;
        failures.push(error);
        outcomes.set(carrierId, failedOutcome(error, this.#now() - started));
      }
    }
    if (answered === 0 && failures.length > 0) throw failureOf(failures);
    return { numbers, outcomes: this.#inConfiguredOrder(outcomes), warnings };
  }

  /** Asks eligible carriers in priority order whether they sell this number now; stops at the first that does. */
  async checkAvailability(query: AvailabilityQuery, signal?: AbortSignal): Promise<AvailabilityResult> {
    const { number } = query;
    const { eligible, outcomes } = this.#select({
      countryCode: number.countryCode ?? "",
      numberType: number.numberType ?? "local",
      features: [],
      carrierIds: query.carrierId ? [query.carrierId] : [],
    });
    const failures: CarrierError[] = [];
    let answered = 0;
    let offer: AvailableNumberOffer | undefined;
    for (const registration of eligible) {
      const carrierId = registration.adapter.descriptor.id;
      if (offer) {
        outcomes.set(carrierId, skippedOutcome(carrierId, "a higher-priority carrier has the number"));
        continue;
      }
      const started = this.#now();
      try {
        const found = await this.#invoker.invoke(
          carrierId,
          "check_availability",
          (callSignal) => registration.adapter.doCheckAvailability(number, { signal: callSignal }),
          { signal },
        );
        answered += 1;
        offer = found ? priceOffer(found, this.#priceTable) : undefined;
        const durationMs = this.#now() - started;
        const detail = found ? "available" : "not available";
        outcomes.set(carrierId, answeredOutcome(carrierId, { numbersReturned: found ? 1 : 0, excludedUnknownPrice: 0, excludedOverPrice: 0, durationMs }, detail));
      } catch (error) {
        if (!CarrierError.is(error)) throw error;
        failures.push(error);
        outcomes.set(carrierId, failedOutcome(error, this.#now() - started));
      }
    }
    if (answered === 0 && failures.length > 0) throw failureOf(failures);
    return { offer, outcomes: this.#inConfiguredOrder(outcomes) };
  }

  async close(): Promise<void> {
    await Promise.all(this.#registrations.map((registration) => registration.adapter.close()));
  }

  /** Eligible carriers in priority order, and a skipped outcome for every other one. */
  #select(
    question: EligibilityQuestion,
    supports?: (registration: CarrierRegistration) => { supported: boolean; reason?: string },
  ): { eligible: CarrierRegistration[]; outcomes: Map<CarrierId, ProviderOutcome> } {
    const eligible: CarrierRegistration[] = [];
    const outcomes = new Map<CarrierId, ProviderOutcome>();
    for (const registration of this.#registrations) {
      const carrierId = registration.adapter.descriptor.id;
      const eligibility = checkEligibility(registration, question);
      const support = eligibility.eligible ? supports?.(registration) : undefined;
      if (!eligibility.eligible) outcomes.set(carrierId, skippedOutcome(carrierId, eligibility.reason));
      else if (support && !support.supported) outcomes.set(carrierId, skippedOutcome(carrierId, support.reason ?? "cannot serve this request"));
      else eligible.push(registration);
    }
    if (eligible.length === 0) {
      const skipped = new Map([...outcomes].map(([carrierId, outcome]) => [carrierId, outcome.detail]));
      const reasons = [...skipped].map(([carrierId, detail]) => `${carrierId} ${detail}`).join("; ");
      throw new NoEligibleCarrierError(`no enabled carrier can serve this request: ${reasons}`, skipped);
    }
    return { eligible, outcomes };
  }

  #inConfiguredOrder(outcomes: Map<CarrierId, ProviderOutcome>): readonly ProviderOutcome[] {
    return this.#registrations.flatMap((registration) => outcomes.get(registration.adapter.descriptor.id) ?? []);
  }
}

/** A carrier's offer is used only if it is a valid number with the features the caller asked for. */
function isUsableOffer(offer: AvailableNumberOffer, criteria: SearchNumbersQuery["criteria"]): boolean {
  if (!isValidE164(offer.phoneNumber)) return false;
  return criteria.features.every((feature) => offer.capabilities.includes(feature));
}

function failureOf(failures: readonly CarrierError[]): Error {
  const [only] = failures;
  return failures.length === 1 && only ? only : new AllCarriersFailedError(failures);
}
