import { Status, type CallOptions } from "nice-grpc";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { captureRpcError, startHarness, type Harness } from "../support/harness.js";
import { onlyCarriers } from "../support/only-carriers.js";

const OPEN_MS = 60_000;
const SEARCH = { countryCode: "US", areaCode: "212" };

let harness: Harness;
beforeEach(async () => {
  harness = await startHarness({
    ...onlyCarriers("twilio"),
    PROVIDER_BREAKER_WINDOW: "2",
    PROVIDER_BREAKER_MIN_CALLS: "2",
    PROVIDER_CIRCUIT_BREAKER_TIMEOUT: String(OPEN_MS),
  });
});
afterEach(async () => harness.close());

/** Two failed searches fill the window: Twilio's breaker opens for OPEN_MS. */
async function openTwilioBreaker(): Promise<void> {
  harness.sandbox.twilio.faults.inject({ kind: "status", status: 503, times: 2 });
  for (let attempt = 0; attempt < 2; attempt += 1) await captureRpcError((options) => harness.client.searchNumbers(SEARCH, options));
}

describe("CARRIER_UNAVAILABLE carries google.rpc.RetryInfo whenever numbergate knows when to retry", () => {
  it.each([
    ["SearchNumbers", (options: CallOptions) => harness.client.searchNumbers(SEARCH, options)],
    ["CheckNumberAvailability", (options: CallOptions) => harness.client.checkNumberAvailability({ phoneNumber: "+12125550123", providerId: "twilio" }, options)],
    ["ReserveNumber", (options: CallOptions) => harness.client.reserveNumber({ phoneNumber: "+12125550123", providerId: "twilio" }, options)],
  ])("%s while the breaker is open: RetryInfo is the time until its next trial call", async (_rpc, call) => {
    await openTwilioBreaker();
    const error = await captureRpcError(call);
    expect(error.code).toBe(Status.UNAVAILABLE);
    expect(error.rich?.errorInfo?.reason).toBe("CARRIER_UNAVAILABLE");
    const seconds = error.rich?.retryInfo?.retryDelay?.seconds ?? -1;
    expect(seconds).toBeGreaterThan(OPEN_MS / 1000 - 10);
    expect(seconds).toBeLessThanOrEqual(OPEN_MS / 1000);
  });

  it("a drained carrier has no known end: no RetryInfo", async () => {
    await harness.client.setProviderEnabled({ providerId: "twilio", enabled: false, reason: "maintenance" });
    const error = await captureRpcError((options) => harness.client.reserveNumber({ phoneNumber: "+12125550123", providerId: "twilio" }, options));
    expect(error.code).toBe(Status.UNAVAILABLE);
    expect(error.rich?.errorInfo?.reason).toBe("CARRIER_UNAVAILABLE");
    expect(error.rich?.retryInfo).toBeUndefined();
  });
});
