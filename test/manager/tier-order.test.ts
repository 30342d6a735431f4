import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import type { CarrierId } from "../../src/domain/numbers.js";
import { HealthMonitor } from "../../src/manager/carrier-health.js";
import type { CarrierRegistration } from "../../src/manager/carrier-registry.js";
import { planRoute } from "../../src/manager/carrier-selection.js";
import { LatencyEwma, LATENCY_DECAY_MS } from "../../src/manager/latency-ewma.js";
import { SlowStart } from "../../src/manager/slow-start.js";
import { leastLatencyOrder, orderTier, weightedOrder } from "../../src/manager/tier-order.js";
import { descriptor, ScriptedCarrier } from "./scripted-carrier.js";

function registration(id: CarrierId, priority: number, weight?: number): CarrierRegistration {
  return { adapter: new ScriptedCarrier(descriptor(id)), priority, weight, enabled: true, sandbox: true };
}

/** 0, 1/n, 2/n, ... (n-1)/n over and over: every part of [0, 1) drawn equally often. */
function evenDraws(count: number): () => number {
  let index = 0;
  return () => (index++ % count) / count;
}

const ids = (registrations: readonly CarrierRegistration[]) => registrations.map((entry) => entry.adapter.descriptor.id);

describe("weighted selection among equal priorities", () => {
  it("puts each carrier first in proportion to its weight (1 and 3: 25% and 75%)", () => {
    const tier = [registration("bandwidth", 1, 1), registration("twilio", 1, 3)];
    const random = evenDraws(1000);
    const first = new Map<string, number>();
    for (let draw = 0; draw < 1000; draw += 1) {
      const [head] = ids(weightedOrder(tier, random));
      first.set(head ?? "", (first.get(head ?? "") ?? 0) + 1);
    }
    expect(first.get("bandwidth")).toBe(250);
    expect(first.get("twilio")).toBe(750);
  });

  it("draws the rest of the order by weight too, and never loses a carrier", () => {
    const tier = [registration("a", 1, 1), registration("b", 1, 1), registration("c", 1, 2)];
    // 0.6 of 4 falls in c (2..4), then 0.1 of 2 in a.
    const draws = [0.6, 0.1];
    expect(ids(weightedOrder(tier, () => draws.shift() ?? 0))).toEqual(["c", "a", "b"]);
  });

  it("draws nothing for a tier of one, so other random draws (slow start, jitter) are not shifted", () => {
    let draws = 0;
    orderTier([registration("twilio", 1)], { mode: "weighted", random: () => (draws += 1) / 10, latencyOf: () => undefined });
    orderTier([registration("twilio", 1), registration("bandwidth", 1)], { mode: "priority", random: () => (draws += 1) / 10, latencyOf: () => undefined });
    expect(draws).toBe(0);
  });
});

describe("least-latency selection (power of two choices over a peak EWMA)", () => {
  it("of two carriers, the one with the lower latency goes first; never measured counts as fastest", () => {
    const tier = [registration("bandwidth", 1), registration("twilio", 1)];
    const latencies = new Map<string, number>([["bandwidth", 120], ["twilio", 30]]);
    const context = { random: Math.random, latencyOf: (carrierId: string) => latencies.get(carrierId) };
    for (let round = 0; round < 20; round += 1) expect(ids(leastLatencyOrder(tier, context))).toEqual(["twilio", "bandwidth"]);
    latencies.delete("bandwidth");
    expect(ids(leastLatencyOrder(tier, context))).toEqual(["bandwidth", "twilio"]);
  });

  it("compares two random candidates, not all: of three, the fastest need not come first", () => {
    const tier = [registration("a", 1), registration("b", 1), registration("c", 1)];
    const latencies = new Map<string, number>([["a", 300], ["b", 10], ["c", 20]]);
    // Draws pick positions: first candidate a (0), second c (of the other two: index 1 -> c).
    const draws = [0, 0.6, 0, 0];
    const order = leastLatencyOrder(tier, { random: () => draws.shift() ?? 0, latencyOf: (carrierId) => latencies.get(carrierId) });
    expect(ids(order)).toEqual(["c", "b", "a"]);
  });

  it("a peak EWMA jumps to a slow observation at once, blends fast ones in, and decays while unobserved (injected clock)", () => {
    let now = 0;
    const ewma = new LatencyEwma(() => now);
    expect(ewma.estimate("twilio|search")).toBeUndefined();
    ewma.observe("twilio|search", 40, true);
    now += 100;
    ewma.observe("twilio|search", 500, true);
    expect(ewma.estimate("twilio|search")).toBe(500);
    now += 1_000;
    ewma.observe("twilio|search", 40, true);
    const blended = ewma.estimate("twilio|search") ?? 0;
    expect(blended).toBeGreaterThan(40);
    expect(blended).toBeLessThan(500);
    // A fast failure is no evidence of speed; a slow one is evidence of slowness.
    ewma.observe("twilio|search", 1, false);
    expect(ewma.estimate("twilio|search")).toBeCloseTo(blended, 5);
    ewma.observe("twilio|search", 2_000, false);
    expect(ewma.estimate("twilio|search")).toBe(2_000);
    now += LATENCY_DECAY_MS;
    expect(ewma.estimate("twilio|search")).toBeCloseTo(2_000 / Math.E, 5);
  });
});

