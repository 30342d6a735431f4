import { afterEach, describe, expect, it, vi } from "vitest";
import { CarrierError } from "../../src/domain/carrier-error.js";
import { HealthMonitor, type CarrierHealthSnapshot } from "../../src/manager/carrier-health.js";
import type { CarrierRegistration } from "../../src/manager/carrier-registry.js";
import { HealthProber } from "../../src/manager/health-prober.js";
import { SlowStart } from "../../src/manager/slow-start.js";
import { HealthBroadcast } from "../../src/server/health-broadcast.js";
import { watchProviderHealth } from "../../src/server/provider-health-stream.js";

const RAMP_MS = 1_000;
const serverError = new CarrierError({ kind: "carrier_server", carrierId: "twilio", operation: "search", message: "twilio failed", requestMayHaveReachedCarrier: true });

function monitorAt(clock: { now: number }): { health: HealthMonitor; changes: CarrierHealthSnapshot[] } {
  const now = () => clock.now;
  const health = new HealthMonitor({
    carriers: [
      { carrierId: "twilio", enabled: true },
      { carrierId: "bandwidth", enabled: true },
    ],
    windowMs: 60_000,
    slowStart: new SlowStart(RAMP_MS, now),
    now,
  });
  const changes: CarrierHealthSnapshot[] = [];
  health.on("change", (snapshot) => changes.push(snapshot));
  return { health, changes };
}

afterEach(() => vi.useRealTimers());

describe("carrier health", () => {
  it("reading health never emits a change; the end of a ramp-up is announced by its timer", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const clock = { now: 0 };
    const { health, changes } = monitorAt(clock);
    health.setDrained("twilio", true);
    health.setDrained("twilio", false);
    expect(changes.map((change) => change.status)).toEqual(["disabled", "degraded"]);

    // The ramp is over by the clock, but its timer has not fired yet: reads must not announce anything.
    clock.now = RAMP_MS + 10;
    for (let read = 0; read < 5; read += 1) {
      health.snapshot("twilio");
      health.snapshots();
      health.routingState("twilio");
      void health.anyCarrierCanServe;
    }
    expect(changes).toHaveLength(2);

    vi.advanceTimersByTime(RAMP_MS + 1);
    expect(changes.map((change) => change.status)).toEqual(["disabled", "degraded", "healthy"]);
    health.dispose();
  });

  it("announces only real changes of status or breaker state", () => {
    const { health, changes } = monitorAt({ now: 0 });
    health.breakerChanged("twilio", "closed");
    for (let call = 0; call < 3; call += 1) health.attemptFinished("twilio", "search", "success", 5);
    expect(changes).toEqual([]);
    health.attemptFinished("twilio", "search", "failure", 5, serverError);
    health.attemptFinished("twilio", "search", "failure", 5, serverError);
    expect(changes.map((change) => [change.status, change.breakerState])).toEqual([["degraded", "closed"]]);
    health.breakerChanged("twilio", "open");
    health.breakerChanged("twilio", "open");
    expect(changes.map((change) => [change.status, change.breakerState])).toEqual([
      ["degraded", "closed"],
      ["unhealthy", "open"],
    ]);
    health.dispose();
  });

  it("reports the traffic weight routing uses: 0 while the carrier takes no first-choice traffic", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const clock = { now: 0 };
    const { health } = monitorAt(clock);
    const weight = () => health.snapshot("twilio")?.trafficWeight;
    expect(weight()).toBe(1);

    health.breakerChanged("twilio", "open");
    expect(health.snapshot("twilio")).toMatchObject({ status: "unhealthy", breakerState: "open", trafficWeight: 0 });
    expect(health.routingState("twilio")?.trafficWeight).toBe(0);
    // Half-open: trial calls go through.
    health.breakerChanged("twilio", "half_open");
    expect(weight()).toBe(1);
    // Closed again: it ramps up from 10%.
    health.breakerChanged("twilio", "closed");
    expect(weight()).toBeCloseTo(0.1);
    clock.now = RAMP_MS / 2;
    expect(weight()).toBeCloseTo(0.55);
    clock.now = RAMP_MS;
    vi.advanceTimersByTime(RAMP_MS + 1);
    expect(weight()).toBe(1);

    health.setDrained("twilio", true);
    expect(health.snapshot("twilio")).toMatchObject({ status: "disabled", trafficWeight: 0 });
    health.setDrained("twilio", false);
    clock.now += RAMP_MS;
    vi.advanceTimersByTime(RAMP_MS + 1);
    // Two failed probes: unhealthy, tried only after every other carrier.
    health.probeFinished("twilio", serverError);
    health.probeFinished("twilio", serverError);
    expect(health.snapshot("twilio")).toMatchObject({ status: "unhealthy", breakerState: "closed", trafficWeight: 0 });
    health.dispose();
  });

  it("serves any number of watchers without EventEmitter warnings, and each watcher removes itself", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      const { health } = monitorAt({ now: 0 });
      const broadcast = new HealthBroadcast(health);
      const before = broadcast.subscriberCount;
      // Each stream has its own call signal, as each gRPC call does.
      const calls = Array.from({ length: 50 }, () => new AbortController());
      const watchers = calls.map((call) => watchProviderHealth(broadcast, [], call.signal));
      for (const watcher of watchers) expect((await watcher.next()).value).toMatchObject({ snapshot: true });
      expect(broadcast.subscriberCount).toBe(before + 50);

      health.breakerChanged("twilio", "open");
      for (const watcher of watchers) expect((await watcher.next()).value).toMatchObject({ snapshot: false, providers: [{ providerId: "twilio" }] });
      for (const call of calls) call.abort();
      for (const watcher of watchers) expect((await watcher.next()).done).toBe(true);
      expect(broadcast.subscriberCount).toBe(before);
      // process "warning" events are emitted on a later tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([]);
      health.dispose();
    } finally {
      process.off("warning", onWarning);
    }
  });
});

describe("active probes", () => {
  it("a probe that does not answer in time counts against the carrier", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const clock = { now: 0 };
    const { health } = monitorAt(clock);
    const hanging = {
      descriptor: { id: "twilio" },
      doProbeHealth: (options: { signal?: AbortSignal }) =>
        new Promise<void>((_resolve, reject) => options.signal?.addEventListener("abort", () => reject(new Error("aborted")), { once: true })),
    } as unknown as CarrierRegistration["adapter"];
    const prober = new HealthProber({ registrations: [{ adapter: hanging, priority: 1, enabled: true, sandbox: true }], monitor: health, intervalMs: 60_000, timeoutMs: 100, cacheTtlMs: 0, now: () => clock.now });
    for (let probe = 0; probe < 2; probe += 1) {
      const probing = prober.probe("twilio");
      await vi.advanceTimersByTimeAsync(100);
      await probing;
    }
    expect(health.snapshot("twilio")?.status).toBe("unhealthy");
  });
});
