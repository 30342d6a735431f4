import { afterEach, describe, expect, it, vi } from "vitest";
import { NumberOrderState } from "../../generated/numbergate/v1/numbers.js";
import type { SandboxCarriers } from "../../src/app/sandbox-carriers.js";
import { DATABASES } from "../support/databases.js";
import type { Harness } from "../support/harness.js";
import { startReplicas, type Replicas } from "../support/replicas.js";

const FAST = { NUMBERGATE_SWEEP_INTERVAL: "50", NUMBERGATE_ORDER_CHECK_INTERVAL: "50" };

describe.each(DATABASES)("two numbergate replicas sharing one $name database and one set of carriers", (database) => {
  let replicas: Replicas | undefined;
  afterEach(async () => {
    await replicas?.close();
    replicas = undefined;
  });

  async function startTwo(environment: Record<string, string> = {}): Promise<[Harness, Harness, SandboxCarriers]> {
    replicas = await startReplicas(database, { ...FAST, ...environment });
    return [replicas.a, replicas.b, replicas.carriers];
  }

  it("50 concurrent purchases with one request_id spread over both: one carrier purchase, 50 identical answers", async () => {
    const [a, b, carriers] = await startTwo();
    const { numbers } = await a.client.searchNumbers({ countryCode: "US", areaCode: "617", providerIds: ["twilio"], limit: 1 });
    const phoneNumber = numbers[0]?.phoneNumber ?? "";
    const request = { requestId: "shared-req-1", phoneNumber, providerId: "twilio" };
    const answers = await Promise.all(Array.from({ length: 50 }, (_, index) => (index % 2 === 0 ? a : b).client.purchaseNumber(request)));
    expect(carriers.twilio.purchases).toEqual([phoneNumber]);
    expect(answers[0]?.order?.state).toBe(NumberOrderState.NUMBER_ORDER_STATE_COMPLETED);
    for (const answer of answers) expect(answer).toEqual(answers[0]);
  });

  it("a replica shutting down with a purchase in flight hands the order over; the other finishes it without buying again", async () => {
    const [a, b, carriers] = await startTwo({ NUMBERGATE_LEASE_TTL: "1500", PROVIDER_TIMEOUT_PURCHASE: "1000", NUMBERGATE_PURCHASE_WAIT: "0" });
    const { numbers } = await a.client.searchNumbers({ countryCode: "US", areaCode: "512", providerIds: ["twilio"], limit: 1 });
    const phoneNumber = numbers[0]?.phoneNumber ?? "";
    // Replica A's purchase reaches Twilio, which buys the number; the answer never comes back.
    carriers.twilio.faults.inject({ kind: "hang", afterHandling: true, method: "POST", pathIncludes: "IncomingPhoneNumbers", times: 1 });
    const pending = await a.client.purchaseNumber({ requestId: "orphan-1", phoneNumber, providerId: "twilio" });
    const orderId = pending.order?.orderId ?? "";
    expect(pending.order?.state).toBe(NumberOrderState.NUMBER_ORDER_STATE_PENDING);
    await vi.waitFor(() => expect(carriers.twilio.purchases).toEqual([phoneNumber]));
    // A's lease is renewed while its call runs: B does not take the order over in the meantime.
    expect((await b.app.store.orders.get(orderId))?.carrierCallStartedAt).toBeDefined();

    // A shuts down: it waits for its purchase (cut by its budget, so in doubt), records that, and frees the lease.
    await a.close();
    expect((await b.app.store.orders.get(orderId))?.state).toBe("in_doubt");
    // B takes the order over, asks Twilio, and completes it.
    await vi.waitFor(async () => expect((await b.client.getNumberOrder({ orderId })).order?.state).toBe(NumberOrderState.NUMBER_ORDER_STATE_COMPLETED), { timeout: 5000 });
    expect(carriers.twilio.purchases).toEqual([phoneNumber]);
    expect(carriers.twilio.countRequests((request) => request.method === "POST")).toBe(1);
    expect((await b.client.listNumbers({})).numbers.map((number) => number.phoneNumber)).toEqual([phoneNumber]);
  });
});
