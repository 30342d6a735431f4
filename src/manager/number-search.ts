import type { AvailableNumberOffer, CarrierId } from "../domain/numbers.js";
import type { AnswerCache } from "./answer-cache.js";
import { isUsableOffer, problemsToError, recordProblem, type Problems } from "./carrier-problems.js";
import type { CarrierRegistration } from "./carrier-registry.js";
import type { SearchNumbersQuery, SearchNumbersResult } from "./manager-queries.js";
import { judgePrice, priceOffer } from "./offer-pricing.js";
import { answeredOutcome, skippedOutcome, type ProviderOutcome } from "./provider-outcome.js";
import { readDeadline, readFailure, type ReadContext } from "./read-context.js";
import { ReadRoute, type ReadOutcome } from "./read-route.js";
import { answerCovers, searchKey, type CarrierSearchAnswer } from "./search-keys.js";

/** The offers of one carrier's answer a search takes, and what it left out for price. */
interface Selection {
  readonly offers: readonly AvailableNumberOffer[];
  readonly excludedUnknownPrice: number;
  readonly excludedOverPrice: number;
}

/**
 * One SearchNumbers across carriers: asks them in routing order (with deadline shares and hedging, see
 * ReadRoute) until `limit` numbers are found, filling from the next; dedupes by E.164, hides numbers held or
 * owned anywhere (filtered at read time, so cached answers keep every offer), prices and filters by price.
 * Serves cached answers while fresh, and stale ones (flagged) when every carrier fails.
 */
export async function searchCarriers(
  context: ReadContext,
  cache: AnswerCache<CarrierSearchAnswer>,
  query: SearchNumbersQuery,
  ordered: readonly CarrierRegistration[],
  outcomes: Map<CarrierId, ProviderOutcome>,
  signal: AbortSignal | undefined,
): Promise<Omit<SearchNumbersResult, "outcomes">> {
  const numbers: AvailableNumberOffer[] = [];
  const seen = new Set<string>();
  const warnings: string[] = [];
  const problems: Problems = { failures: [], unavailable: [] };
  const staleFallbacks: { carrierId: CarrierId; answer: CarrierSearchAnswer }[] = [];
  const deadline = readDeadline(context, "search", ordered, query.deadline, signal);

  const select = async (answer: CarrierSearchAnswer, room: number): Promise<Selection> => {
    const held = await context.heldNumbers(answer.offers.map((offer) => offer.phoneNumber));
    const offers: AvailableNumberOffer[] = [];
    let excludedUnknownPrice = 0;
    let excludedOverPrice = 0;
    for (const rawOffer of answer.offers) {
      if (offers.length >= room) break;
      const offer = priceOffer(rawOffer, context.priceTable);
      if (!isUsableOffer(offer, query.criteria) || seen.has(offer.phoneNumber) || held.has(offer.phoneNumber)) continue;
      const verdict = judgePrice(offer, query.maxMonthlyRateCents);
      if (verdict === "unknown") excludedUnknownPrice += 1;
      else if (verdict === "over") excludedOverPrice += 1;
      else offers.push(offer);
    }
    return { offers, excludedUnknownPrice, excludedOverPrice };
  };
  const take = async (carrierId: CarrierId, answer: CarrierSearchAnswer, room: number) => {
    const selection = await select(answer, room);
    for (const offer of selection.offers) seen.add(offer.phoneNumber);
    numbers.push(...selection.offers);
    warnings.push(...answer.warnings.map((warning) => `${carrierId}: ${warning}`));
    return { numbersReturned: selection.offers.length, excludedUnknownPrice: selection.excludedUnknownPrice, excludedOverPrice: selection.excludedOverPrice };
  };

  const read = async (registration: CarrierRegistration, readSignal: AbortSignal): Promise<ReadOutcome<CarrierSearchAnswer>> => {
    const carrierId = registration.adapter.descriptor.id;
    const started = context.now();
    const needed = query.limit - numbers.length;
    // Ask for extra numbers to cover ones already found elsewhere: carriers' stocks overlap.
    const limitAsked = needed + seen.size;
    const key = searchKey(carrierId, query.criteria);
    const fresh = cache.fresh(key);
    const servedFromCache = fresh !== undefined && answerCovers(fresh, needed);
    context.metrics.recordCacheLookup(carrierId, servedFromCache);
    if (fresh && servedFromCache) return { kind: "answered", answer: fresh, fromCache: true, durationMs: 0 };
    const load = (flightSignal: AbortSignal) =>
      context.invoker
        .invoke(carrierId, "search", (callSignal) => registration.adapter.doSearch({ ...query.criteria, limit: limitAsked }, { signal: callSignal }), { signal: flightSignal })
        .then((result): CarrierSearchAnswer => ({ offers: result.numbers, warnings: result.warnings, limitAsked }));
    try {
      let answer = await cache.load(key, load, { signal: readSignal, replace: fresh !== undefined });
      // Joined a load for fewer numbers that the carrier had: ask again for as many as this search needs.
      if (!answerCovers(answer, needed) && answer.limitAsked < limitAsked) answer = await cache.load(key, load, { signal: readSignal, replace: true });
      return { kind: "answered", answer, fromCache: false, durationMs: context.now() - started };
    } catch (error) {
      return { kind: "failed", error: readFailure(error, carrierId, "search"), durationMs: context.now() - started };
    }
  };

  const route = new ReadRoute({ carriers: ordered, operation: "search", deadline, hedgeDelay: context.hedgeDelay, now: context.now, read });
  let answered = 0;
  for (const [index, registration] of ordered.entries()) {
    const carrierId = registration.adapter.descriptor.id;
    const room = query.limit - numbers.length;
    if (room <= 0) {
      const hedged = route.asked(index) ? " (its hedged answer was not needed)" : "";
      outcomes.set(carrierId, skippedOutcome(carrierId, `enough numbers were found at higher-priority carriers${hedged}`));
      continue;
    }
    if (!route.asked(index) && deadline.over) {
      signal?.throwIfAborted();
      outcomes.set(carrierId, skippedOutcome(carrierId, "not asked: the caller's deadline left no time"));
      continue;
    }
    const step = await route.step(index, async (answer) => (await select(answer, room)).offers.length >= room);
    if (step.kind === "superseded") {
      outcomes.set(carrierId, skippedOutcome(carrierId, `no answer after ${Math.round(step.waitedMs)} ms; a hedged search at ${step.by} answered first`));
      continue;
    }
    const { outcome } = step;
    if (outcome.kind === "answered") {
      answered += 1;
      const counts = await take(carrierId, outcome.answer, room);
      outcomes.set(carrierId, { ...answeredOutcome(carrierId, { ...counts, durationMs: outcome.durationMs }), fromCache: outcome.fromCache });
      continue;
    }
    outcomes.set(carrierId, recordProblem(problems, outcome.error, carrierId, outcome.durationMs));
    const lastGood = cache.lastGood(searchKey(carrierId, query.criteria));
    if (lastGood) staleFallbacks.push({ carrierId, answer: lastGood });
  }

  if (answered === 0 && staleFallbacks.length > 0) {
    for (const { carrierId, answer } of staleFallbacks) {
      const counts = await take(carrierId, answer, query.limit - numbers.length);
      outcomes.set(carrierId, { ...(outcomes.get(carrierId) ?? skippedOutcome(carrierId, "")), ...counts, fromCache: true, stale: true });
    }
    warnings.push("every carrier failed: these results are from numbergate's cache and may be out of date");
    return { numbers, warnings };
  }
  if (answered === 0) throw problemsToError(problems, outcomes);
  return { numbers, warnings };
}
