import { describe, expect, it } from "vitest";
import { canCancelPort, decidePortingTransition, FINAL_PORTING_STATES, type PortingState } from "../../src/porting/porting-state.js";

const ALL_STATES: readonly PortingState[] = ["pending", "awaiting_documents", "submitted", "foc_scheduled", "action_required", "completed", "cancelled", "failed"];
const OPEN_STATES = ALL_STATES.filter((state) => !FINAL_PORTING_STATES.has(state));

describe("the porting state machine", () => {
  it("follows the carrier between open states, skipped states and moves back included", () => {
    expect(decidePortingTransition({ state: "submitted", observedAt: 1 }, { state: "completed", observedAt: 2, current: false })).toEqual({ kind: "transition", from: "submitted", to: "completed" });
    expect(decidePortingTransition({ state: "foc_scheduled", observedAt: 1 }, { state: "submitted", observedAt: 2, current: false })).toEqual({ kind: "transition", from: "foc_scheduled", to: "submitted" });
    expect(decidePortingTransition({ state: "pending", observedAt: undefined }, { state: "awaiting_documents", observedAt: 5, current: false })).toEqual({ kind: "transition", from: "pending", to: "awaiting_documents" });
  });

  it.each(ALL_STATES.filter((state) => FINAL_PORTING_STATES.has(state)))("never leaves %s", (final) => {
    for (const next of ALL_STATES) {
      const decision = decidePortingTransition({ state: final, observedAt: 1 }, { state: next, observedAt: 2, current: false });
      expect(decision).toEqual(next === final ? { kind: "unchanged" } : { kind: "ignored", reason: "already_final" });
    }
  });

  it.each(OPEN_STATES.filter((state) => state !== "pending"))("never goes back to pending from %s", (state) => {
    expect(decidePortingTransition({ state, observedAt: 1 }, { state: "pending", observedAt: 2, current: false })).toEqual({ kind: "ignored", reason: "back_to_pending" });
  });

  it("ignores a notification older than the last observation applied, so callbacks may come in any order; a current read always applies", () => {
    expect(decidePortingTransition({ state: "foc_scheduled", observedAt: 10 }, { state: "submitted", observedAt: 9, current: false })).toEqual({ kind: "ignored", reason: "older_than_last" });
    expect(decidePortingTransition({ state: "foc_scheduled", observedAt: 10 }, { state: "submitted", observedAt: 9, current: true })).toEqual({ kind: "transition", from: "foc_scheduled", to: "submitted" });
    expect(decidePortingTransition({ state: "foc_scheduled", observedAt: 10 }, { state: "completed", observedAt: 10, current: false })).toEqual({ kind: "transition", from: "foc_scheduled", to: "completed" });
  });

  it("allows a cancellation only before a firm order commitment", () => {
    expect(ALL_STATES.filter(canCancelPort)).toEqual(["pending", "awaiting_documents", "submitted", "action_required"]);
  });
});
