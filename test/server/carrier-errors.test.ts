import { Status } from "nice-grpc";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { FaultRule } from "../../src/carriers/emulator-kit/faults.js";
import { captureRpcError, startHarness, type Harness } from "../support/harness.js";

type Carrier = "twilio" | "bandwidth";

const cases: readonly { fault: FaultRule; code: Status; reason: string }[] = [
  { fault: { kind: "status", status: 401 }, code: Status.INTERNAL, reason: "CARRIER_AUTH_FAILED" },
  { fault: { kind: "status", status: 403 }, code: Status.INTERNAL, reason: "CARRIER_AUTH_FAILED" },
  { fault: { kind: "status", status: 404 }, code: Status.NOT_FOUND, reason: "CARRIER_NOT_FOUND" },
  { fault: { kind: "status", status: 400 }, code: Status.INVALID_ARGUMENT, reason: "CARRIER_INVALID_REQUEST" },
  { fault: { kind: "rate_limit", retryAfterSeconds: 7 }, code: Status.RESOURCE_EXHAUSTED, reason: "CARRIER_RATE_LIMITED" },
  { fault: { kind: "status", status: 500 }, code: Status.UNAVAILABLE, reason: "CARRIER_SERVER_ERROR" },
  { fault: { kind: "status", status: 503 }, code: Status.UNAVAILABLE, reason: "CARRIER_SERVER_ERROR" },
  { fault: { kind: "malformed" }, code: Status.UNAVAILABLE, reason: "CARRIER_SERVER_ERROR" },
  { fault: { kind: "reset" }, code: Status.UNAVAILABLE, reason: "CARRIER_NETWORK_ERROR" },
];

describe.each<{ carrier: Carrier; other: Carrier }>([
  { carrier: "twilio", other: "bandwidth" },
  { carrier: "bandwidth", other: "twilio" },
])("$carrier error answers map to gRPC codes", ({ carrier, other }) => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ [`${other.toUpperCase()}_ENABLED`]: "false" });
  });
  afterAll(async () => harness.close());
  afterEach(() => harness.sandbox[carrier].faults.clear());

  it.each(cases)("$fault.kind $fault.status -> $reason", async ({ fault, code, reason }) => {
    harness.sandbox[carrier].faults.inject(fault);
    const error = await captureRpcError((options) => harness.client.searchNumbers({ countryCode: "US", areaCode: "212" }, options));
    expect(error.code).toBe(code);
    expect(error.rich?.errorInfo?.reason).toBe(reason);
    expect(error.rich?.errorInfo?.metadata["carrier"]).toBe(carrier);
    expect(error.rich?.status.code).toBe(code);
    if (fault.kind === "rate_limit") {
      // Twilio sends Retry-After; Bandwidth sends X-RateLimit-Reset (epoch seconds), read as a delay.
      const seconds = error.rich?.retryInfo?.retryDelay?.seconds ?? -1;
      expect(seconds).toBeGreaterThanOrEqual(5);
      expect(seconds).toBeLessThanOrEqual(8);
    }
  });

  it("refused connections map to UNAVAILABLE", async () => {
    await harness.sandbox[carrier].refuseConnections();
    try {
      const error = await captureRpcError((options) => harness.client.searchNumbers({ countryCode: "US", areaCode: "212" }, options));
      expect(error.code).toBe(Status.UNAVAILABLE);
      expect(error.rich?.errorInfo?.reason).toBe("CARRIER_NETWORK_ERROR");
    } finally {
      await harness.sandbox[carrier].acceptConnections();
    }
  });

  it("never leaks the carrier's body or credentials into the error", async () => {
    harness.sandbox[carrier].faults.inject({ kind: "status", status: 401 });
    const error = await captureRpcError((options) => harness.client.searchNumbers({ countryCode: "US", areaCode: "212" }, options));
    for (const secret of [harness.sandbox.twilio.credentials.authToken, harness.sandbox.bandwidth.credentials.password]) {
      expect(error.details).not.toContain(secret);
      expect(JSON.stringify(error.rich)).not.toContain(secret);
    }
    expect(error.details).not.toMatch(/Authenticate|<ResponseStatus>/);
  });
});

describe("when every carrier fails", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => harness.close());

  it("answers with ALL_CARRIERS_FAILED and one metadata entry per carrier", async () => {
    harness.sandbox.twilio.faults.inject({ kind: "status", status: 503, times: 1 });
    harness.sandbox.bandwidth.faults.inject({ kind: "status", status: 401, times: 1 });
    const error = await captureRpcError((options) => harness.client.searchNumbers({ countryCode: "US", areaCode: "212" }, options));
    expect(error.code).toBe(Status.UNAVAILABLE);
    expect(error.rich?.errorInfo?.reason).toBe("ALL_CARRIERS_FAILED");
    expect(error.rich?.errorInfo?.metadata).toEqual({ twilio: "CARRIER_SERVER_ERROR", bandwidth: "CARRIER_AUTH_FAILED" });
  });
});
