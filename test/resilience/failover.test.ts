import { createChannel, createClientFactory, Status } from "nice-grpc";
import { deadlineMiddleware } from "nice-grpc-client-middleware-deadline";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { TelecomServiceDefinition } from "../../generated/numbergate/v1/telecom_service.js";
import { ProviderOutcomeState } from "../../generated/numbergate/v1/numbers.js";
import type { EmulatorRequest } from "../../src/carriers/emulator-kit/carrier-emulator.js";
import { captureRpcError, startHarness, type Harness } from "../support/harness.js";
import { onlyCarriers } from "../support/only-carriers.js";

/** Failover from a primary (Twilio) to a secondary (Bandwidth): the other carriers are switched off. */
const TWO_CARRIERS = onlyCarriers("twilio", "bandwidth");

const isSearch = (request: EmulatorRequest) => request.path.includes("vailable");
const SEARCH = { countryCode: "US", areaCode: "212", limit: 5 };

describe("failover: callers see no errors while the primary carrier fails", () => {
  let harness: Harness;
  // A fresh numbergate per case: health learned in one case (a carrier marked unhealthy) would reorder the next.
  beforeEach(async () => {
    harness = await startHarness({ ...TWO_CARRIERS, PROVIDER_TIMEOUT_SEARCH: "2000", PROVIDER_MAX_RETRIES: "1", PROVIDER_RETRY_DELAY: "10" }, { random: () => 0 });
  });
  afterEach(async () => {
    vi.useRealTimers();
    await harness.close();
  });

  async function expectSecondaryAnswers(): Promise<void> {
    const responses = await Promise.all(Array.from({ length: 5 }, () => harness.client.searchNumbers(SEARCH)));
    for (const response of responses) {
      expect(response.numbers).toHaveLength(5);
      expect(response.numbers.every((number) => number.providerId === "bandwidth")).toBe(true);
      expect(response.providerOutcomes[0]).toMatchObject({ providerId: "twilio", state: ProviderOutcomeState.PROVIDER_OUTCOME_STATE_FAILED });
    }
  }

  it("when the primary refuses connections", async () => {
    await harness.sandbox.twilio.refuseConnections();
    await expectSecondaryAnswers();
  });

  it("when the primary answers 503", async () => {
    harness.sandbox.twilio.faults.inject({ kind: "status", status: 503 });
    await expectSecondaryAnswers();
  });

  it("when the primary sends unreadable bodies", async () => {
    harness.sandbox.twilio.faults.inject({ kind: "malformed" });
    await expectSecondaryAnswers();
  });

  it("when the primary hangs: its share of the time runs out and the secondary answers (fake clock)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    harness.sandbox.twilio.faults.inject({ kind: "hang" });
    const pending = harness.client.searchNumbers(SEARCH);
    await vi.waitFor(() => expect(harness.sandbox.twilio.countRequests(isSearch)).toBeGreaterThan(0));
    const before = harness.sandbox.twilio.countRequests(isSearch);
    // Without a caller deadline, numbergate assumes one per-attempt timeout (2 s) per carrier: the primary may
    // use half of those 4 s. Then it is abandoned, not retried, and the secondary gets the rest.
    await vi.advanceTimersByTimeAsync(2001);
    const response = await pending;
    expect(harness.sandbox.twilio.countRequests(isSearch)).toBe(before);
    expect(response.numbers.every((number) => number.providerId === "bandwidth")).toBe(true);
    expect(response.providerOutcomes[0]).toMatchObject({ state: ProviderOutcomeState.PROVIDER_OUTCOME_STATE_FAILED, reason: "CARRIER_TIMEOUT" });
    await vi.waitFor(() => expect(harness.sandbox.twilio.openRequests).toBe(0));
  });

  it("retries a transient failure at the same carrier before failing over", async () => {
    harness.sandbox.twilio.faults.inject({ kind: "status", status: 503, times: 1 });
    const before = harness.sandbox.twilio.countRequests(isSearch);
    const response = await harness.client.searchNumbers(SEARCH);
    expect(response.numbers.every((number) => number.providerId === "twilio")).toBe(true);
    expect(harness.sandbox.twilio.countRequests(isSearch)).toBe(before + 2);
  });

  it("never retries a client error", async () => {
    harness.sandbox.twilio.faults.inject({ kind: "status", status: 400, times: 1 });
    const before = harness.sandbox.twilio.countRequests(isSearch);
    await harness.client.searchNumbers(SEARCH);
    expect(harness.sandbox.twilio.countRequests(isSearch)).toBe(before + 1);
  });
});

