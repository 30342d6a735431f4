import { context, SpanKind, SpanStatusCode, trace, type Span } from "@opentelemetry/api";
import { CarrierError } from "../domain/carrier-error.js";
import type { CarrierId } from "../domain/numbers.js";
import type { SpanStarter } from "../telemetry/tracing-noop.js";
import type { CarrierRegistration } from "./carrier-registry.js";
import type { SearchNumbersQuery } from "./manager-queries.js";
import type { ProviderOutcome } from "./provider-outcome.js";

/** How one carrier's read was served: from the cache, by a carrier call this search started, or by joining one running. */
export type CarrierRead = "cache_hit" | "call_led" | "call_joined";

/**
 * The INTERNAL span `numbergate.search` of one search across carriers, the parent of every carrier attempt it
 * makes. Attributes: numbergate.carriers.considered (every configured carrier), numbergate.carriers.routed (the
 * route, best tier first), numbergate.tiers, numbergate.carriers.skipped (`<carrier>: <why>`, numbergate's own
 * words about the carrier, never the request's digits); when it ends numbergate.carriers.answered, .failed
 * (`<carrier>: <reason>`), .cut_off, .not_asked, .from_cache, .stale and numbergate.numbers_returned (a count).
 * Events: numbergate.carrier_read per carrier read (numbergate.carrier, numbergate.cache hit/miss,
 * numbergate.single_flight led/joined on a miss) and numbergate.cut_off per carrier not waited for
 * (numbergate.cut_off.waited_ms). Country and number type are recorded; area codes, patterns and numbers never.
 */
export class SearchSpan {
  readonly #span: Span;
  /** False when tracing is off or this trace is not sampled: then there is nothing to describe the search to. */
  readonly #recording: boolean;
  readonly #routed = new Set<CarrierId>();
  #ended = false;

  private constructor(span: Span) {
    this.#span = span;
    this.#recording = span.isRecording();
  }

  /** Runs the search under its span (active, so the carrier attempts nest under it) and ends the span with it. */
  static async run<Result>(tracer: SpanStarter, query: SearchNumbersQuery, search: (span: SearchSpan) => Promise<Result>): Promise<Result> {
    const span = tracer.startSpan("numbergate.search", {
      kind: SpanKind.INTERNAL,
      attributes: { "numbergate.country_code": query.criteria.countryCode, "numbergate.number_type": query.criteria.numberType, "numbergate.search.limit": query.limit },
    });
    const searchSpan = new SearchSpan(span);
    try {
      return await context.with(trace.setSpan(context.active(), span), () => search(searchSpan));
    } catch (error) {
      const errorType = CarrierError.is(error) ? error.kind : error instanceof Error ? error.name : "_OTHER";
      span.setAttribute("error.type", errorType);
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
      throw error;
    } finally {
      searchSpan.#ended = true;
      span.end();
    }
  }

  /** The routing decision: who is asked, in which tiers, and who is not, and why. */
  routed(registrations: readonly CarrierRegistration[], tiers: readonly (readonly CarrierRegistration[])[], skipped: ReadonlyMap<CarrierId, string>): void {
    if (!this.#recording) return;
    for (const registration of tiers.flat()) this.#routed.add(registration.adapter.descriptor.id);
    this.#span.setAttributes({
      "numbergate.carriers.considered": registrations.map(idOf),
      "numbergate.carriers.routed": tiers.flat().map(idOf),
      "numbergate.tiers": tiers.length,
      "numbergate.carriers.skipped": [...skipped].map(([carrierId, why]) => `${carrierId}: ${why}`),
    });
  }

  /** How one carrier's read was served. Reads that finish after the search ended (cut off) are not recorded. */
  carrierRead(carrierId: CarrierId, read: CarrierRead): void {
    if (this.#ended || !this.#recording) return;
    this.#span.addEvent("numbergate.carrier_read", {
      "numbergate.carrier": carrierId,
      "numbergate.cache": read === "cache_hit" ? "hit" : "miss",
      ...(read === "cache_hit" ? {} : { "numbergate.single_flight": read === "call_led" ? "led" : "joined" }),
    });
  }

  /** What became of every carrier, from the search's outcomes (also when it failed). */
  settled(outcomes: ReadonlyMap<CarrierId, ProviderOutcome>): void {
    if (!this.#recording) return;
    const all = [...outcomes.values()];
    const carriers = (predicate: (outcome: ProviderOutcome) => boolean) => all.filter(predicate).map((outcome) => outcome.carrierId);
    for (const outcome of all.filter((each) => each.state === "cut_off")) {
      this.#span.addEvent("numbergate.cut_off", { "numbergate.carrier": outcome.carrierId, "numbergate.cut_off.waited_ms": Math.round(outcome.durationMs) });
    }
    this.#span.setAttributes({
      "numbergate.carriers.answered": carriers((outcome) => outcome.state === "answered"),
      "numbergate.carriers.failed": all.filter((outcome) => outcome.state === "failed").map((outcome) => `${outcome.carrierId}: ${outcome.reason ?? "failed"}`),
      "numbergate.carriers.cut_off": carriers((outcome) => outcome.state === "cut_off"),
      // Routed, but the search was served (or out of time) before their tier's turn.
      "numbergate.carriers.not_asked": carriers((outcome) => outcome.state === "skipped" && this.#routed.has(outcome.carrierId)),
      "numbergate.carriers.from_cache": carriers((outcome) => outcome.fromCache),
      "numbergate.carriers.stale": carriers((outcome) => outcome.stale),
      "numbergate.numbers_returned": all.reduce((sum, outcome) => sum + outcome.numbersReturned, 0),
    });
  }
}

function idOf(registration: CarrierRegistration): string {
  return registration.adapter.descriptor.id;
}
