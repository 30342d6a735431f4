import { Status } from "nice-grpc";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { CarrierEmulator } from "../../src/carriers/emulator-kit/carrier-emulator.js";
import type { FaultRule } from "../../src/carriers/emulator-kit/faults.js";
import { CARRIERS } from "../../src/carriers/registry.js";
import { captureRpcError, startHarness, type Harness } from "../support/harness.js";
import { onlyCarriers } from "../support/only-carriers.js";
import { sendsRetryHint } from "../support/retry-hint.js";

function emulatorOf(harness: Harness, carrierId: string): CarrierEmulator {
  const emulator = harness.sandbox.emulators.get(carrierId);
  if (!emulator) throw new Error(`no emulator for ${carrierId}`);
  return emulator;
}

/** Every secret the emulators were started with (the variables each carrier marks secret). */
function emulatorSecrets(harness: Harness): string[] {
  return CARRIERS.flatMap((carrier) => Object.entries(carrier.variables).filter(([, variable]) => "secret" in variable && variable.secret === true).flatMap(([name]) => harness.sandbox.environment[name] ?? []));
}

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

describe.each(CARRIERS.map((definition) => ({ carrier: definition.id })))("$carrier error answers map to gRPC codes", ({ carrier }) => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness(onlyCarriers(carrier));
  });
  afterAll(async () => harness.close());
  afterEach(() => emulatorOf(harness, carrier).faults.clear());

  it.each(cases)("$fault.kind $fault.status -> $reason", async ({ fault, code, reason }) => {
    // Some carriers say when to retry (Twilio Retry-After; Bandwidth X-RateLimit-Reset, epoch seconds; Telnyx
    // x-ratelimit-reset, seconds to go); Plivo and Vonage document none, and numbergate does not invent one.
    const retryHint = fault.kind === "rate_limit" && (await sendsRetryHint(emulatorOf(harness, carrier)));
    emulatorOf(harness, carrier).faults.inject(fault);
    const error = await captureRpcError((options) => harness.client.searchNumbers({ countryCode: "US", areaCode: "212" }, options));
    expect(error.code).toBe(code);
    expect(error.rich?.errorInfo?.reason).toBe(reason);
    expect(error.rich?.errorInfo?.metadata["carrier"]).toBe(carrier);
    expect(error.rich?.status.code).toBe(code);
    if (fault.kind === "rate_limit" && !retryHint) expect(error.rich?.retryInfo).toBeUndefined();
    if (retryHint) {
      const seconds = error.rich?.retryInfo?.retryDelay?.seconds ?? -1;
      expect(seconds).toBeGreaterThanOrEqual(5);
      expect(seconds).toBeLessThanOrEqual(8);
    }
  });

  it("refused connections map to UNAVAILABLE", async () => {
    await emulatorOf(harness, carrier).refuseConnections();
    try {
      const error = await captureRpcError((options) => harness.client.searchNumbers({ countryCode: "US", areaCode: "212" }, options));
      expect(error.code).toBe(Status.UNAVAILABLE);
      expect(error.rich?.errorInfo?.reason).toBe("CARRIER_NETWORK_ERROR");
    } finally {
      await emulatorOf(harness, carrier).acceptConnections();
    }
  });

  it("never leaks the carrier's body or credentials into the error", async () => {
    emulatorOf(harness, carrier).faults.inject({ kind: "status", status: 401 });
    const error = await captureRpcError((options) => harness.client.searchNumbers({ countryCode: "US", areaCode: "212" }, options));
    const secrets = emulatorSecrets(harness);
    expect(secrets.filter((secret) => secret.length >= 8).length).toBeGreaterThanOrEqual(CARRIERS.length);
    for (const secret of secrets) {
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
    // A different failure at each carrier, in turn.
    const failures: readonly { fault: FaultRule; reason: string }[] = [
      { fault: { kind: "status", status: 503, times: 1 }, reason: "CARRIER_SERVER_ERROR" },
      { fault: { kind: "status", status: 401, times: 1 }, reason: "CARRIER_AUTH_FAILED" },
      { fault: { kind: "rate_limit", retryAfterSeconds: 3, times: 1 }, reason: "CARRIER_RATE_LIMITED" },
      { fault: { kind: "malformed", times: 1 }, reason: "CARRIER_SERVER_ERROR" },
      { fault: { kind: "reset", times: 1 }, reason: "CARRIER_NETWORK_ERROR" },
    ];
    const faults = Object.fromEntries(CARRIERS.map((carrier, index) => [carrier.id, failures[index % failures.length] as (typeof failures)[number]]));
    for (const [carrierId, { fault }] of Object.entries(faults)) emulatorOf(harness, carrierId).faults.inject(fault);
    const error = await captureRpcError((options) => harness.client.searchNumbers({ countryCode: "US", areaCode: "212" }, options));
    expect(error.code).toBe(Status.UNAVAILABLE);
    expect(error.rich?.errorInfo?.reason).toBe("ALL_CARRIERS_FAILED");
    expect(error.rich?.errorInfo?.metadata).toEqual(Object.fromEntries(Object.entries(faults).map(([carrierId, { reason }]) => [carrierId, reason])));
  });
});
