import { PriceTable } from "../config/price-table.js";
import { declarationProblems, offeredFeatures, type CarrierFeature } from "../domain/carrier-adapter.js";
import type { CarrierOperation } from "../domain/carrier-operation.js";
import type { CarrierReadObserver } from "../domain/carrier-calls.js";
import type { AvailableNumberOffer, CarrierId } from "../domain/numbers.js";
import { CarrierUnavailableError, NoEligibleCarrierError } from "../domain/service-errors.js";
import type { AvailabilityQuery, AvailabilityResult, CacheSettings, SearchNumbersQuery, SearchNumbersResult } from "./manager-queries.js";

export type { AvailabilityQuery, AvailabilityResult, CacheSettings, SearchNumbersQuery, SearchNumbersResult } from "./manager-queries.js";
import { AnswerCache } from "./answer-cache.js";
import { checkCarriers, type AvailabilityAnswer } from "./availability-check.js";
import { HealthMonitor } from "./carrier-health.js";
import { directInvoker, type CarrierInvoker } from "./carrier-invoker.js";
import { isEquivalentOffer, substituteSearch, type SubstitutionTarget } from "./equivalent-numbers.js";
import { checkEligibility, findRegistration, orderByPriority, type CarrierRegistration, type EligibilityQuestion } from "./carrier-registry.js";
import { planRoute, type RoutePlan } from "./carrier-selection.js";
import { hedgeAfterRecentLatency, type HedgeDelay } from "./hedging.js";
import { searchCarriers } from "./number-search.js";
import { priceOffer } from "./offer-pricing.js";
import { ProviderMetrics } from "./provider-metrics.js";
import { skippedOutcome, unavailableOutcome, type ProviderOutcome } from "./provider-outcome.js";
import type { ReadContext } from "./read-context.js";
import type { CarrierSearchAnswer } from "./search-keys.js";
import { SearchSpan } from "./search-span.js";
import { SearchMemo } from "./search-memo.js";
import { SearchSupport } from "./search-support.js";
import { SlowStart } from "./slow-start.js";
import { NOOP_TRACER, type SpanStarter } from "../telemetry/tracing-noop.js";
import type { SelectionMode } from "./tier-order.js";

export type { SelectionMode } from "./tier-order.js";

export interface ProviderManagerOptions {
  readonly registrations: readonly CarrierRegistration[];
  readonly priceTable?: PriceTable;
  readonly invoker?: CarrierInvoker;
  readonly health?: HealthMonitor;
  readonly metrics?: ProviderMetrics;
  /** Told of every cache lookup and single-flight join of a read (the metrics' counters); nobody by default. */
  readonly reads?: CarrierReadObserver;
  readonly breakerRetryAfterMs?: (carrierId: CarrierId) => number | undefined;
  readonly cache?: CacheSettings;
  /**
   * The numbers held (reserved, being bought) or owned, a snapshot of the shared store: hidden from every search
   * and availability answer, cached or not. One object while it is current; none held by default.
   */
  readonly heldSnapshot?: () => Promise<ReadonlySet<string>>;
  /** When to hedge a read at the next carrier; by default after the carrier's recent p95 latency. */
  readonly hedgeDelay?: HedgeDelay;
  /** PROVIDER_SELECTION: how carriers of equal priority are ordered (see tier-order.ts); priority by default. */
  readonly selection?: SelectionMode;
  readonly random?: () => number;
  /** Where each search's `numbergate.search` span goes (see search-span.ts); the no-op tracer by default. */
  readonly tracer?: SpanStarter;
  /** Wall-clock epoch milliseconds (deadlines, cache TTLs). */
  readonly now?: () => number;
}

const NOTHING_HELD: ReadonlySet<string> = new Set();

const UNOBSERVED_READS: CarrierReadObserver = { cacheLookup: () => {}, singleFlightJoined: () => {} };

const NO_CACHE: CacheSettings = { searchTtlMs: 0, searchStaleTtlMs: 0, availabilityTtlMs: 0 };

/** Lifecycle operations that need a declared feature; reads, probes and reservations by local hold need none. */
const FEATURE_OF_OPERATION: Partial<Record<CarrierOperation, CarrierFeature>> = {
  purchase: "purchases",
  release: "releases",
  cancel_reservation: "reservations",
  portability: "portability",
  port_in: "porting",
  port_in_status: "porting",
};

/** Chooses carriers for each request, asks them tier by tier, merges what they answer, and caches it. */
export class ProviderManager {
  readonly health: HealthMonitor;
  readonly metrics: ProviderMetrics;
  /** Where an adapter's declared features and its methods disagree (see declarationProblems); empty when sound. */
  readonly declarationProblems: readonly string[];
  readonly #registrations: readonly CarrierRegistration[];
  readonly #offered: ReadonlyMap<CarrierId, ReadonlySet<CarrierFeature>>;
  readonly #priceTable: PriceTable;
  readonly #invoker: CarrierInvoker;
  readonly #breakerRetryAfterMs: (carrierId: CarrierId) => number | undefined;
  readonly #searchCache: AnswerCache<CarrierSearchAnswer>;
  readonly #availabilityCache: AnswerCache<AvailabilityAnswer>;
  readonly #random: () => number;
  readonly #selection: SelectionMode;
  readonly #readContext: ReadContext;
  readonly #tracer: SpanStarter;
  readonly #searchSupport = new SearchSupport();
  /** Answers of searches served wholly from the cache (see SearchMemo); none when searches are not cached. */
  readonly #searchMemo: SearchMemo | undefined;

