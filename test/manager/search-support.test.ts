import { describe, expect, it } from "vitest";
import type { CarrierAdapter, CriteriaSupport } from "../../src/domain/carrier-adapter.js";
import type { NumberSearchCriteria } from "../../src/domain/numbers.js";
import { SearchSupport } from "../../src/manager/search-support.js";

function countingAdapter(): { adapter: CarrierAdapter; asked: NumberSearchCriteria[] } {
  const asked: NumberSearchCriteria[] = [];
  const supportsSearch = (criteria: NumberSearchCriteria): CriteriaSupport => {
    asked.push(criteria);
    return criteria.areaCode === "999" ? { supported: false, reason: "no such area" } : { supported: true };
  };
  return { adapter: { supportsSearch } as unknown as CarrierAdapter, asked };
}

const criteria: NumberSearchCriteria = { countryCode: "US", numberType: "local", areaCode: "212", features: ["voice"], limit: 10 };

describe("SearchSupport", () => {
  it("asks an adapter once per distinct criteria and remembers refusals with their reason", () => {
    const support = new SearchSupport();
    const { adapter, asked } = countingAdapter();
    expect(support.of(adapter, criteria)).toEqual({ supported: true });
    expect(support.of(adapter, { ...criteria })).toEqual({ supported: true });
    expect(support.of(adapter, { ...criteria, areaCode: "999" })).toEqual({ supported: false, reason: "no such area" });
    expect(support.of(adapter, { ...criteria, areaCode: "999" })).toEqual({ supported: false, reason: "no such area" });
    expect(support.of(adapter, { ...criteria, limit: 20 })).toEqual({ supported: true });
    expect(asked.map((each) => [each.areaCode, each.limit])).toEqual([
      ["212", 10],
      ["999", 10],
      ["212", 20],
    ]);
  });

  it("asks a replacing adapter (rotated credentials) afresh", () => {
    const support = new SearchSupport();
    const first = countingAdapter();
    const second = countingAdapter();
    support.of(first.adapter, criteria);
    support.of(second.adapter, criteria);
    expect([first.asked.length, second.asked.length]).toEqual([1, 1]);
  });
});
