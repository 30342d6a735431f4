import { PriceTable } from "../config/price-table.js";
import type { CarrierOperation } from "../domain/carrier-operation.js";
import type { AvailableNumberOffer, CarrierId } from "../domain/numbers.js";
import { CarrierUnavailableError, NoEligibleCarrierError } from "../domain/service-errors.js";
import { isUsableOffer, problemsToError, recordProblem, type Problems } from "./carrier-problems.js";
import type { AvailabilityQuery, AvailabilityResult, CacheSettings, SearchNumbersQuery, SearchNumbersResult } from "./manager-queries.js";

export type { AvailabilityQuery, AvailabilityResult, CacheSettings, SearchNumbersQuery, SearchNumbersResult } from "./manager-queries.js";
import { AnswerCache } from "./answer-cache.js";
import { HealthMonitor } from "./carrier-health.js";
import { directInvoker, type CarrierInvoker } from "./carrier-invoker.js";
import { checkEligibility, findRegistration, orderByPriority, type CarrierRegistration, type EligibilityQuestion } from "./carrier-registry.js";
import { orderForRouting } from "./carrier-selection.js";
import { judgePrice, priceOffer } from "./offer-pricing.js";
import { ProviderMetrics } from "./provider-metrics.js";
import { answeredOutcome, skippedOutcome, unavailableOutcome, type ProviderOutcome } from "./provider-outcome.js";
import { answerCovers, availabilityKey, searchKey, type CarrierSearchAnswer } from "./search-keys.js";
import { SlowStart } from "./slow-start.js";

export interface ProviderManagerOptions {
  readonly registrations: readonly CarrierRegistration[];
  readonly priceTable?: PriceTable;
  readonly invoker?: CarrierInvoker;
  readonly health?: HealthMonitor;
  readonly metrics?: ProviderMetrics;
  readonly breakerRetryAfterMs?: (carrierId: CarrierId) => number | undefined;
  readonly cache?: CacheSettings;
  /** Which of these numbers a numbergate client holds (reserved or being bought): hidden from everyone else. */
  readonly heldNumbers?: (e164s: readonly string[]) => Promise<ReadonlySet<string>>;
  readonly random?: () => number;
  readonly now?: () => number;
}

const NO_CACHE: CacheSettings = { searchTtlMs: 0, searchStaleTtlMs: 0, availabilityTtlMs: 0 };
type AvailabilityAnswer = { readonly offer: AvailableNumberOffer | undefined };

/** Chooses carriers for each request, asks them in order, merges what they answer, and caches it. */
export class ProviderManager {
  readonly health: HealthMonitor;
  readonly metrics: ProviderMetrics;
  readonly #registrations: readonly CarrierRegistration[];
  readonly #priceTable: PriceTable;
  readonly #invoker: CarrierInvoker;
  readonly #breakerRetryAfterMs: (carrierId: CarrierId) => number | undefined;
  readonly #searchCache: AnswerCache<CarrierSearchAnswer>;
  readonly #availabilityCache: AnswerCache<AvailabilityAnswer>;
  readonly #random: () => number;
  readonly #now: () => number;
  readonly #heldNumbers: (e164s: readonly string[]) => Promise<ReadonlySet<string>>;

