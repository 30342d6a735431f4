import type { AvailableNumberOffer, CarrierId } from "../domain/numbers.js";
import type { AnswerCache } from "./answer-cache.js";
import { problemsToError, recordProblem, type Problems } from "./carrier-problems.js";
import type { CarrierRegistration } from "./carrier-registry.js";
import type { AvailabilityQuery } from "./manager-queries.js";
import { priceOffer } from "./offer-pricing.js";
import { answeredOutcome, cutOffOutcome, skippedOutcome, type ProviderOutcome } from "./provider-outcome.js";
import { readDeadline, readFailure, type ReadContext } from "./read-context.js";
import { ReadRoute, type ReadCollector, type ReadOutcome } from "./read-route.js";
import { availabilityKey } from "./search-keys.js";

/** What one carrier answered to an availability check, as cached (lru-cache keeps objects, not undefined). */
export interface AvailabilityAnswer {
  readonly offer: AvailableNumberOffer | undefined;
}

/** Keeps the first visible offer: the request is served once a carrier sells the number. */
class AvailabilityCollector implements ReadCollector<AvailabilityAnswer> {
  found: AvailableNumberOffer | undefined;
  /** Per carrier taken in: whether it sells the number (and nobody holds it). */
  readonly sells = new Map<CarrierId, boolean>();

  constructor(private readonly context: ReadContext) {}

  served(): boolean {
    return this.found !== undefined;
  }

  async accept(registration: CarrierRegistration, answer: AvailabilityAnswer): Promise<() => void> {
    const offer = await this.#visibleOffer(answer);
    return () => {
      this.sells.set(registration.adapter.descriptor.id, offer !== undefined);
      this.found ??= offer;
    };
  }

  /** The carrier's offer, priced, unless the number is held or owned anywhere (the shared store's snapshot). */
  async #visibleOffer(answer: AvailabilityAnswer): Promise<AvailableNumberOffer | undefined> {
    if (!answer.offer) return undefined;
    const held = await this.context.heldSnapshot();
    return held.has(answer.offer.phoneNumber) ? undefined : priceOffer(answer.offer, this.context.priceTable);
  }
}

/**
 * One CheckNumberAvailability across carriers: asks them one at a time in routing order (with deadline
 * shares and hedging, see ReadRoute, each carrier a tier of its own) whether they sell the number now, and
 * stops at the first that does. A number held or owned anywhere (the shared store's snapshot, read at answer
 * time) is not available, whatever the carrier's cached answer says.
 */
export async function checkCarriers(
  context: ReadContext,
  cache: AnswerCache<AvailabilityAnswer>,
  query: AvailabilityQuery,
  ordered: readonly CarrierRegistration[],
  outcomes: Map<CarrierId, ProviderOutcome>,
  signal: AbortSignal | undefined,
): Promise<AvailableNumberOffer | undefined> {
  const { number } = query;
  const tiers = ordered.map((registration) => [registration]);
  const deadline = readDeadline(context, "check_availability", tiers, query.deadline, signal);

  const read = async (registration: CarrierRegistration, readSignal: () => AbortSignal): Promise<ReadOutcome<AvailabilityAnswer>> => {
    const carrierId = registration.adapter.descriptor.id;
    const key = availabilityKey(carrierId, number.e164);
    const fresh = cache.fresh(key);
    context.reads.cacheLookup(carrierId, "check_availability", fresh !== undefined);
    if (fresh) return { kind: "answered", answer: fresh, fromCache: true, durationMs: 0 };
    const started = context.now();
    // Set when this read's load runs: otherwise it joined a call another read started (single flight).
    let led = false;
    const load = (flightSignal: AbortSignal) => {
      led = true;
      return context.invoker
        .invoke(carrierId, "check_availability", (callSignal) => registration.adapter.doCheckAvailability(number, { signal: callSignal }), { signal: flightSignal })
        .then((offer): AvailabilityAnswer => ({ offer }));
    };
    try {
      return { kind: "answered", answer: await cache.load(key, load, { signal: readSignal() }), fromCache: false, durationMs: context.now() - started };
    } catch (error) {
      return { kind: "failed", error: readFailure(error, carrierId, "check_availability"), durationMs: context.now() - started };
    } finally {
      if (!led) context.reads.singleFlightJoined(carrierId, "check_availability");
    }
  };

  const collector = new AvailabilityCollector(context);
  const route = new ReadRoute({ tiers, operation: "check_availability", deadline, hedgeDelay: context.hedgeDelay, now: context.now, read });
  const turns = await route.run(collector);
  const problems: Problems = { failures: [], unavailable: [] };
  let answered = 0;
  for (const registration of ordered) {
    const carrierId = registration.adapter.descriptor.id;
    const turn = turns.get(carrierId);
    if (!turn) continue;
    if (turn.kind === "not_asked") {
      const servedBy = collector.found?.carrierId;
      const served = servedBy === undefined ? "not asked: a carrier asked earlier has the number" : `not asked: ${servedBy}, asked earlier, has the number`;
      outcomes.set(carrierId, skippedOutcome(carrierId, turn.reason === "served" ? served : "not asked: the caller's deadline left no time"));
    } else if (turn.kind === "cut_off") {
      outcomes.set(carrierId, cutOffOutcome(carrierId, turn.reason, turn.waitedMs, "check"));
    } else if (turn.outcome.kind === "failed") {
      outcomes.set(carrierId, recordProblem(problems, turn.outcome.error, carrierId, turn.outcome.durationMs));
    } else {
      answered += 1;
      const { outcome } = turn;
      const sells = collector.sells.get(carrierId) === true;
      const returned = sells && collector.found?.carrierId === carrierId;
      const counts = { numbersReturned: returned ? 1 : 0, excludedUnknownPrice: 0, excludedOverPrice: 0, durationMs: outcome.durationMs };
      outcomes.set(carrierId, { ...answeredOutcome(carrierId, counts, sells ? "available" : "not available"), fromCache: outcome.fromCache });
    }
  }
  if (answered === 0) throw problemsToError(problems, outcomes);
  return collector.found;
}
