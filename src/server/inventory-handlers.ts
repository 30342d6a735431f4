import { abortable } from "abort-controller-x";
import {
  InventoryDriftKind as ProtoDriftKind,
  InventoryDriftState as ProtoDriftState,
  type InventoryCount,
  type InventoryDrift,
} from "../../generated/numbergate/v1/providers.js";
import type { TelecomServiceImplementation } from "../../generated/numbergate/v1/telecom_service.js";
import type { CarrierReconciliation } from "../inventory/inventory-reconciler.js";
import { InventoryService } from "../inventory/inventory-service.js";
import type { DriftResolution } from "../store/inventory-drift-resolution.js";
import type { InventoryDriftRecord, InventoryDriftState } from "../store/inventory-drift-rows.js";
import { decodeKeysetToken, encodeKeysetToken } from "./page-token.js";
import { actorOf } from "./caller.js";
import { toTimestamp } from "./provider-mapping.js";
import type { TerminatorContext } from "./terminator-middleware.js";
import { FieldViolations, checkLength, checkProviderId } from "./validation/field-checks.js";
import { checkResourceId } from "./validation/lifecycle-requests.js";

type InventoryHandlers = Pick<TelecomServiceImplementation<TerminatorContext>, "reconcileInventory" | "listInventoryDrifts" | "resolveInventoryDrift">;

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;
const MAX_NOTE_LENGTH = 1000;

const KIND_TO_PROTO = {
  unknown_to_numbergate: ProtoDriftKind.INVENTORY_DRIFT_KIND_UNKNOWN_TO_NUMBERGATE,
  missing_at_carrier: ProtoDriftKind.INVENTORY_DRIFT_KIND_MISSING_AT_CARRIER,
} as const;

const STATE_TO_PROTO = {
  open: ProtoDriftState.INVENTORY_DRIFT_STATE_OPEN,
  adopted: ProtoDriftState.INVENTORY_DRIFT_STATE_ADOPTED,
  marked_released: ProtoDriftState.INVENTORY_DRIFT_STATE_MARKED_RELEASED,
  gone: ProtoDriftState.INVENTORY_DRIFT_STATE_GONE,
} as const;

const LISTED_STATES: Partial<Record<ProtoDriftState, InventoryDriftState>> = {
  [ProtoDriftState.INVENTORY_DRIFT_STATE_UNSPECIFIED]: "open",
  [ProtoDriftState.INVENTORY_DRIFT_STATE_OPEN]: "open",
  [ProtoDriftState.INVENTORY_DRIFT_STATE_ADOPTED]: "adopted",
  [ProtoDriftState.INVENTORY_DRIFT_STATE_MARKED_RELEASED]: "marked_released",
  [ProtoDriftState.INVENTORY_DRIFT_STATE_GONE]: "gone",
};

const RESOLUTIONS: Partial<Record<ProtoDriftState, DriftResolution>> = {
  [ProtoDriftState.INVENTORY_DRIFT_STATE_ADOPTED]: "adopted",
  [ProtoDriftState.INVENTORY_DRIFT_STATE_MARKED_RELEASED]: "marked_released",
};

export function driftToProto(drift: InventoryDriftRecord): InventoryDrift {
  return {
    driftId: drift.id,
    providerId: drift.carrierId,
    phoneNumber: drift.phoneNumber,
    kind: KIND_TO_PROTO[drift.kind],
    state: STATE_TO_PROTO[drift.state],
    carrierNumberId: drift.carrierNumberId ?? "",
    detectTime: toTimestamp(drift.detectedAt),
    resolveTime: toTimestamp(drift.resolvedAt),
    resolutionNote: drift.resolvedBy === undefined ? drift.resolutionNote : `${drift.resolutionNote} (by ${drift.resolvedBy})`,
  };
}

function countToProto(result: CarrierReconciliation): InventoryCount {
  return { providerId: result.carrierId, carrierNumbers: result.carrierNumbers, numbergateNumbers: result.numbergateNumbers, error: result.error ?? "" };
}

/**
 * ReconcileInventory, ListInventoryDrifts and ResolveInventoryDrift: validate, call the inventory service, map
 * to proto. `services` is what the composition root hands the server (it carries `inventory` when the store is
 * open).
 */
export function createInventoryHandlers(services: object | undefined, providerIds: () => readonly string[]): InventoryHandlers {
  const required = (): InventoryService => {
    const inventory = services && "inventory" in services ? services.inventory : undefined;
    if (!(inventory instanceof InventoryService)) throw new Error("inventory reconciliation needs the store, which this server was started without");
    return inventory;
  };

  return {
    async reconcileInventory(request, context) {
      const violations = new FieldViolations();
      const carrierId = request.providerId === "" ? undefined : checkProviderId(violations, "provider_id", request.providerId, providerIds());
      violations.throwIfAny();
      // The run goes on for other callers (and its findings are recorded) when this caller leaves.
      const answer = await abortable(context.signal, required().reconcile(carrierId, actorOf(context)));
      return { drifts: answer.openDrifts.map(driftToProto), counts: answer.counts.map(countToProto) };
    },

    async listInventoryDrifts(request) {
      const violations = new FieldViolations();
      if (request.pageSize < 0) violations.add("page_size", "must not be negative");
      const pageSize = request.pageSize <= 0 ? DEFAULT_PAGE_SIZE : Math.min(request.pageSize, MAX_PAGE_SIZE);
      const carrierId = request.providerId === "" ? undefined : checkProviderId(violations, "provider_id", request.providerId, providerIds());
      const state = LISTED_STATES[request.state];
      if (!state) violations.add("state", "must be OPEN, ADOPTED, MARKED_RELEASED, GONE or unspecified (open)");
      const after = request.pageToken === "" ? undefined : decodeKeysetToken(request.pageToken, "drift");
      if (request.pageToken !== "" && !after) violations.add("page_token", "is not a page token this server issued");
      violations.throwIfAny();
      const page = await required().list({ carrierIds: carrierId === undefined ? undefined : [carrierId], state, pageSize, after: after && { detectedAt: after.at, id: after.id } });
      return { drifts: page.drifts.map(driftToProto), nextPageToken: page.next ? encodeKeysetToken({ at: page.next.detectedAt, id: page.next.id }, "drift") : "" };
    },

    async resolveInventoryDrift(request, context) {
      const violations = new FieldViolations();
      const driftId = checkResourceId(violations, "drift_id", request.driftId, true);
      const resolution = RESOLUTIONS[request.resolution];
      if (!resolution) violations.add("resolution", "must be ADOPTED (for an UNKNOWN_TO_NUMBERGATE drift) or MARKED_RELEASED (for a MISSING_AT_CARRIER drift)");
      const note = checkNote(violations, request.note);
      violations.throwIfAny();
      if (!driftId || !resolution || !note) throw new Error("unreachable: validated request without drift_id, resolution or note");
      const drift = await required().resolve({ driftId, resolution, actor: actorOf(context), note });
      return { drift: driftToProto(drift) };
    },
  };
}

/** Why, for the audit log: required, printable, bounded. */
function checkNote(violations: FieldViolations, value: string): string | undefined {
  const note = value.trim();
  if (note === "") {
    violations.add("note", "is required: why, for the audit log");
    return undefined;
  }
  if (!checkLength(violations, "note", note, MAX_NOTE_LENGTH)) return undefined;
  if (/[\u0000-\u001f\u007f]/.test(note)) {
    violations.add("note", "must not contain control characters");
    return undefined;
  }
  return note;
}
