import type { OperationTimeouts } from "../config/load-config.js";
import type { CarrierOperation } from "../domain/carrier-operation.js";

export interface OperationPolicy {
  readonly timeoutMs: number;
  /**
   * Whether repeating the call cannot change anything at the carrier. Calls that buy, reserve, release
   * or port are retried only when the request provably never left numbergate.
   */
  readonly idempotent: boolean;
}

export function operationPolicy(operation: CarrierOperation, timeouts: OperationTimeouts): OperationPolicy {
  switch (operation) {
    case "search":
      return { timeoutMs: timeouts.search, idempotent: true };
    case "check_availability":
      return { timeoutMs: timeouts.availability, idempotent: true };
    case "probe":
      return { timeoutMs: timeouts.probe, idempotent: true };
    case "reserve":
    case "cancel_reservation":
      return { timeoutMs: timeouts.reserve, idempotent: false };
    case "purchase":
    case "release":
      return { timeoutMs: timeouts.purchase, idempotent: false };
    case "order_status":
    case "list_owned":
      return { timeoutMs: timeouts.orderStatus, idempotent: true };
    case "portability":
    case "port_in_status":
      return { timeoutMs: timeouts.porting, idempotent: true };
    case "port_in":
      return { timeoutMs: timeouts.porting, idempotent: false };
  }
}
