import { LRUCache } from "lru-cache";
import type { CarrierId } from "../domain/numbers.js";
import type { CarrierRegistration } from "./carrier-registry.js";
import type { SearchNumbersQuery, SearchNumbersResult } from "./manager-queries.js";
import type { ProviderOutcome } from "./provider-outcome.js";
import type { CarrierSearchAnswer } from "./search-keys.js";

/** Distinct cached searches remembered: dashboards and retries repeat a few hundred at most. */
const REMEMBERED_SEARCHES = 1_000;

/**
 * What a search served wholly from the carriers' cached answers was computed from, and its answer. It holds
 * while the route is the same, every carrier read then still has that same cached answer (the cache hands out
 * one object per answer until it expires or is replaced) and the held-numbers snapshot is the same object: the
 * merge is a function of exactly these, the query and the price table (fixed for the manager's life).
 */
export interface MemoizedSearch {
  readonly route: string;
  readonly held: ReadonlySet<string>;
  /** The carriers read, each with the cached answer it served. */
  readonly answers: ReadonlyMap<CarrierId, CarrierSearchAnswer>;
  /** The outcomes the search set: its answered carriers and those of the route it did not need to ask. */
  readonly outcomes: ReadonlyMap<CarrierId, ProviderOutcome>;
  readonly result: Omit<SearchNumbersResult, "outcomes">;
}

/**
 * Answers of searches served from cache, so that a repeated one does no per-offer work (pricing, filtering,
 * deduplicating, ranking) and no routing of reads: a cache hit costs its lookups. Searches that called a carrier,
 * failed, were cut off or ran short of time are never remembered.
 */
export class SearchMemo {
  readonly #searches = new LRUCache<string, MemoizedSearch>({ max: REMEMBERED_SEARCHES });
  /** The held-numbers snapshot every remembered search was computed from. */
  #held: ReadonlySet<string> | undefined;

  get(query: SearchNumbersQuery): MemoizedSearch | undefined {
    return this.#searches.get(memoKey(query));
  }

  /**
   * Remembers a search. A newer held-numbers snapshot forgets all the others first: none of them can be used
   * again, and each would keep its own copy of every held and owned number alive.
   */
  remember(query: SearchNumbersQuery, search: MemoizedSearch): void {
    if (search.held !== this.#held) {
      this.#searches.clear();
      this.#held = search.held;
    }
    // Shared by every caller it answers from now on.
    Object.freeze(search.result.numbers);
    Object.freeze(search.result.warnings);
    Object.freeze(search.result);
    for (const outcome of search.outcomes.values()) Object.freeze(outcome);
    this.#searches.set(memoKey(query), search);
  }
}

/** The route as far as a search's answer goes: carriers tier by tier, in order. */
export function routeSignature(tiers: readonly (readonly CarrierRegistration[])[]): string {
  return tiers.map((tier) => tier.map((registration) => registration.adapter.descriptor.id).join(",")).join(";");
}

/** Everything of the query that shapes the answer (not its deadline: a memo is only used with time to spare). */
function memoKey(query: SearchNumbersQuery): string {
  return JSON.stringify([query.criteria, query.limit, query.maxMonthlyRateCents ?? null, query.carrierIds ?? null]);
}
