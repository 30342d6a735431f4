import type { CarrierOrderStatus } from "../domain/carrier-lifecycle.js";
import type { OrderFailure } from "../domain/order-failure.js";
import type { OrderRecord, OrderState } from "../store/records.js";

/**
 * What one carrier answer (to a purchase or a lookup) established about some of an order's numbers. `asked`
 * are the numbers the answer is about: only for those does "no trace" mean anything.
 */
export interface CarrierFacts {
  readonly asked: ReadonlySet<string>;
  readonly purchased: ReadonlyMap<string, string>;
  readonly failed: ReadonlyMap<string, Refusal>;
  /** The carrier holds these and is still working on them (an asynchronous order). */
  readonly processing: ReadonlySet<string>;
  readonly carrierOrderId: string | undefined;
  /** Numbers the carrier reported that the order never asked for: never owned, always reported. */
  readonly unexpected: readonly string[];
}

/** Why a number was not bought: numbergate's words, and the cause a failed purchase answers with. */
export interface Refusal {
  readonly detail: string;
  readonly failure: OrderFailure;
}

/** Facts from a carrier's order status, trusted only for the asked numbers. */
export function factsFromStatus(asked: readonly string[], status: CarrierOrderStatus | undefined): CarrierFacts {
  const askedSet = new Set(asked);
  if (!status) return { asked: askedSet, purchased: new Map(), failed: new Map(), processing: new Set(), carrierOrderId: undefined, unexpected: [] };
  const purchased = new Map(status.purchased.filter((entry) => askedSet.has(entry.e164)).map((entry) => [entry.e164, entry.carrierNumberId]));
  const failed = new Map(
    status.failed
      .filter((entry) => askedSet.has(entry.e164) && !purchased.has(entry.e164))
      .map((entry): [string, Refusal] => [entry.e164, { detail: entry.detail, failure: entry.kind ? { kind: "carrier_error", carrierErrorKind: entry.kind } : { kind: "carrier_refused" } }]),
  );
  const processing = new Set(status.state === "pending" ? asked.filter((e164) => !purchased.has(e164) && !failed.has(e164)) : []);
  const unexpected = [...new Set([...status.purchased, ...status.failed].map((entry) => entry.e164).filter((e164) => !askedSet.has(e164)))];
  return { asked: askedSet, purchased, failed, processing, carrierOrderId: status.carrierOrderId, unexpected };
}

/** Facts from a definite refusal: none of these numbers was bought. */
export function refusedFacts(asked: readonly string[], refusal: Refusal): CarrierFacts {
  return { ...factsFromStatus(asked, undefined), failed: new Map(asked.map((e164) => [e164, refusal])) };
}

export interface OrderDecision {
  readonly state: OrderState;
  readonly purchased: readonly { readonly phoneNumber: string; readonly carrierNumberId: string }[];
  readonly failed: readonly ({ readonly phoneNumber: string } & Refusal)[];
  readonly detail: string;
  /** Numbers the order still waits on (sent with no answer yet, at the carrier, or not sent yet). */
  readonly unresolved: readonly string[];
}

/**
 * Judges an order after one carrier answer. A number is bought or refused only when the carrier says so;
 * a number the carrier has no trace of is declared not bought only once `inDoubtGraceMs` have passed since
 * a request that could buy it left (by then nothing numbergate sent can still act). The order is final only
 * when every number is accounted for; a one-number order is never partial.
 */
export function decideOrder(order: OrderRecord, facts: CarrierFacts, now: number, inDoubtGraceMs: number): OrderDecision {
  const purchased: { phoneNumber: string; carrierNumberId: string }[] = [];
  const failed: ({ phoneNumber: string } & Refusal)[] = [];
  const unresolved: string[] = [];
  let processing = false;
  let inDoubt = false;
  let bought = 0;
  let refused = 0;
  for (const item of order.items) {
    const e164 = item.phoneNumber;
    if (item.state === "purchased") bought += 1;
    if (item.state === "failed") refused += 1;
    if (item.state !== "pending") continue;
    const carrierNumberId = facts.purchased.get(e164);
    const refusal = facts.failed.get(e164);
    if (carrierNumberId !== undefined) {
      purchased.push({ phoneNumber: e164, carrierNumberId });
      bought += 1;
    } else if (refusal !== undefined) {
      failed.push({ phoneNumber: e164, ...refusal });
      refused += 1;
    } else if (facts.processing.has(e164)) {
      processing = true;
      unresolved.push(e164);
    } else if (facts.asked.has(e164) && item.sentAt !== undefined && now - item.sentAt >= inDoubtGraceMs) {
      const detail = `the carrier has no trace of buying it ${Math.round((now - item.sentAt) / 1000)} s after the request was sent`;
      failed.push({ phoneNumber: e164, detail, failure: { kind: "carrier_did_not_act" } });
      refused += 1;
    } else {
      if (item.sentAt !== undefined) inDoubt = true;
      unresolved.push(e164);
    }
  }
  const detail = failed[0]?.detail ?? order.items.find((item) => item.state === "failed")?.detail ?? "";
  if (unresolved.length === 0) {
    const state: OrderState = refused === 0 ? "completed" : bought === 0 ? "failed" : "partial";
    return { state, purchased, failed, detail, unresolved };
  }
  if (inDoubt) return { state: "in_doubt", purchased, failed, unresolved, detail: "the outcome is not known yet; numbergate is asking the carrier and never buys again to find out" };
  return { state: "pending", purchased, failed, unresolved, detail: processing ? "the carrier is processing the order" : "" };
}
