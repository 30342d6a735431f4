import type { CarrierId } from "../domain/numbers.js";
import type { AnswerCache } from "./answer-cache.js";
import { problemsToError, recordProblem, type Problems } from "./carrier-problems.js";
import type { CarrierRegistration } from "./carrier-registry.js";
import type { SearchNumbersQuery, SearchNumbersResult } from "./manager-queries.js";
import { answeredOutcome, cutOffOutcome, skippedOutcome, type ProviderOutcome } from "./provider-outcome.js";
import { readDeadline, readFailure, type ReadContext } from "./read-context.js";
import { ReadRoute, type CarrierTurn, type ReadOutcome } from "./read-route.js";
import { SearchCollector } from "./search-collector.js";
import { routeSignature, type MemoizedSearch, type SearchMemo } from "./search-memo.js";
import type { SearchSpan } from "./search-span.js";
import { answerCovers, searchKey, type CarrierSearchAnswer } from "./search-keys.js";

/**
 * One SearchNumbers across carriers: asks them tier by tier (a tier at once, with deadline shares, hedging
 * and cut-offs, see ReadRoute) until `limit` numbers are found; merges what they offer (see SearchCollector:
 * priced, filtered, deduplicated by E.164, ranked by price, then priority). Serves cached answers while
 * fresh, and stale ones (flagged) when every carrier fails.
 */
/** The sizes carriers are asked for: each is one page at every carrier but Plivo (20 a page). */
const SEARCH_STEPS = [10, 20, 50];

export function searchStep(limit: number): number {
  return SEARCH_STEPS.find((step) => step >= limit) ?? limit;
}

