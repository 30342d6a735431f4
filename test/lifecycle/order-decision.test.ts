import { describe, expect, it } from "vitest";
import { decideOrder, factsFromStatus, refusedFacts } from "../../src/lifecycle/order-decision.js";
import type { OrderItemRecord, OrderRecord } from "../../src/store/records.js";

const GRACE = 10_000;

function item(phoneNumber: string, fields: Partial<OrderItemRecord> = {}): OrderItemRecord {
  return { phoneNumber, state: "pending", detail: "", carrierNumberId: undefined, offer: undefined, sentAt: 1_000, reservationId: undefined, failure: undefined, ...fields };
}

function order(items: OrderItemRecord[], state: OrderRecord["state"] = "in_doubt"): OrderRecord {
  return {
    id: "ord_1",
    requestId: "r",
    requestFingerprint: "f",
    carrierId: "twilio",
    state,
    orderReference: "ng-ord1",
    carrierOrderId: undefined,
    reservationId: undefined,
    customerInfo: undefined,
    detail: "",
    carrierCallStartedAt: 1_000,
    checkAttempts: 0,
    createdAt: 0,
    updatedAt: 0,
    items,
  };
}

const A = "+12125550101";
const B = "+12125550102";
const C = "+12125550103";

describe("decideOrder", () => {
  it("keeps a batch open while any number sent is unaccounted for, even when others were found", () => {
    const batch = order([item(A), item(B), item(C)]);
    const status = { carrierOrderId: "PN1", state: "partial" as const, purchased: [{ e164: A, carrierNumberId: "PN1" }], failed: [] };
    const decision = decideOrder(batch, factsFromStatus([A, B, C], status), 2_000, GRACE);
    expect(decision.state).toBe("in_doubt");
    expect(decision.purchased).toEqual([{ phoneNumber: A, carrierNumberId: "PN1" }]);
    expect(decision.failed).toEqual([]);
    expect(decision.unresolved).toEqual([B, C]);
  });

  it("declares a number not bought only when the carrier has no trace of it after the grace", () => {
    const batch = order([item(A, { state: "purchased", carrierNumberId: "PN1" }), item(B)]);
    expect(decideOrder(batch, factsFromStatus([B], undefined), 1_000 + GRACE - 1, GRACE).state).toBe("in_doubt");
    const late = decideOrder(batch, factsFromStatus([B], undefined), 1_000 + GRACE, GRACE);
    expect(late.state).toBe("partial");
    expect(late.failed.map((entry) => [entry.phoneNumber, entry.failure])).toEqual([[B, { kind: "carrier_did_not_act" }]]);
  });

  it("never applies the grace to numbers the answer was not about", () => {
    const batch = order([item(A), item(B)]);
    // An answer about A alone, long after B was sent: B stays in doubt until a lookup asks about B.
    const decision = decideOrder(batch, factsFromStatus([A], { carrierOrderId: "PN1", state: "completed", purchased: [{ e164: A, carrierNumberId: "PN1" }], failed: [] }), 50_000, GRACE);
    expect(decision.state).toBe("in_doubt");
    expect(decision.unresolved).toEqual([B]);
  });

  it("records only numbers the order asked for; anything else is reported, never owned", () => {
    const single = order([item(A)]);
    const facts = factsFromStatus([A], {
      carrierOrderId: "o-1",
      state: "completed",
      purchased: [{ e164: A, carrierNumberId: "1" }, { e164: C, carrierNumberId: "3" }],
      failed: [{ e164: B, carrierCode: "5005", detail: "unavailable" }],
    });
    expect([...facts.unexpected].sort()).toEqual([B, C].sort());
    const decision = decideOrder(single, facts, 2_000, GRACE);
    expect(decision).toMatchObject({ state: "completed", purchased: [{ phoneNumber: A, carrierNumberId: "1" }], failed: [] });
  });

  it("never turns a one-number order partial", () => {
    const single = order([item(A)]);
    const facts = factsFromStatus([A], { carrierOrderId: "o-1", state: "partial", purchased: [{ e164: B, carrierNumberId: "2" }], failed: [] });
    expect(decideOrder(single, facts, 2_000, GRACE).state).toBe("in_doubt");
    expect(decideOrder(single, facts, 1_000 + GRACE, GRACE).state).toBe("failed");
  });

  it("keeps the carrier's refusal of a number as its cause: mapped from the carrier's code, else a plain refusal", () => {
    const batch = order([item(A), item(B)]);
    const facts = factsFromStatus([A, B], {
      carrierOrderId: "o-1",
      state: "failed",
      purchased: [],
      failed: [
        { e164: A, carrierCode: "5005", detail: "Telephone Number Unavailable", kind: "not_found" },
        { e164: B, carrierCode: "9999", detail: "Something else" },
      ],
    });
    expect(decideOrder(batch, facts, 2_000, GRACE).failed).toEqual([
      { phoneNumber: A, detail: "Telephone Number Unavailable", failure: { kind: "carrier_error", carrierErrorKind: "not_found" } },
      { phoneNumber: B, detail: "Something else", failure: { kind: "carrier_refused" } },
    ]);
  });

  it("waits while the carrier holds the order (asynchronous orders), whatever the grace", () => {
    const batch = order([item(A), item(B)], "pending");
    const facts = factsFromStatus([A, B], { carrierOrderId: "o-1", state: "pending", purchased: [], failed: [] });
    expect(decideOrder(batch, facts, 1_000_000, GRACE)).toMatchObject({ state: "pending", detail: "the carrier is processing the order" });
  });

  it("fails every number of a definite refusal, and leaves numbers never sent for sending", () => {
    const batch = order([item(A), item(B, { sentAt: undefined })], "pending");
    const refusal = { detail: "PhoneNumber is not available", failure: { kind: "carrier_error", carrierErrorKind: "not_found" } } as const;
    const decision = decideOrder(batch, refusedFacts([A], refusal), 2_000, GRACE);
    expect(decision).toMatchObject({ state: "pending", failed: [{ phoneNumber: A, ...refusal }], unresolved: [B] });
  });
});
