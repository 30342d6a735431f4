import type { AvailableNumberOffer, CarrierId } from "../domain/numbers.js";
import type { AnswerCache } from "./answer-cache.js";
import { problemsToError, recordProblem, type Problems } from "./carrier-problems.js";
import type { CarrierRegistration } from "./carrier-registry.js";
import type { AvailabilityQuery } from "./manager-queries.js";
import { priceOffer } from "./offer-pricing.js";
import { answeredOutcome, skippedOutcome, type ProviderOutcome } from "./provider-outcome.js";
import { readDeadline, readFailure, type ReadContext } from "./read-context.js";
import { ReadRoute, type ReadOutcome } from "./read-route.js";
import { availabilityKey } from "./search-keys.js";

/** What one carrier answered to an availability check, as cached (lru-cache keeps objects, not undefined). */
export interface AvailabilityAnswer {
  readonly offer: AvailableNumberOffer | undefined;
}

/**
 * One CheckNumberAvailability across carriers: asks them in routing order (with deadline shares and
 * hedging, see ReadRoute) whether they sell the number now, and stops at the first that does. A number held
 * or owned anywhere (the shared store's snapshot, read at answer time) is not available, whatever the
 * carrier's cached answer says.
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
  const problems: Problems = { failures: [], unavailable: [] };
  const deadline = readDeadline(context, "check_availability", ordered, query.deadline, signal);
  const visibleOffer = async (answer: AvailabilityAnswer): Promise<AvailableNumberOffer | undefined> => {
    if (!answer.offer) return undefined;
    const held = await context.heldNumbers([answer.offer.phoneNumber]);
    return held.has(answer.offer.phoneNumber) ? undefined : priceOffer(answer.offer, context.priceTable);
  };

  const read = async (registration: CarrierRegistration, readSignal: AbortSignal): Promise<ReadOutcome<AvailabilityAnswer>> => {
    const carrierId = registration.adapter.descriptor.id;
    const key = availabilityKey(carrierId, number.e164);
    const fresh = cache.fresh(key);
    context.metrics.recordCacheLookup(carrierId, fresh !== undefined);
    if (fresh) return { kind: "answered", answer: fresh, fromCache: true, durationMs: 0 };
    const started = context.now();
    const load = (flightSignal: AbortSignal) =>
      context.invoker
        .invoke(carrierId, "check_availability", (callSignal) => registration.adapter.doCheckAvailability(number, { signal: callSignal }), { signal: flightSignal })
        .then((offer): AvailabilityAnswer => ({ offer }));
    try {
      return { kind: "answered", answer: await cache.load(key, load, { signal: readSignal }), fromCache: false, durationMs: context.now() - started };
    } catch (error) {
      return { kind: "failed", error: readFailure(error, carrierId, "check_availability"), durationMs: context.now() - started };
    }
  };

  const route = new ReadRoute({ carriers: ordered, operation: "check_availability", deadline, hedgeDelay: context.hedgeDelay, now: context.now, read });
  let answered = 0;
  let found: AvailableNumberOffer | undefined;
  for (const [index, registration] of ordered.entries()) {
    const carrierId = registration.adapter.descriptor.id;
    if (found) {
      const hedged = route.asked(index) ? " (its hedged answer was not needed)" : "";
      outcomes.set(carrierId, skippedOutcome(carrierId, `a higher-priority carrier has the number${hedged}`));
      continue;
    }
    if (!route.asked(index) && deadline.over) {
      signal?.throwIfAborted();
      outcomes.set(carrierId, skippedOutcome(carrierId, "not asked: the caller's deadline left no time"));
      continue;
    }
    const step = await route.step(index, async (answer) => (await visibleOffer(answer)) !== undefined);
    if (step.kind === "superseded") {
      outcomes.set(carrierId, skippedOutcome(carrierId, `no answer after ${Math.round(step.waitedMs)} ms; a hedged check at ${step.by} answered first`));
      continue;
    }
    const { outcome } = step;
    if (outcome.kind === "failed") {
      outcomes.set(carrierId, recordProblem(problems, outcome.error, carrierId, outcome.durationMs));
      continue;
    }
    answered += 1;
    found = await visibleOffer(outcome.answer);
    const counts = { numbersReturned: found ? 1 : 0, excludedUnknownPrice: 0, excludedOverPrice: 0, durationMs: outcome.durationMs };
    outcomes.set(carrierId, { ...answeredOutcome(carrierId, counts, found ? "available" : "not available"), fromCache: outcome.fromCache });
  }
  if (answered === 0) throw problemsToError(problems, outcomes);
  return found;
}