  constructor(options: ProviderManagerOptions) {
    this.#registrations = orderByPriority(options.registrations);
    // Registration checks each declaration once; from here on only what is declared and backed is offered.
    this.declarationProblems = this.#registrations.flatMap((registration) => declarationProblems(registration.adapter));
    this.#offered = new Map(this.#registrations.map((registration) => [registration.adapter.descriptor.id, offeredFeatures(registration.adapter)]));
    this.#priceTable = options.priceTable ?? new PriceTable();
    this.#invoker = options.invoker ?? directInvoker;
    const now = options.now ?? (() => Date.now());
    this.#random = options.random ?? Math.random;
    this.#selection = options.selection ?? "priority";
    this.#tracer = options.tracer ?? NOOP_TRACER;
    this.#breakerRetryAfterMs = options.breakerRetryAfterMs ?? (() => undefined);
    this.metrics = options.metrics ?? new ProviderMetrics(300_000, now);
    this.health =
      options.health ??
      new HealthMonitor({
        carriers: this.#registrations.map((registration) => ({ carrierId: registration.adapter.descriptor.id, enabled: registration.enabled })),
        windowMs: 3_600_000,
        slowStart: new SlowStart(0, now),
        now,
      });
    const cache = options.cache ?? NO_CACHE;
    // A fresh answer for more numbers is kept over a smaller one that lands later: it covers more searches.
    const keepOver = (kept: CarrierSearchAnswer, incoming: CarrierSearchAnswer) => kept.limitAsked > incoming.limitAsked;
    this.#searchCache = new AnswerCache<CarrierSearchAnswer>({ ttlMs: cache.searchTtlMs, staleTtlMs: cache.searchStaleTtlMs, maxEntries: 10_000, now, keepOver });
    this.#searchMemo = cache.searchTtlMs > 0 ? new SearchMemo() : undefined;
    this.#availabilityCache = new AnswerCache({ ttlMs: cache.availabilityTtlMs, staleTtlMs: 0, maxEntries: 50_000, now });
    this.#readContext = {
      invoker: this.#invoker,
      reads: options.reads ?? UNOBSERVED_READS,
      priceTable: this.#priceTable,
      heldSnapshot: options.heldSnapshot ?? (() => Promise.resolve(NOTHING_HELD)),
      hedgeDelay: options.hedgeDelay ?? hedgeAfterRecentLatency(this.metrics),
      now,
    };
  }

  get registrations(): readonly CarrierRegistration[] {
    return this.#registrations;
  }

  /** The features numbergate offers at a carrier: what its descriptor declares and its adapter backs. */
  offeredFeatures(carrierId: string): ReadonlySet<CarrierFeature> {
    return this.#offered.get(carrierId as CarrierId) ?? new Set();
  }

  /**
   * Asks routable carriers tier by tier (a priority tier at once) until `limit` numbers are found, and merges
   * their offers (see searchCarriers): each tier within a share of the caller's deadline, hedged at the next
   * tier when slow, slow carriers cut off once enough numbers are in.
   */
  async searchNumbers(query: SearchNumbersQuery, signal?: AbortSignal): Promise<SearchNumbersResult> {
    return SearchSpan.run(this.#tracer, query, async (span) => {
      const { plan, outcomes, skips } = this.#select({ ...query.criteria, carrierIds: query.carrierIds }, "search", (registration) =>
        this.#searchSupport.of(registration.adapter, { ...query.criteria, limit: query.limit }),
      );
      span.routed(this.#registrations, plan.tiers, skips);
      try {
        const result = await searchCarriers(this.#readContext, this.#searchCache, query, plan.tiers, outcomes, signal, span, this.#searchMemo);
        return { ...result, outcomes: this.#inConfiguredOrder(outcomes) };
      } finally {
        span.settled(outcomes);
      }
    });
  }

  /** Asks carriers one at a time, in routing order, whether they sell this number now; stops at the first that does. */
  async checkAvailability(query: AvailabilityQuery, signal?: AbortSignal): Promise<AvailabilityResult> {
    const { number } = query;
    const { plan, outcomes } = this.#select(
      {
        countryCode: number.countryCode ?? "",
        numberType: number.numberType ?? "local",
        features: [],
        carrierIds: query.carrierId ? [query.carrierId] : [],
      },
      "check_availability",
    );
    const offer = await checkCarriers(this.#readContext, this.#availabilityCache, query, plan.tiers.flat(), outcomes, signal);
    return { offer, outcomes: this.#inConfiguredOrder(outcomes) };
  }

  /**
   * Calls one named carrier through its pipeline (purchases, reservations, releases go to the carrier that
   * owns the number: no failover, no hedging). Refuses a disabled carrier, an operation whose feature the
   * carrier does not offer, and a drained carrier unless the call finishes work already in flight there
   * (`evenWhenDrained`: looking up a sent order or release), all without calling it.
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
    const feature = FEATURE_OF_OPERATION[operation];
    if (feature && !this.offeredFeatures(id).has(feature)) throw new CarrierUnavailableError(carrierId, `numbergate does not offer ${feature} at ${carrierId}`);
    if (!options.evenWhenDrained && this.health.isDrained(id)) throw new CarrierUnavailableError(carrierId, `${carrierId} is drained by SetProviderEnabled`);
    return this.#invoker.invoke(id, operation, (callSignal) => call(registration.adapter, callSignal), { signal });
  }

  /**
   * Numbers equivalent to `target` (see substituteSearch) that the other carriers sell now, best first in
   * the merge order of searches, for a purchase that may buy a substitute. Empty when equivalence cannot be
   * shown; rejects like searchNumbers when no other carrier can be asked or every one fails.
   */
  async findEquivalentNumbers(target: SubstitutionTarget, signal?: AbortSignal): Promise<readonly AvailableNumberOffer[]> {
    const others = this.#registrations.map((registration) => registration.adapter.descriptor.id).filter((carrierId) => carrierId !== target.carrierId);
    const query = substituteSearch(target, others);
    if (!query) return [];
    const { numbers } = await this.searchNumbers(query, signal);
    return numbers.filter((offer) => isEquivalentOffer(offer, target));
  }

  /** What numbergate last heard a carrier offer for this number (locality, capabilities, price), if cached. */
  knownOffer(carrierId: string, e164: string): AvailableNumberOffer | undefined {
    const matches = (offer: AvailableNumberOffer | undefined): offer is AvailableNumberOffer => offer?.phoneNumber === e164 && offer.carrierId === carrierId;
    const fromAvailability = this.#availabilityCache.find((answer) => matches(answer.offer))?.offer;
    const offer = fromAvailability ?? this.#searchCache.find((answer) => answer.offers.some(matches))?.offers.find(matches);
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

  /** Eligible carriers in routing tiers, and a skipped outcome for every other one. */
  #select(
    question: EligibilityQuestion,
    operation: "search" | "check_availability",
    supports?: (registration: CarrierRegistration) => { supported: boolean; reason?: string },
  ): { plan: RoutePlan; outcomes: Map<CarrierId, ProviderOutcome>; skips: Map<CarrierId, string> } {
    const eligible: CarrierRegistration[] = [];
    const outcomes = new Map<CarrierId, ProviderOutcome>();
    // Why each carrier is left out, for the search span: numbergate's own words, never a carrier's reason about
    // the criteria (that can quote the searched digits).
    const skips = new Map<CarrierId, string>();
    for (const registration of this.#registrations) {
      const carrierId = registration.adapter.descriptor.id;
      const eligibility = checkEligibility(registration, question);
      const support = eligibility.eligible ? supports?.(registration) : undefined;
      if (!eligibility.eligible) outcomes.set(carrierId, skippedOutcome(carrierId, eligibility.reason));
      else if (support && !support.supported) outcomes.set(carrierId, skippedOutcome(carrierId, support.reason ?? "cannot serve this request"));
      else eligible.push(registration);
      if (!eligibility.eligible) skips.set(carrierId, eligibility.reason);
      else if (support && !support.supported) skips.set(carrierId, "cannot serve these search criteria");
    }
    if (eligible.length === 0) {
      const skipped = new Map([...outcomes].map(([carrierId, outcome]) => [carrierId, outcome.detail]));
      const reasons = [...skipped].map(([carrierId, detail]) => `${carrierId} ${detail}`).join("; ");
      throw new NoEligibleCarrierError(`no enabled carrier can serve this request: ${reasons}`, skipped);
    }
    const plan = planRoute(
      eligible,
      { health: this.health, breakerRetryAfterMs: this.#breakerRetryAfterMs, random: this.#random },
      { mode: this.#selection, random: this.#random, latencyOf: (carrierId) => this.metrics.latencyEstimate(carrierId, operation) },
    );
    for (const [carrierId, skip] of plan.skipped) outcomes.set(carrierId, unavailableOutcome(carrierId, skip.reason, skip.retryAfterMs));
    for (const [carrierId, skip] of plan.skipped) skips.set(carrierId, skip.reason);
    return { plan, outcomes, skips };
  }

  #inConfiguredOrder(outcomes: Map<CarrierId, ProviderOutcome>): readonly ProviderOutcome[] {
    return this.#registrations.flatMap((registration) => outcomes.get(registration.adapter.descriptor.id) ?? []);
  }
}