  constructor(options: ProviderManagerOptions) {
    this.#heldNumbers = options.heldNumbers ?? (async () => new Set());
    this.#registrations = orderByPriority(options.registrations);
    this.#priceTable = options.priceTable ?? new PriceTable();
    this.#invoker = options.invoker ?? directInvoker;
    this.#now = options.now ?? (() => Date.now());
    this.#random = options.random ?? Math.random;
    this.#breakerRetryAfterMs = options.breakerRetryAfterMs ?? (() => undefined);
    this.metrics = options.metrics ?? new ProviderMetrics(300_000, this.#now);
    this.health =
      options.health ??
      new HealthMonitor({
        carriers: this.#registrations.map((registration) => ({ carrierId: registration.adapter.descriptor.id, enabled: registration.enabled })),
        windowMs: 3_600_000,
        slowStart: new SlowStart(0, this.#now),
        now: this.#now,
      });
    const cache = options.cache ?? NO_CACHE;
    this.#searchCache = new AnswerCache({ ttlMs: cache.searchTtlMs, staleTtlMs: cache.searchStaleTtlMs, maxEntries: 10_000, now: this.#now });
    this.#availabilityCache = new AnswerCache({ ttlMs: cache.availabilityTtlMs, staleTtlMs: 0, maxEntries: 50_000, now: this.#now });
  }

  get registrations(): readonly CarrierRegistration[] {
    return this.#registrations;
  }

  /**
   * Asks routable carriers in order until `limit` numbers are found, filling from the next; dedupes by
   * E.164, prices and filters by price. Serves cached answers while fresh, and stale ones (flagged) when
   * every carrier fails.
   */
  async searchNumbers(query: SearchNumbersQuery, signal?: AbortSignal): Promise<SearchNumbersResult> {
    const { ordered, outcomes } = this.#select({ ...query.criteria, carrierIds: query.carrierIds }, (registration) =>
      registration.adapter.supportsSearch({ ...query.criteria, limit: query.limit }),
    );
    const numbers: AvailableNumberOffer[] = [];
    const seen = new Set<string>();
    const warnings: string[] = [];
    const problems: Problems = { failures: [], unavailable: [] };
    const staleFallbacks: { carrierId: CarrierId; answer: CarrierSearchAnswer }[] = [];
    let answered = 0;

    const take = async (carrierId: CarrierId, answer: CarrierSearchAnswer, remaining: number) => {
      let excludedUnknownPrice = 0;
      let excludedOverPrice = 0;
      let added = 0;
      const held = await this.#heldNumbers(answer.offers.map((offer) => offer.phoneNumber));
      for (const rawOffer of answer.offers) {
        if (added >= remaining) break;
        const offer = priceOffer(rawOffer, this.#priceTable);
        if (!isUsableOffer(offer, query.criteria) || seen.has(offer.phoneNumber) || held.has(offer.phoneNumber)) continue;
        const verdict = judgePrice(offer, query.maxMonthlyRateCents);
        if (verdict === "unknown") excludedUnknownPrice += 1;
        else if (verdict === "over") excludedOverPrice += 1;
        else {
          seen.add(offer.phoneNumber);
          numbers.push(offer);
          added += 1;
        }
      }
      warnings.push(...answer.warnings.map((warning) => `${carrierId}: ${warning}`));
      return { numbersReturned: added, excludedUnknownPrice, excludedOverPrice };
    };

    for (const registration of ordered) {
      const carrierId = registration.adapter.descriptor.id;
      const remaining = query.limit - numbers.length;
      if (remaining <= 0) {
        outcomes.set(carrierId, skippedOutcome(carrierId, "enough numbers were found at higher-priority carriers"));
        continue;
      }
      const key = searchKey(carrierId, query.criteria);
      const cached = this.#searchCache.get(key);
      if (cached?.fresh && answerCovers(cached.value, remaining)) {
        this.metrics.recordCacheLookup(carrierId, true);
        answered += 1;
        outcomes.set(carrierId, { ...answeredOutcome(carrierId, { ...(await take(carrierId, cached.value, remaining)), durationMs: 0 }), fromCache: true });
        continue;
      }
      this.metrics.recordCacheLookup(carrierId, false);
      const started = this.#now();
      // Ask for extra numbers to cover ones already found elsewhere: carriers' stocks overlap.
      const limitAsked = remaining + seen.size;
      try {
        const answer = await this.#searchCache.load(
          key,
          () =>
            this.#invoke(carrierId, "search", signal, (callSignal) =>
              registration.adapter.doSearch({ ...query.criteria, limit: limitAsked }, { signal: callSignal }),
            ).then((result) => ({ offers: result.numbers, warnings: result.warnings, limitAsked })),
          `${key}|${limitAsked}`,
        );
        answered += 1;
        outcomes.set(carrierId, answeredOutcome(carrierId, { ...(await take(carrierId, answer, remaining)), durationMs: this.#now() - started }));
      } catch (error) {
        outcomes.set(carrierId, recordProblem(problems, error, carrierId, this.#now() - started));
        if (cached) staleFallbacks.push({ carrierId, answer: cached.value });
      }
    }

    if (answered === 0 && staleFallbacks.length > 0) {
      for (const { carrierId, answer } of staleFallbacks) {
        const counts = await take(carrierId, answer, query.limit - numbers.length);
        outcomes.set(carrierId, { ...(outcomes.get(carrierId) ?? skippedOutcome(carrierId, "")), ...counts, fromCache: true, stale: true });
      }
      warnings.push("every carrier failed: these results are from numbergate's cache and may be out of date");
      return { numbers, outcomes: this.#inConfiguredOrder(outcomes), warnings };
    }
    if (answered === 0) throw problemsToError(problems, outcomes);
    return { numbers, outcomes: this.#inConfiguredOrder(outcomes), warnings };
  }

  /** Asks carriers in order whether they sell this number now; stops at the first that does. */
  async checkAvailability(query: AvailabilityQuery, signal?: AbortSignal): Promise<AvailabilityResult> {
    const { number } = query;
    const { ordered, outcomes } = this.#select({
      countryCode: number.countryCode ?? "",
      numberType: number.numberType ?? "local",
      features: [],
      carrierIds: query.carrierId ? [query.carrierId] : [],
    });
    const problems: Problems = { failures: [], unavailable: [] };
    let answered = 0;
    let offer: AvailableNumberOffer | undefined;
    for (const registration of ordered) {
      const carrierId = registration.adapter.descriptor.id;
      if (offer) {
        outcomes.set(carrierId, skippedOutcome(carrierId, "a higher-priority carrier has the number"));
        continue;
      }
      const key = availabilityKey(carrierId, number.e164);
      const cached = this.#availabilityCache.get(key);
      this.metrics.recordCacheLookup(carrierId, cached?.fresh === true);
      const started = this.#now();
      try {
        const answer =
          cached?.fresh === true
            ? cached.value
            : await this.#availabilityCache.load(key, () =>
                this.#invoke(carrierId, "check_availability", signal, (callSignal) =>
                  registration.adapter.doCheckAvailability(number, { signal: callSignal }),
                ).then((found) => ({ offer: found })),
              );
        answered += 1;
        const held = answer.offer ? await this.#heldNumbers([answer.offer.phoneNumber]) : new Set<string>();
        offer = answer.offer && !held.has(answer.offer.phoneNumber) ? priceOffer(answer.offer, this.#priceTable) : undefined;
        const counts = { numbersReturned: offer ? 1 : 0, excludedUnknownPrice: 0, excludedOverPrice: 0, durationMs: cached?.fresh ? 0 : this.#now() - started };
        outcomes.set(carrierId, { ...answeredOutcome(carrierId, counts, offer ? "available" : "not available"), fromCache: cached?.fresh === true });
      } catch (error) {
        outcomes.set(carrierId, recordProblem(problems, error, carrierId, this.#now() - started));
      }
    }
    if (answered === 0) throw problemsToError(problems, outcomes);
    return { offer, outcomes: this.#inConfiguredOrder(outcomes) };
  }

  /** Drops a number from cached search and availability answers at once (it was reserved or bought). */
  forgetNumber(e164: string): void {
    this.#searchCache.rewrite((answer) =>
      answer.offers.some((offer) => offer.phoneNumber === e164)
        ? { ...answer, offers: answer.offers.filter((offer) => offer.phoneNumber !== e164) }
        : answer,
    );
    this.#availabilityCache.rewrite((answer) => (answer.offer?.phoneNumber === e164 ? undefined : answer));
  }

  /**
   * Calls one named carrier through its pipeline (purchases, reservations, releases go to the carrier that
   * owns the number: no failover). Refuses a disabled carrier without calling it, and a drained one unless
   * the call finishes work already in flight there (`evenWhenDrained`: looking up a sent order or release).
   */
  async callCarrier<Result>(
    carrierId: string,
    operation: CarrierOperation,
    call: (adapter: CarrierRegistration["adapter"], signal: AbortSignal | undefined) => Promise<Result>,
    signal?: AbortSignal,
    options: { readonly evenWhenDrained?: boolean } = {},
  ): Promise<Result> {
    const registration = findRegistration(this.#registrations, carrierId);
    if (!registration?.enabled) throw new CarrierUnavailableError(carrierId, `${carrierId} is not enabled`);
    const id = registration.adapter.descriptor.id;
    if (!options.evenWhenDrained && this.health.isDrained(id)) throw new CarrierUnavailableError(carrierId, `${carrierId} is drained by SetProviderEnabled`);
    return this.#invoke(id, operation, signal, (callSignal) => call(registration.adapter, callSignal));
  }

  /** What numbergate last heard a carrier offer for this number (locality, capabilities, price), if cached. */
  knownOffer(carrierId: string, e164: string): AvailableNumberOffer | undefined {
    const fromAvailability = this.#availabilityCache.find((answer) => answer.offer?.phoneNumber === e164 && answer.offer.carrierId === carrierId)?.offer;
    const offer =
      fromAvailability ??
      this.#searchCache.find((answer) => answer.offers.some((candidate) => candidate.phoneNumber === e164 && candidate.carrierId === carrierId))?.offers.find((candidate) => candidate.phoneNumber === e164);
    return offer ? priceOffer(offer, this.#priceTable) : undefined;
  }

  /** The operator's price for a carrier, country and number type. */
  priceFor(carrierId: CarrierId, countryCode: string, numberType: AvailableNumberOffer["numberType"]) {
    return this.#priceTable.priceOf(carrierId, countryCode, numberType);
  }

  /** Drains (false) or re-enables (true) a configured carrier. */
  setEnabled(carrierId: string, enabled: boolean): CarrierRegistration | undefined {
    const registration = findRegistration(this.#registrations, carrierId);
    if (registration) this.health.setDrained(registration.adapter.descriptor.id, !enabled);
    return registration;
  }

  async close(): Promise<void> {
    await Promise.all(this.#registrations.map((registration) => registration.adapter.close()));
  }

  #invoke<Result>(carrierId: CarrierId, operation: CarrierOperation, signal: AbortSignal | undefined, call: (signal: AbortSignal | undefined) => Promise<Result>): Promise<Result> {
    return this.#invoker.invoke(carrierId, operation, call, { signal });
  }

  /** Eligible carriers in routing order, and a skipped outcome for every other one. */
  #select(
    question: EligibilityQuestion,
    supports?: (registration: CarrierRegistration) => { supported: boolean; reason?: string },
  ): { ordered: CarrierRegistration[]; outcomes: Map<CarrierId, ProviderOutcome> } {
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
    const { ordered, skipped } = orderForRouting(eligible, { health: this.health, breakerRetryAfterMs: this.#breakerRetryAfterMs, random: this.#random });
    for (const [carrierId, reason] of skipped) outcomes.set(carrierId, unavailableOutcome(carrierId, reason));
    return { ordered, outcomes };
  }

  #inConfiguredOrder(outcomes: Map<CarrierId, ProviderOutcome>): readonly ProviderOutcome[] {
    return this.#registrations.flatMap((registration) => outcomes.get(registration.adapter.descriptor.id) ?? []);
  }
}
