import { LRUCache } from "lru-cache";
import type { CarrierAdapter, CriteriaSupport } from "../domain/carrier-adapter.js";
import type { NumberSearchCriteria } from "../domain/numbers.js";

/** Distinct search criteria remembered per carrier: dashboards and retries repeat a few hundred at most. */
const REMEMBERED_CRITERIA = 2_000;

/**
 * Whether a carrier's adapter can serve search criteria, asked once per adapter and criteria. Adapters answer by
 * building the request they would send (a pure function of the criteria), which for five carriers cost about as
 * much as the rest of a cached search. Keyed by the adapter object: one that replaced it (rotated credentials)
 * is asked afresh.
 */
export class SearchSupport {
  readonly #verdicts = new WeakMap<CarrierAdapter, LRUCache<string, CriteriaSupport>>();

  of(adapter: CarrierAdapter, criteria: NumberSearchCriteria): CriteriaSupport {
    let verdicts = this.#verdicts.get(adapter);
    if (!verdicts) {
      verdicts = new LRUCache({ max: REMEMBERED_CRITERIA });
      this.#verdicts.set(adapter, verdicts);
    }
    const key = JSON.stringify(criteria);
    let verdict = verdicts.get(key);
    if (!verdict) {
      verdict = adapter.supportsSearch(criteria);
      verdicts.set(key, verdict);
    }
    return verdict;
  }
}