export async function searchCarriers(
  context: ReadContext,
  cache: AnswerCache<CarrierSearchAnswer>,
  query: SearchNumbersQuery,
  tiers: readonly (readonly CarrierRegistration[])[],
  outcomes: Map<CarrierId, ProviderOutcome>,
  signal: AbortSignal | undefined,
  span?: SearchSpan,
  memo?: SearchMemo,
): Promise<Omit<SearchNumbersResult, "outcomes">> {
  const routeOrder = tiers.flat();
  const deadline = readDeadline(context, "search", tiers, query.deadline, signal);
  const routeKey = routeSignature(tiers);
  const remembered = memo && !deadline.over ? memo.get(query) : undefined;
  // The held snapshot is awaited only for a candidate: any other search starts its reads at once.
  if (remembered && remembered.route === routeKey && stillCached(remembered, cache, query) && remembered.held === (await context.heldSnapshot())) {
    // The same reads would find the same cached answers: say so as they would, and answer as they did.
    for (const carrierId of remembered.answers.keys()) {
      context.reads.cacheLookup(carrierId, "search", true);
      span?.carrierRead(carrierId, "cache_hit");
    }
    for (const [carrierId, outcome] of remembered.outcomes) outcomes.set(carrierId, outcome);
    return remembered.result;
  }
  const collector = new SearchCollector(context, query, routeOrder);

  const read = async (registration: CarrierRegistration, readSignal: () => AbortSignal): Promise<ReadOutcome<CarrierSearchAnswer>> => {
    const carrierId = registration.adapter.descriptor.id;
    const started = context.now();
    const needed = query.limit - collector.found;
    // Ask for the whole limit even when others already found some (carriers' stocks overlap), rounded up to a
    // step so that concurrent searches of the same criteria share one call and its answer serves later ones.
    const limitAsked = searchStep(query.limit);
    const key = searchKey(carrierId, query.criteria);
    const fresh = cache.fresh(key);
    const servedFromCache = fresh !== undefined && answerCovers(fresh, needed);
    context.reads.cacheLookup(carrierId, "search", servedFromCache);
    if (fresh && servedFromCache) {
      span?.carrierRead(carrierId, "cache_hit");
      return { kind: "answered", answer: fresh, fromCache: true, durationMs: 0 };
    }
    // Set when this search's load runs: otherwise it joined a call another search started (single flight).
    let led = false;
    const load = (flightSignal: AbortSignal) => {
      led = true;
      return context.invoker
        .invoke(carrierId, "search", (callSignal) => registration.adapter.doSearch({ ...query.criteria, limit: limitAsked }, { signal: callSignal }), { signal: flightSignal })
        .then((result): CarrierSearchAnswer => ({ offers: result.numbers, warnings: result.warnings, limitAsked }));
    };
    try {
      // Concurrent searches of the same criteria share one carrier call, but only one asked for at least as many
      // numbers as this search still needs: joining a smaller one would leave this search short, and it would then
      // ask the next tier for numbers its first carrier had.
      const answer = await cache.load(key, load, { signal: readSignal(), replace: fresh !== undefined, size: limitAsked, accepts: (size) => size >= needed });
      return { kind: "answered", answer, fromCache: false, durationMs: context.now() - started };
    } catch (error) {
      return { kind: "failed", error: readFailure(error, carrierId, "search"), durationMs: context.now() - started };
    } finally {
      span?.carrierRead(carrierId, led ? "call_led" : "call_joined");
      if (!led) context.reads.singleFlightJoined(carrierId, "search");
    }
  };

  const route = new ReadRoute({ tiers, operation: "search", deadline, hedgeDelay: context.hedgeDelay, now: context.now, read });
  const turns = await route.run(collector);
  const problems: Problems = { failures: [], unavailable: [] };
  const staleFallbacks: { registration: CarrierRegistration; answer: CarrierSearchAnswer }[] = [];
  const answeredTurns: { carrierId: CarrierId; outcome: Extract<ReadOutcome<CarrierSearchAnswer>, { kind: "answered" }> }[] = [];
  for (const registration of routeOrder) {
    const carrierId = registration.adapter.descriptor.id;
    const turn = turns.get(carrierId);
    if (!turn) continue;
    if (turn.kind !== "settled") {
      outcomes.set(carrierId, unsettledOutcome(carrierId, turn));
      continue;
    }
    const { outcome } = turn;
    if (outcome.kind === "answered") {
      answeredTurns.push({ carrierId, outcome });
      continue;
    }
    outcomes.set(carrierId, recordProblem(problems, outcome.error, carrierId, outcome.durationMs));
    const lastGood = cache.lastGood(searchKey(carrierId, query.criteria));
    if (lastGood) staleFallbacks.push({ registration, answer: lastGood });
  }

  if (answeredTurns.length === 0 && staleFallbacks.length > 0) {
    // Every carrier failed: merge the last good answers of the failed ones instead, flagged stale.
    for (const { registration, answer } of staleFallbacks) (await collector.accept(registration, answer))();
    const { numbers, contributed, warnings } = collector.result();
    for (const { registration } of staleFallbacks) {
      const carrierId = registration.adapter.descriptor.id;
      const counts = { numbersReturned: contributed.get(carrierId) ?? 0, ...collector.exclusionsOf(carrierId) };
      outcomes.set(carrierId, { ...(outcomes.get(carrierId) ?? skippedOutcome(carrierId, "")), ...counts, fromCache: true, stale: true });
    }
    return { numbers, warnings: [...warnings, "every carrier failed: these results are from numbergate's cache and may be out of date"] };
  }
  if (answeredTurns.length === 0) throw problemsToError(problems, outcomes);
  const { numbers, contributed, warnings } = collector.result();
  for (const { carrierId, outcome } of answeredTurns) {
    const counts = { numbersReturned: contributed.get(carrierId) ?? 0, ...collector.exclusionsOf(carrierId), durationMs: outcome.durationMs };
    outcomes.set(carrierId, { ...answeredOutcome(carrierId, counts), fromCache: outcome.fromCache });
  }
  const result = { numbers, warnings };
  const held = collector.heldSnapshot;
  if (memo && held && servedWhollyFromCache(routeOrder, turns)) {
    const answers = new Map(answeredTurns.map(({ carrierId, outcome }) => [carrierId, outcome.answer]));
    // The route's own outcomes only: the manager's skips (retryAfterMs of an open breaker) are made per call.
    const routed = new Map<CarrierId, ProviderOutcome>();
    for (const registration of routeOrder) {
      const carrierId = registration.adapter.descriptor.id;
      const outcome = outcomes.get(carrierId);
      if (outcome) routed.set(carrierId, outcome);
    }
    memo.remember(query, { route: routeKey, held, answers, outcomes: routed, result });
  }
  return result;
}

/** Every carrier of the route answered from the cache or was not needed: nothing was called, nothing failed. */
function servedWhollyFromCache(routeOrder: readonly CarrierRegistration[], turns: ReadonlyMap<CarrierId, CarrierTurn<CarrierSearchAnswer>>): boolean {
  return routeOrder.every((registration) => {
    const turn = turns.get(registration.adapter.descriptor.id);
    if (turn?.kind === "settled") return turn.outcome.kind === "answered" && turn.outcome.fromCache;
    return turn?.kind === "not_asked" && turn.reason === "served";
  });
}

/** Whether each carrier a memoized search read still has the very cached answer it served then. */
function stillCached(remembered: MemoizedSearch, cache: AnswerCache<CarrierSearchAnswer>, query: SearchNumbersQuery): boolean {
  for (const [carrierId, answer] of remembered.answers) {
    if (cache.fresh(searchKey(carrierId, query.criteria)) !== answer) return false;
  }
  return true;
}

/** The outcome of a carrier that did not settle: cut off, or never asked. */
function unsettledOutcome(carrierId: CarrierId, turn: Exclude<CarrierTurn<CarrierSearchAnswer>, { kind: "settled" }>): ProviderOutcome {
  if (turn.kind === "not_asked") {
    return skippedOutcome(carrierId, turn.reason === "served" ? "enough numbers were found at higher-priority carriers" : "not asked: the caller's deadline left no time");
  }
  return cutOffOutcome(carrierId, turn.reason, turn.waitedMs, "search");
}
