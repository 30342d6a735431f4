import { describe, expect, it } from "vitest";
import { TelecomServiceDefinition } from "../../generated/numbergate/v1/telecom_service.js";
import { WatchProviderHealthResponse } from "../../generated/numbergate/v1/providers.js";
import { HealthMonitor } from "../../src/manager/carrier-health.js";
import { SlowStart } from "../../src/manager/slow-start.js";
import { HealthBroadcast } from "../../src/server/health-broadcast.js";
import { shareResponseEncoding } from "../../src/server/shared-encoding.js";

function monitor(): HealthMonitor {
  const now = () => 0;
  return new HealthMonitor({ carriers: [{ carrierId: "twilio", enabled: true }, { carrierId: "bandwidth", enabled: true }], windowMs: 60_000, slowStart: new SlowStart(0, now), now });
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe("the health broadcast", () => {
  it("fans a change out after the call that made it, as one message object shared by every watcher of that carrier", async () => {
    const health = monitor();
    const broadcast = new HealthBroadcast(health);
    const received: { watcher: number; message: WatchProviderHealthResponse }[] = [];
    for (let watcher = 0; watcher < 2500; watcher += 1) {
      broadcast.subscribe({ watches: (carrierId) => watcher % 2 === 0 || carrierId === "bandwidth", deliver: (message) => received.push({ watcher, message }) });
    }
    health.setDrained("twilio", true);
    // The drain returned without delivering anything: the fan-out is not on its path.
    expect(received).toEqual([]);
    while (received.length < 1250) await nextTurn();
    await nextTurn();
    expect(received).toHaveLength(1250);
    expect(new Set(received.map((entry) => entry.message)).size).toBe(1);
    expect(received[0]?.message).toMatchObject({ snapshot: false, providers: [{ providerId: "twilio" }] });
    broadcast.close();
    health.dispose();
  });
});

describe("shareResponseEncoding", () => {
  it("encodes a message object once and hands the same bytes to every stream that writes it", () => {
    const definition = shareResponseEncoding(TelecomServiceDefinition, "watchProviderHealth");
    const encode = definition.methods.watchProviderHealth.responseType.encode;
    const message: WatchProviderHealthResponse = { providers: [], snapshot: true };
    const first = encode(message).finish();
    expect(encode(message).finish()).toBe(first);
    expect(WatchProviderHealthResponse.decode(first)).toEqual(message);
    // Another object with the same content is encoded on its own; other methods are untouched.
    expect(encode({ providers: [], snapshot: true }).finish()).not.toBe(first);
    expect(definition.methods.searchNumbers).toBe(TelecomServiceDefinition.methods.searchNumbers);
  });
});
