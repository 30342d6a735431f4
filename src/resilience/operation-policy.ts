import type { OperationTimeouts } from "../config/load-config.js";
import type { CarrierOperation } from "../domain/carrier-operation.js";

export interface OperationPolicy {
  readonly timeoutMs: number;
  /**
   * Whether repeating the call cannot change anything at the carrier. Calls that buy, reserve, release
   * or port are retried only when the request provably never left numbergate.
   */
  readonly idempotent: boolean;
  /**
   * Whether a slow success counts against the carrier in the breaker's slow-call rate. Only for calls where
   * speed is the service (search, availability, probes): a purchase that takes 4 s and succeeds is a
   * success, and a slow order lookup must never lock reconciliation out.
   */
  readonly judgedBySpeed: boolean;
  /**
   * Money operations run under one hard budget (timeoutMs) covering the wait for a concurrency slot and a
   * rate-limit token, every attempt and every backoff: when it ends nothing numbergate sent is still in
   * flight, which is what the in-doubt grace and the order lease are validated against.
   */
  readonly boundedByBudget: boolean;
}

export function operationPolicy(operation: CarrierOperation, timeouts: OperationTimeouts): OperationPolicy {
  switch (operation) {
    case "search":
      return { timeoutMs: timeouts.search, idempotent: true, judgedBySpeed: true, boundedByBudget: false };
    case "check_availability":
      return { timeoutMs: timeouts.availability, idempotent: true, judgedBySpeed: true, boundedByBudget: false };
    case "probe":
      return { timeoutMs: timeouts.probe, idempotent: true, judgedBySpeed: true, boundedByBudget: false };
    case "reserve":
    case "cancel_reservation":
      return { timeoutMs: timeouts.reserve, idempotent: false, judgedBySpeed: false, boundedByBudget: true };
    case "purchase":
    case "release":
      return { timeoutMs: timeouts.purchase, idempotent: false, judgedBySpeed: false, boundedByBudget: true };
    case "order_status":
      return { timeoutMs: timeouts.orderStatus, idempotent: true, judgedBySpeed: false, boundedByBudget: false };
    case "list_owned":
      // A page of a long list is slow by nature: it says nothing about the carrier's search latency.
      return { timeoutMs: timeouts.orderStatus, idempotent: true, judgedBySpeed: false, boundedByBudget: false };
    case "portability":
      return { timeoutMs: timeouts.porting, idempotent: true, judgedBySpeed: true, boundedByBudget: false };
    case "port_in_status":
      return { timeoutMs: timeouts.porting, idempotent: true, judgedBySpeed: false, boundedByBudget: false };
    case "port_in":
      return { timeoutMs: timeouts.porting, idempotent: false, judgedBySpeed: false, boundedByBudget: true };
  }
}