describe("route plans: priority tiers", () => {
  const now = () => 0;
  const healthOf = (carrierIds: readonly string[]) => new HealthMonitor({ carriers: carrierIds.map((carrierId) => ({ carrierId, enabled: true })), windowMs: 60_000, slowStart: new SlowStart(0, now), now });

  it("groups equal priorities into one tier, best first, each ordered by the selection mode", () => {
    const eligible = [registration("bandwidth", 1, 1), registration("twilio", 1, 3), registration("telnyx", 2), registration("plivo", 3), registration("vonage", 3)];
    const health = healthOf(ids(eligible));
    const routing = { health, breakerRetryAfterMs: () => undefined, random: () => 0.9 };
    const plan = planRoute(eligible, routing, { mode: "weighted", random: () => 0.9, latencyOf: () => undefined });
    expect(plan.tiers.map(ids)).toEqual([["twilio", "bandwidth"], ["telnyx"], ["vonage", "plivo"]]);
    const byPriority = planRoute(eligible, routing, { mode: "priority", random: () => 0.9, latencyOf: () => undefined });
    expect(byPriority.tiers.map(ids)).toEqual([["bandwidth", "twilio"], ["telnyx"], ["plivo", "vonage"]]);
  });

  it("skips drained carriers and puts demoted ones (ramping up, not drawn) in tiers after the rest", () => {
    let clock = 0;
    const slowStart = new SlowStart(1_000, () => clock);
    const eligible = [registration("bandwidth", 1), registration("twilio", 1), registration("telnyx", 2)];
    const health = new HealthMonitor({ carriers: ids(eligible).map((carrierId) => ({ carrierId, enabled: true })), windowMs: 60_000, slowStart, now: () => clock });
    health.setDrained("bandwidth", true);
    health.setDrained("twilio", true);
    health.setDrained("twilio", false);
    clock = 100;
    const plan = planRoute(eligible, { health, breakerRetryAfterMs: () => undefined, random: () => 0.99 }, { mode: "priority", random: () => 0.99, latencyOf: () => undefined });
    expect(plan.tiers.map(ids)).toEqual([["telnyx"], ["twilio"]]);
    expect(plan.skipped.get("bandwidth")?.reason).toMatch(/drained/);
    health.dispose();
  });

  it("PROVIDER_SELECTION reads priority (the default), weighted or least_latency, in any letter case", () => {
    expect(loadConfig({ NUMBERGATE_MODE: "sandbox" }).resilience.providerSelection).toBe("priority");
    expect(loadConfig({ NUMBERGATE_MODE: "sandbox", PROVIDER_SELECTION: "Weighted" }).resilience.providerSelection).toBe("weighted");
    expect(loadConfig({ NUMBERGATE_MODE: "sandbox", PROVIDER_SELECTION: "least_latency" }).resilience.providerSelection).toBe("least_latency");
    expect(() => loadConfig({ NUMBERGATE_MODE: "sandbox", PROVIDER_SELECTION: "random" })).toThrow(/PROVIDER_SELECTION must be one of priority, weighted, least_latency/);
  });
});
