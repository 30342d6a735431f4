import type { CarrierPortInState } from "../domain/carrier-lifecycle.js";

/**
 * The one porting state machine every carrier's port-in statuses map onto (the contract's PortingOrderState).
 *
 * Carriers are observed, not commanded: polls and callbacks can skip states (a port seen SUBMITTED may next be
 * seen COMPLETE) and carriers move orders back (a supp at Bandwidth sends an order in FOC back to submitted), so
 * any move between open states is legal. What can never happen is leaving a final state, or going back to
 * `pending` (recorded but not yet accepted by the carrier) once the carrier has the order. Notifications older
 * than the last observation applied are ignored, so callbacks may arrive in any order; a poll or the answer to a
 * request reads the carrier's current state and always applies.
 */
export type PortingState = CarrierPortInState;

export const FINAL_PORTING_STATES: ReadonlySet<PortingState> = new Set(["completed", "cancelled", "failed"]);

/** States in which the carriers accept a cancellation: after a firm order commitment (FOC) they refuse it. */
const CANCELLABLE_STATES: ReadonlySet<PortingState> = new Set(["pending", "awaiting_documents", "submitted", "action_required"]);

export function isFinalPortingState(state: PortingState): boolean {
  return FINAL_PORTING_STATES.has(state);
}

export function canCancelPort(state: PortingState): boolean {
  return CANCELLABLE_STATES.has(state);
}

export interface PortingObservation {
  readonly state: PortingState;
  /** When the carrier says (or numbergate saw) the order was in this state, ms since the epoch. */
  readonly observedAt: number;
  /**
   * A read of the port as the carrier has it now (a poll, the answer to numbergate's own request), as opposed to a
   * notification that may have waited in a queue: it is never older than what numbergate holds.
   */
  readonly current: boolean;
}

export interface PortingPosition {
  readonly state: PortingState;
  /** The observation time of the last observation applied; undefined before the carrier was first heard from. */
  readonly observedAt: number | undefined;
}

export type PortingDecision =
  | { readonly kind: "transition"; readonly from: PortingState; readonly to: PortingState }
  /** Same state: nothing moves, though the carrier's words for it may have changed. */
  | { readonly kind: "unchanged" }
  | { readonly kind: "ignored"; readonly reason: "older_than_last" | "already_final" | "back_to_pending" };

/** What an observation does to an order in `position`. */
export function decidePortingTransition(position: PortingPosition, observation: PortingObservation): PortingDecision {
  if (!observation.current && position.observedAt !== undefined && observation.observedAt < position.observedAt) return { kind: "ignored", reason: "older_than_last" };
  if (isFinalPortingState(position.state)) return observation.state === position.state ? { kind: "unchanged" } : { kind: "ignored", reason: "already_final" };
  if (observation.state === position.state) return { kind: "unchanged" };
  if (observation.state === "pending") return { kind: "ignored", reason: "back_to_pending" };
  return { kind: "transition", from: position.state, to: observation.state };
}
