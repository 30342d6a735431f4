import { Status } from "nice-grpc";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Capability } from "../../generated/numbergate/v1/common.js";
import { NumberOrderState, type PurchaseNumberRequest } from "../../generated/numbergate/v1/numbers.js";
import { CARRIERS } from "../../src/carriers/registry.js";
import { DATABASES } from "../support/databases.js";
import { captureRpcError, startHarness, type Harness } from "../support/harness.js";

const FAST_LIFECYCLE = { NUMBERGATE_SWEEP_INTERVAL: "50", NUMBERGATE_ORDER_CHECK_INTERVAL: "50" };
/** Twilio and Bandwidth are the carriers under test; any other registered carrier is disabled, so the substitute comes from Twilio. */
const ONLY_TWILIO_AND_BANDWIDTH = Object.fromEntries(
  // Widened from the registry's literal tuple: the filter must compile whichever carriers it lists.
  (CARRIERS as readonly { readonly id: string; readonly envPrefix: string }[]).filter((carrier) => carrier.id !== "twilio" && carrier.id !== "bandwidth").map((carrier) => [`${carrier.envPrefix}_ENABLED`, "false"]),
);

describe.each(DATABASES)("PurchaseNumber with allow_substitute on $name", (database) => {
  let harness: Harness | undefined;
  const open = async (environment: Record<string, string> = {}) => {
    harness = await startHarness({ ...FAST_LIFECYCLE, ...ONLY_TWILIO_AND_BANDWIDTH, DATABASE_URL: await database.fresh(), ...environment });
    return harness;
  };
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  async function bandwidthNumber(subject: Harness, areaCode: string): Promise<string> {
    const { numbers } = await subject.client.searchNumbers({ countryCode: "US", areaCode, providerIds: ["bandwidth"], limit: 1 });
    const phoneNumber = numbers[0]?.phoneNumber;
    if (!phoneNumber) throw new Error(`no number in ${areaCode} at bandwidth`);
    return phoneNumber;
  }

  const request = (requestId: string, phoneNumber: string, extra: Partial<PurchaseNumberRequest> = {}) => ({ requestId, phoneNumber, providerId: "bandwidth", allowSubstitute: true, ...extra });

  it("buys an equivalent number at another carrier when the offering one is drained; retries answer the same substitute", async () => {
    const subject = await open();
    const phoneNumber = await bandwidthNumber(subject, "212");
    await subject.client.setProviderEnabled({ providerId: "bandwidth", enabled: false, reason: "carrier maintenance" });

    const answer = await subject.client.purchaseNumber(request("sub-drained", phoneNumber));
    expect(answer.order).toMatchObject({ state: NumberOrderState.NUMBER_ORDER_STATE_COMPLETED, providerId: "twilio", requestId: "sub-drained" });
    expect(answer.substitution).toMatchObject({ requestedPhoneNumber: phoneNumber, requestedProviderId: "bandwidth" });
    expect(answer.substitution?.reason).toMatch(/drained/);
    const bought = answer.ownedNumber?.phoneNumber ?? "";
    // Same country, type and area code, at least voice and SMS (the type's defaults: nothing was cached).
    expect(bought).toMatch(/^\+1212\d{7}$/);
    expect(answer.ownedNumber?.capabilities).toEqual(expect.arrayContaining([Capability.CAPABILITY_VOICE, Capability.CAPABILITY_SMS]));
    expect(subject.sandbox.twilio.purchases).toEqual([bought]);
    expect(subject.sandbox.bandwidth.numbers.purchases).toEqual([]);

    // Exactly once: the same request_id answers the same substitute, and buys nothing more.
    expect(await subject.client.purchaseNumber(request("sub-drained", phoneNumber))).toEqual(answer);
    expect(subject.sandbox.twilio.purchases).toEqual([bought]);
    expect((await subject.client.getNumberOrder({ orderId: answer.order?.orderId ?? "" })).order?.requestId).toBe("sub-drained");

    // The audit log records both sides of the substitution.
    const audit = await subject.app.store.audit.list(0, 200);
    const substituted = audit.find((entry) => entry.operation === "order.substituted");
    expect(substituted).toMatchObject({ requestId: "sub-drained", carrierId: "bandwidth", outcome: "replaced" });
    expect(substituted?.detail).toContain(`bought ${bought} at twilio instead (order ${answer.order?.orderId})`);
    expect(audit.find((entry) => entry.resourceId === answer.order?.orderId && entry.operation === "order.created")?.detail).toContain(`substitute for ${phoneNumber} at bandwidth`);

    // Off by default: without allow_substitute the drained carrier's refusal is the answer.
    const other = await captureRpcError((options) => subject.client.purchaseNumber({ requestId: "plain", phoneNumber, providerId: "bandwidth" }, options));
    expect(other.code).toBe(Status.UNAVAILABLE);
    expect(other.rich?.errorInfo?.reason).toBe("CARRIER_UNAVAILABLE");
    expect(subject.sandbox.twilio.purchases).toEqual([bought]);
  });

  it("buys a substitute when the offering carrier refuses connections, within max_monthly_rate_cents; none above it", async () => {
    const subject = await open();
    const [withinLimit, overLimit] = [await bandwidthNumber(subject, "415"), await bandwidthNumber(subject, "303")];
    await subject.sandbox.bandwidth.refuseConnections();
    try {
      // Twilio's local numbers cost 115 cents in the sample price table.
      const answer = await subject.client.purchaseNumber(request("sub-refused", withinLimit, { maxMonthlyRateCents: 200 }));
      expect(answer.order).toMatchObject({ state: NumberOrderState.NUMBER_ORDER_STATE_COMPLETED, providerId: "twilio" });
      expect(answer.ownedNumber?.phoneNumber).toMatch(/^\+1415\d{7}$/);
      expect(answer.ownedNumber?.monthlyPrice).toEqual({ currencyCode: "USD", amountCents: 115 });
      expect(answer.substitution).toMatchObject({ requestedPhoneNumber: withinLimit, requestedProviderId: "bandwidth" });

      const tooExpensive = await captureRpcError((options) => subject.client.purchaseNumber(request("sub-cheap", overLimit, { maxMonthlyRateCents: 100 }), options));
      expect(tooExpensive.code).toBe(Status.UNAVAILABLE);
      expect(tooExpensive.rich?.errorInfo).toMatchObject({ reason: "CARRIER_NETWORK_ERROR", metadata: { carrier: "bandwidth" } });
      // Recorded: a retry replays the same error, even though the limit is the only obstacle.
      const again = await captureRpcError((options) => subject.client.purchaseNumber(request("sub-cheap", overLimit, { maxMonthlyRateCents: 100 }), options));
      expect(again).toEqual(tooExpensive);
      expect(subject.sandbox.twilio.purchases).toEqual([answer.ownedNumber?.phoneNumber]);
      const audit = await subject.app.store.audit.list(0, 200);
      expect(audit.find((entry) => entry.operation === "order.substitute_not_found")).toMatchObject({ requestId: "sub-cheap", outcome: "none_found" });
    } finally {
      await subject.sandbox.bandwidth.acceptConnections();
    }
  });

  it("never substitutes a purchase that may have reached its carrier", async () => {
    const subject = await open({ PROVIDER_TIMEOUT_PURCHASE: "300", NUMBERGATE_IN_DOUBT_GRACE: "400", NUMBERGATE_PURCHASE_WAIT: "0" });
    const phoneNumber = await bandwidthNumber(subject, "202");
    // The connection breaks after the request was sent: Bandwidth may have taken the order.
    subject.sandbox.bandwidth.faults.inject({ kind: "reset", method: "POST", pathIncludes: "/orders", times: 1 });
    const first = await subject.client.purchaseNumber(request("sub-doubt", phoneNumber));
    expect(first.order?.providerId).toBe("bandwidth");
    expect(first.substitution).toBeUndefined();
    const orderId = first.order?.orderId ?? "";
    await vi.waitFor(async () => expect((await subject.client.getNumberOrder({ orderId })).order?.state).toBe(NumberOrderState.NUMBER_ORDER_STATE_FAILED), { timeout: 5_000 });
    // Not bought after all, but it could have been: the retry answers the failure, never a substitute.
    const retry = await captureRpcError((options) => subject.client.purchaseNumber(request("sub-doubt", phoneNumber), options));
    expect(retry.rich?.errorInfo).toMatchObject({ reason: "CARRIER_DID_NOT_ACT", metadata: { order_id: orderId, carrier: "bandwidth" } });
    expect(subject.sandbox.twilio.purchases).toEqual([]);
  });

  it("20 concurrent retries of one request while the carrier is drained: one substitute bought, 20 identical answers", async () => {
    const subject = await open();
    const phoneNumber = await bandwidthNumber(subject, "312");
    await subject.client.setProviderEnabled({ providerId: "bandwidth", enabled: false });
    const answers = await Promise.all(Array.from({ length: 20 }, () => subject.client.purchaseNumber(request("sub-race", phoneNumber))));
    expect(subject.sandbox.twilio.purchases).toHaveLength(1);
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0]?.ownedNumber?.phoneNumber).toBe(subject.sandbox.twilio.purchases[0]);
    expect((await subject.client.listNumbers({})).numbers.map((number) => number.phoneNumber)).toEqual(subject.sandbox.twilio.purchases);
  });
});
