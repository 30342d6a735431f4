import { describe, expect, it } from "vitest";
import { HealthMonitor } from "../../src/manager/carrier-health.js";
import { SlowStart } from "../../src/manager/slow-start.js";
import { HealthBroadcast } from "../../src/server/health-broadcast.js";
import { MAX_PENDING_CHANGES, watchProviderHealth } from "../../src/server/provider-health-stream.js";

function monitor(): HealthMonitor {
  const now = () => 0;
  return new HealthMonitor({
    carriers: [
      { carrierId: "twilio", enabled: true },
      { carrierId: "bandwidth", enabled: true },
    ],
    windowMs: 60_000,
    slowStart: new SlowStart(0, now),
    now,
  });
}

describe("WatchProviderHealth streams", () => {
  it("a watcher that does not read never delays another; it is cut off when too far behind", async () => {
    const health = monitor();
    const controller = new AbortController();
    const slow = watchProviderHealth(new HealthBroadcast(health), [], controller.signal);
    const fast = watchProviderHealth(new HealthBroadcast(health), [], controller.signal);
    expect((await slow.next()).value).toMatchObject({ snapshot: true });
    expect((await fast.next()).value).toMatchObject({ snapshot: true });

    for (let index = 0; index <= MAX_PENDING_CHANGES; index += 1) {
      health.breakerChanged("twilio", index % 2 === 0 ? "open" : "closed");
      const change = await fast.next();
      expect(change.value).toMatchObject({ snapshot: false, providers: [{ providerId: "twilio" }] });
    }
    // The slow watcher's queue overflowed while it did not read: it is cut off and must watch again.
    await expect(slow.next()).rejects.toMatchObject({ code: 8, details: expect.stringMatching(/fell too far behind/) });
    controller.abort();
    await expect(fast.next()).resolves.toMatchObject({ done: true });
  });

  it("filters by provider id and delivers changes in order", async () => {
    const health = monitor();
    const controller = new AbortController();
    const stream = watchProviderHealth(new HealthBroadcast(health), ["bandwidth"], controller.signal);
    expect((await stream.next()).value?.providers.map((provider) => provider.providerId)).toEqual(["bandwidth"]);
    health.breakerChanged("twilio", "open");
    health.breakerChanged("bandwidth", "open");
    health.breakerChanged("bandwidth", "half_open");
    expect((await stream.next()).value?.providers[0]).toMatchObject({ providerId: "bandwidth", breakerState: 2 });
    expect((await stream.next()).value?.providers[0]).toMatchObject({ providerId: "bandwidth", breakerState: 3 });
    controller.abort();
  });
});
