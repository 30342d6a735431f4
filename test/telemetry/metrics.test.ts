import { spawnSync } from "node:child_process";
import { Status } from "nice-grpc";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureRpcError, startHarness, type Harness } from "../support/harness.js";
import { STATE_COUNTS_TTL_MS } from "../../src/store/state-counts.js";
import { parsePrometheusText, samplesOf, type MetricFamily } from "../support/prometheus-text.js";

/** One retry, right away, so a single injected 500 shows up as a failed attempt, a retry and then a success. */
const ONE_QUICK_RETRY = { PROVIDER_MAX_RETRIES: "1", PROVIDER_RETRY_DELAY: "1", PROVIDER_RETRY_MAX_DELAY: "1" };

let harness: Harness;
beforeAll(async () => {
  // Search answers cached a minute, so that a repeated search is a cache hit (every search below differs otherwise).
  harness = await startHarness({ ...ONE_QUICK_RETRY, SEARCH_CACHE_TTL: "60000" });
});
afterAll(async () => harness.close());

async function scrape(): Promise<{ text: string; families: Map<string, MetricFamily> }> {
  const answer = await request(`${harness.app.http.publicUrl}/metrics`);
  expect(answer.statusCode).toBe(200);
  expect(answer.headers["content-type"]).toBe("text/plain; version=0.0.4; charset=utf-8");
  const text = await answer.body.text();
  return { text, families: parsePrometheusText(text) };
}

