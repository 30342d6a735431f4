import { LRUCache } from "lru-cache";
import { featureMethods } from "../domain/carrier-adapter.js";
import type { CarrierPortabilityAnswer } from "../domain/carrier-lifecycle.js";
import type { ParsedPhoneNumber } from "../domain/phone-number.js";
import { CarrierUnavailableError, NoEligibleCarrierError } from "../domain/service-errors.js";
import type { ProviderManager } from "../manager/provider-manager.js";
import { problemsToError, recordProblem, type Problems } from "../manager/carrier-problems.js";
import { answeredOutcome, skippedOutcome, type ProviderOutcome } from "../manager/provider-outcome.js";

export interface PortabilityQuery {
  readonly numbers: readonly ParsedPhoneNumber[];
  /** Ask only this (gaining) carrier; undefined: every carrier that checks portability. */
  readonly carrierId: string | undefined;
}

export interface PortabilityResult extends CarrierPortabilityAnswer {
  /** The gaining carrier that answered. */
  readonly carrierId: string;
}

export interface PortabilityCheckResult {
  readonly results: readonly PortabilityResult[];
  /** Every configured carrier: answered, failed or skipped, and why. */
  readonly outcomes: readonly ProviderOutcome[];
}

/** Portability changes slowly but does change (a port elsewhere, a number disconnected): cached briefly. */
export const PORTABILITY_CACHE_TTL_MS = 60_000;

/**
 * CheckPortability: every gaining carrier that checks portability (or the one named) is asked, in parallel,
 * through its pipeline, for the numbers it has no fresh answer for. Results come per number and carrier, in
 * the order asked. A carrier that fails is left out while another answers; when every one fails (or the named
 * one does), the error is the request's.
 */
export class PortabilityChecker {
  readonly #manager: ProviderManager;
  readonly #cache: LRUCache<string, CarrierPortabilityAnswer>;
  /** The cache's clock and the outcomes' durations. */
  readonly #now: () => number;

  constructor(manager: ProviderManager, options: { readonly ttlMs?: number; readonly now?: () => number } = {}) {
    this.#manager = manager;
    this.#now = options.now ?? Date.now;
    this.#cache = new LRUCache({ max: 10_000, ttl: options.ttlMs ?? PORTABILITY_CACHE_TTL_MS, ttlResolution: 0, perf: { now: this.#now } });
  }

  async check(query: PortabilityQuery, signal?: AbortSignal): Promise<PortabilityCheckResult> {
    const now = this.#now;
    const { asked, skipped } = this.#carriersToAsk(query.carrierId);
    const problems: Problems = { failures: [], unavailable: [] };
    const outcomes = new Map<string, ProviderOutcome>([...skipped].map(([carrierId, detail]) => [carrierId, skippedOutcome(carrierId, detail)]));
    const answers = await Promise.all(
      asked.map(async (carrierId) => {
        const started = now();
        try {
          const answered = await this.#answersOf(carrierId, query.numbers, signal);
          outcomes.set(carrierId, answeredOutcome(carrierId, { numbersReturned: answered.length, excludedUnknownPrice: 0, excludedOverPrice: 0, durationMs: now() - started }));
          return answered;
        } catch (error) {
          outcomes.set(carrierId, recordProblem(problems, error, carrierId, now() - started));
          return [];
        }
      }),
    );
    const results = query.numbers.flatMap((number) => answers.flat().filter((answer) => answer.e164 === number.e164));
    // Nothing answered although some carrier was asked: the same error as a search nobody answered.
    if (results.length === 0 && problems.failures.length + problems.unavailable.length > 0) throw problemsToError(problems, outcomes);
    return { results, outcomes: this.#manager.registrations.flatMap((registration) => outcomes.get(registration.adapter.descriptor.id) ?? []) };
  }

  /** The carriers to ask (enabled, offering portability checks, the named one only when one is named), and why the others are not. */
  #carriersToAsk(named: string | undefined): { readonly asked: readonly string[]; readonly skipped: ReadonlyMap<string, string> } {
    const skipped = new Map<string, string>();
    const asked: string[] = [];
    for (const registration of this.#manager.registrations) {
      const carrierId = registration.adapter.descriptor.id;
      if (named !== undefined && carrierId !== named) skipped.set(carrierId, "not the requested provider_id");
      else if (!registration.enabled) skipped.set(carrierId, `disabled${registration.disabledReason ? ` (${registration.disabledReason})` : ""}`);
      else if (!this.#manager.offeredFeatures(carrierId).has("portability")) skipped.set(carrierId, "checks no portability");
      else asked.push(carrierId);
    }
    if (asked.length === 0) {
      const considered = [...skipped].filter(([carrierId]) => named === undefined || carrierId === named);
      const reasons = considered.map(([carrierId, reason]) => `${carrierId}: ${reason}`).join("; ");
      throw new NoEligibleCarrierError(`no enabled carrier checks portability${reasons ? `: ${reasons}` : ""}`, new Map(considered));
    }
    return { asked, skipped };
  }

  async #answersOf(carrierId: string, numbers: readonly ParsedPhoneNumber[], signal: AbortSignal | undefined): Promise<PortabilityResult[]> {
    const fresh = new Map<string, CarrierPortabilityAnswer>();
    for (const number of numbers) {
      const cached = this.#cache.get(cacheKey(carrierId, number.e164));
      if (cached) fresh.set(number.e164, cached);
    }
    const missing = numbers.filter((number) => !fresh.has(number.e164));
    if (missing.length > 0) {
      const answered = await this.#manager.callCarrier(
        carrierId,
        "portability",
        async (adapter, callSignal) => {
          const checks = featureMethods(adapter, "portability");
          if (!checks) throw new CarrierUnavailableError(carrierId, `numbergate does not offer portability at ${carrierId}`);
          return checks.doCheckPortability(missing, { signal: callSignal });
        },
        signal,
      );
      for (const answer of answered) {
        this.#cache.set(cacheKey(carrierId, answer.e164), answer);
        fresh.set(answer.e164, answer);
      }
    }
    return numbers.flatMap((number) => {
      const answer = fresh.get(number.e164);
      return answer ? [{ ...answer, carrierId }] : [];
    });
  }
}

function cacheKey(carrierId: string, e164: string): string {
  return `${carrierId}|${e164}`;
}
