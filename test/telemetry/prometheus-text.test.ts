import { describe, expect, it } from "vitest";
import { parsePrometheusText, samplesOf } from "../support/prometheus-text.js";

describe("the strict Prometheus text parser the metrics tests use", () => {
  it("reads families, labels with escapes, special values and histograms", () => {
    const families = parsePrometheusText(
      [
        "# HELP calls_total Calls",
        "# UNIT calls_total {call}",
        "# TYPE calls_total counter",
        'calls_total{carrier="a\\"b\\\\c\\nd"} 3',
        "# TYPE latency histogram",
        'latency_count{m="x"} 2',
        'latency_sum{m="x"} 0.5',
        'latency_bucket{m="x",le="0.1"} 1',
        'latency_bucket{m="x",le="+Inf"} 2',
        "# TYPE up gauge",
        "up NaN 1700000000000",
        "",
      ].join("\n"),
    );
    expect(families.get("calls_total")).toMatchObject({ type: "counter", help: "Calls" });
    expect(samplesOf(families, "calls_total")[0]?.labels).toEqual({ carrier: 'a"b\\c\nd' });
    expect(samplesOf(families, "latency_bucket", { le: "+Inf" })[0]?.value).toBe(2);
    expect(samplesOf(families, "up")[0]?.value).toBeNaN();
  });

  it.each([
    ["a sample without its TYPE", "orphan 1\n"],
    ["an unterminated label", '# TYPE a gauge\na{b="c 1\n'],
    ["a bad value", "# TYPE a gauge\na one\n"],
    ["a series twice", "# TYPE a gauge\na 1\na 2\n"],
    ["a TYPE after its samples", "# TYPE a gauge\na 1\n# TYPE a gauge\n"],
    ["buckets that shrink", '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_count 1\nh_sum 1\n'],
    ["a _count that is not the +Inf bucket", '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_count 1\nh_sum 1\n'],
    ["no final newline", "# TYPE a gauge\na 1"],
  ])("refuses %s", (_case, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });
});