const value = (families: Map<string, MetricFamily>, name: string, labels: Record<string, string>): number | undefined => {
  const found = samplesOf(families, name, labels);
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} series`);
  return found[0]?.value;
};

async function until(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("GET /metrics", () => {
  let text = "";
  let families = new Map<string, MetricFamily>();
  let phoneNumber = "";

  beforeAll(async () => {
    const { client, sandbox } = harness;
    const { numbers } = await client.searchNumbers({ countryCode: "US", areaCode: "212", providerIds: ["twilio"], limit: 1 });
    phoneNumber = numbers[0]?.phoneNumber ?? "";
    await client.purchaseNumber({ requestId: "metrics-purchase-1", phoneNumber, providerId: "twilio" });
    // One failed attempt (carrier 500), retried once, then answered.
    sandbox.twilio.faults.inject({ kind: "status", status: 500, times: 1 });
    await client.searchNumbers({ countryCode: "US", areaCode: "415", providerIds: ["twilio"], limit: 1 });
    // A call refused at validation: INVALID_ARGUMENT.
    expect((await captureRpcError(() => client.searchNumbers({ countryCode: "not a country", providerIds: [], limit: 1 }))).code).toBe(Status.INVALID_ARGUMENT);

    const watching = new AbortController();
    const stream = client.watchProviderHealth({ providerIds: [] }, { signal: watching.signal })[Symbol.asyncIterator]();
    expect((await stream.next()).value?.snapshot).toBe(true);
    const open = await scrape();
    expect(value(open.families, "numbergate_health_watchers", {})).toBe(1);
    watching.abort();
    await stream.next().catch(() => undefined);
    await until(async () => value((await scrape()).families, "numbergate_health_watchers", {}) === 0);
    // Order counts are cached for STATE_COUNTS_TTL_MS (the status page's first sample may have read them before
    // the purchase): a scrape after the cache turned over shows the purchase.
    await until(async () => value((await scrape()).families, "numbergate_number_orders", { state: "completed" }) === 1, STATE_COUNTS_TTL_MS + 2_000);
    ({ text, families } = await scrape());
  });

  it("is the Prometheus text format, served on numbergate's HTTP port", () => {
    expect(families.size).toBeGreaterThan(5);
    expect(text).not.toContain(phoneNumber);
    expect(text).not.toContain(phoneNumber.slice(2));
  });

  it("times every RPC by service, method and status: rpc_server_call_duration", () => {
    expect(families.get("rpc_server_call_duration")?.type).toBe("histogram");
    const search = { rpc_system: "grpc", rpc_service: "numbergate.v1.TelecomService", rpc_method: "SearchNumbers" };
    expect(value(families, "rpc_server_call_duration_count", { ...search, rpc_grpc_status_code: "0" })).toBe(2);
    expect(value(families, "rpc_server_call_duration_count", { ...search, rpc_grpc_status_code: String(Status.INVALID_ARGUMENT) })).toBe(1);
    expect(value(families, "rpc_server_call_duration_count", { ...search, rpc_method: "PurchaseNumber", rpc_grpc_status_code: "0" })).toBe(1);
    const sum = value(families, "rpc_server_call_duration_sum", { ...search, rpc_grpc_status_code: "0" }) ?? 0;
    expect(sum).toBeGreaterThan(0);
    expect(sum).toBeLessThan(30); // seconds, not milliseconds
    // The stream is recorded once it ended: the client cancelled it.
    expect(value(families, "rpc_server_call_duration_count", { ...search, rpc_method: "WatchProviderHealth", rpc_grpc_status_code: String(Status.CANCELLED) })).toBe(1);
  });

  it("counts carrier attempts by outcome, with the carrier error kind of a failure, and the retry", () => {
    expect(families.get("numbergate_carrier_calls_total")?.type).toBe("counter");
    const twilioSearch = { carrier: "twilio", operation: "search" };
    expect(value(families, "numbergate_carrier_calls_total", { ...twilioSearch, outcome: "failure", error_type: "carrier_server" })).toBe(1);
    expect(value(families, "numbergate_carrier_calls_total", { ...twilioSearch, outcome: "success" })).toBe(2);
    expect(value(families, "numbergate_carrier_calls_total", { carrier: "twilio", operation: "purchase", outcome: "success" })).toBe(1);
    expect(value(families, "numbergate_carrier_call_duration_count", { ...twilioSearch, outcome: "failure", error_type: "carrier_server" })).toBe(1);
    expect(value(families, "numbergate_carrier_call_duration_count", { ...twilioSearch, outcome: "success" })).toBe(2);
    expect(value(families, "numbergate_carrier_retries_total", twilioSearch)).toBe(1);
  });

  it("reports each carrier's health, breaker state and traffic weight", () => {
    const carriers = harness.app.manager.registrations.map((registration) => registration.adapter.descriptor.id);
    expect(carriers.length).toBeGreaterThan(1);
    for (const carrier of carriers) {
      const statuses = samplesOf(families, "numbergate_carrier_health_status", { carrier });
      expect(statuses.map((sample) => sample.labels["status"]).sort()).toEqual(["degraded", "disabled", "healthy", "unhealthy"]);
      expect(statuses.reduce((total, sample) => total + sample.value, 0)).toBe(1);
      expect(value(families, "numbergate_carrier_breaker_state", { carrier })).toBe(0);
      const weight = value(families, "numbergate_carrier_traffic_weight", { carrier }) ?? -1;
      expect(weight).toBeGreaterThanOrEqual(0);
      expect(weight).toBeLessThanOrEqual(1);
    }
    // Ready as /readyz says: the store answers and carriers can serve.
    expect(families.get("numbergate_ready")?.type).toBe("gauge");
    expect(value(families, "numbergate_ready", {})).toBe(1);
    const snapshot = harness.app.manager.health.snapshot("twilio");
    expect(value(families, "numbergate_carrier_health_status", { carrier: "twilio", status: snapshot?.status ?? "" })).toBe(1);
  });

  it("counts number orders and porting orders by state, in_doubt included", () => {
    expect(value(families, "numbergate_number_orders", { state: "completed" })).toBe(1);
    expect(value(families, "numbergate_number_orders", { state: "in_doubt" })).toBe(0);
    expect(value(families, "numbergate_number_orders", { state: "pending" })).toBe(0);
    expect(families.get("numbergate_porting_orders")?.type).toBe("gauge");
    for (const state of ["pending", "submitted", "foc_scheduled", "completed", "cancelled", "failed"]) expect(value(families, "numbergate_porting_orders", { state })).toBe(0);
    expect(families.get("numbergate_health_watchers")?.type).toBe("gauge");
  });

  it("counts cache lookups by result and single-flight joins, and GetProviderMetrics answers from the same counters", async () => {
    const { client } = harness;
    const before = (await scrape()).families;
    const lookups = (families: Map<string, MetricFamily>, result: string) => value(families, "numbergate_carrier_cache_lookups_total", { carrier: "twilio", operation: "search", result }) ?? 0;
    const joins = (families: Map<string, MetricFamily>) => value(families, "numbergate_carrier_single_flight_joins_total", { carrier: "twilio", operation: "search" }) ?? 0;
    const search = { countryCode: "US", areaCode: "646", providerIds: ["twilio"], limit: 1 };
    // Two at once: one carrier call, the other search joins it; then a third is served from cache.
    await Promise.all([client.searchNumbers(search), client.searchNumbers(search)]);
    await client.searchNumbers(search);
    const after = (await scrape()).families;
    expect(lookups(after, "miss") - lookups(before, "miss")).toBe(2);
    expect(lookups(after, "hit") - lookups(before, "hit")).toBe(1);
    expect(joins(after) - joins(before)).toBe(1);

    const { providers } = await client.getProviderMetrics({ providerId: "twilio" });
    const twilio = providers[0];
    const attempts = samplesOf(after, "numbergate_carrier_calls_total", { carrier: "twilio" });
    const total = attempts.reduce((sum, sample) => sum + sample.value, 0);
    const failed = attempts.filter((sample) => sample.labels["outcome"] === "failure").reduce((sum, sample) => sum + sample.value, 0);
    expect(twilio?.totalRequests).toBe(total);
    expect(twilio?.failedRequests).toBe(failed);
    expect(twilio?.successfulRequests).toBe(total - failed);
    const allLookups = samplesOf(after, "numbergate_carrier_cache_lookups_total", { carrier: "twilio" });
    const hits = allLookups.filter((sample) => sample.labels["result"] === "hit").reduce((sum, sample) => sum + sample.value, 0);
    expect(twilio?.cacheHitRate).toBeCloseTo(hits / allLookups.reduce((sum, sample) => sum + sample.value, 0), 10);
    const durationSum = samplesOf(after, "numbergate_carrier_call_duration_sum", { carrier: "twilio" }).reduce((sum, sample) => sum + sample.value, 0);
    const averageMs = (Number(twilio?.averageResponseTime?.seconds ?? 0) * 1000 + (twilio?.averageResponseTime?.nanos ?? 0) / 1e6);
    expect(averageMs).toBeCloseTo((durationSum * 1000) / total, 0);
  });

  const promtool = spawnSync("promtool", ["--version"]).status === 0;
  it.skipIf(!promtool)("passes promtool check metrics (needs promtool: Debian package prometheus)", () => {
    const checked = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
    // Parse errors and lint findings (names, HELP, histogram shape) make it say something and exit non-zero.
    expect({ status: checked.status, output: checked.stdout + checked.stderr }).toEqual({ status: 0, output: "" });
  });
});