describe("429 with Retry-After", () => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startHarness({ ...TWO_CARRIERS, PROVIDER_MAX_RETRIES: "2", PROVIDER_RETRY_DELAY: "10", PROVIDER_MAX_RETRY_AFTER: "5000" }, { random: () => 0 });
  });
  afterEach(async () => {
    vi.useRealTimers();
    await harness.close();
  });

  it("waits exactly as long as the carrier asked, then retries at the same carrier", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    harness.sandbox.twilio.faults.inject({ kind: "rate_limit", retryAfterSeconds: 2, times: 1 });
    const before = harness.sandbox.twilio.countRequests(isSearch);
    const pending = harness.client.searchNumbers(SEARCH);
    await vi.waitFor(() => expect(harness.sandbox.twilio.countRequests(isSearch)).toBe(before + 1));
    await vi.advanceTimersByTimeAsync(1999);
    expect(harness.sandbox.twilio.countRequests(isSearch)).toBe(before + 1);
    await vi.advanceTimersByTimeAsync(1);
    const response = await pending;
    expect(harness.sandbox.twilio.countRequests(isSearch)).toBe(before + 2);
    expect(response.numbers.every((number) => number.providerId === "twilio")).toBe(true);
  });

  it("fails over at once when Retry-After is longer than PROVIDER_MAX_RETRY_AFTER", async () => {
    harness.sandbox.twilio.faults.inject({ kind: "rate_limit", retryAfterSeconds: 60, times: 1 });
    const before = harness.sandbox.twilio.countRequests(isSearch);
    const response = await harness.client.searchNumbers(SEARCH);
    expect(harness.sandbox.twilio.countRequests(isSearch)).toBe(before + 1);
    expect(response.numbers.every((number) => number.providerId === "bandwidth")).toBe(true);
    expect(response.providerOutcomes[0]).toMatchObject({ reason: "CARRIER_RATE_LIMITED" });
  });
});

describe("deadlines", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ ...TWO_CARRIERS, PROVIDER_TIMEOUT_SEARCH: "30000", PROVIDER_MAX_RETRIES: "3" });
  });
  afterAll(async () => harness.close());

  it("no carrier call outlives the caller's deadline", async () => {
    harness.sandbox.twilio.faults.inject({ kind: "hang" });
    harness.sandbox.bandwidth.faults.inject({ kind: "hang" });
    const channel = createChannel(harness.app.address);
    const client = createClientFactory().use(deadlineMiddleware).create(TelecomServiceDefinition, channel);
    const searches = () => harness.sandbox.twilio.countRequests(isSearch) + harness.sandbox.bandwidth.countRequests(isSearch);
    try {
      const started = Date.now();
      const error = await captureRpcError((options) => client.searchNumbers(SEARCH, { ...options, deadline: new Date(Date.now() + 300) }));
      expect(error.code).toBe(Status.DEADLINE_EXCEEDED);
      expect(Date.now() - started).toBeLessThan(2000);
      // The server gave up too: every hung carrier request was aborted. Each carrier was asked at most once
      // (within its share of the 300 ms), never retried.
      await vi.waitFor(() => expect(harness.sandbox.twilio.openRequests + harness.sandbox.bandwidth.openRequests).toBe(0));
      expect(harness.sandbox.twilio.countRequests(isSearch)).toBe(1);
      expect(searches()).toBeLessThanOrEqual(2);
    } finally {
      channel.close();
      harness.sandbox.twilio.faults.clear();
      harness.sandbox.bandwidth.faults.clear();
    }
  });
});
