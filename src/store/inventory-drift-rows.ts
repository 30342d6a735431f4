import type { Selectable } from "kysely";
import type { AuditEntry } from "./audit-store.js";
import { parseJson, type OwnedNumberState } from "./records.js";
import type { InventoryDriftsTable } from "./schema.js";

/** What inventory reconciliation records, as the store hands it out (camelCase, times in epoch ms). */

/**
 * unknown_to_numbergate: the carrier has the number on the account and numbergate does not own it (bought
 * elsewhere). missing_at_carrier: numbergate owns it and the carrier no longer lists it (released elsewhere).
 */
export type InventoryDriftKind = "unknown_to_numbergate" | "missing_at_carrier";

/** open until an admin adopts it or marks it released, or a later reconciliation finds the two agreeing (gone). */
export type InventoryDriftState = "open" | "adopted" | "marked_released" | "gone";

export interface InventoryDriftRecord {
  readonly id: string;
  readonly carrierId: string;
  readonly phoneNumber: string;
  readonly kind: InventoryDriftKind;
  readonly state: InventoryDriftState;
  readonly carrierNumberId: string | undefined;
  readonly numberType: string | undefined;
  readonly capabilities: readonly string[];
  readonly ownedNumberId: string | undefined;
  /** numbergate's own words about what was found. */
  readonly detail: string;
  readonly detectedAt: number;
  readonly lastSeenAt: number;
  readonly resolvedAt: number | undefined;
  readonly resolvedBy: string | undefined;
  readonly resolutionNote: string;
}

/** A difference one reconciliation found: recorded as a new open drift, or confirming the open one. */
export interface ObservedDrift {
  readonly carrierId: string;
  readonly phoneNumber: string;
  readonly kind: InventoryDriftKind;
  readonly carrierNumberId: string | undefined;
  readonly numberType: string | undefined;
  readonly capabilities: readonly string[];
  readonly ownedNumberId: string | undefined;
  readonly detail: string;
}

/** An owned number numbergate counts as live (active or releasing) at one carrier. */
export interface LiveOwnedNumber {
  readonly id: string;
  readonly phoneNumber: string;
  readonly state: Exclude<OwnedNumberState, "released">;
  readonly carrierNumberId: string;
  readonly orderId: string;
  readonly purchasedAt: number;
}

/** numbergate's side of one carrier's inventory, read in one go. */
export interface NumbergateInventory {
  readonly live: readonly LiveOwnedNumber[];
  /** Numbers an order or a release at this carrier is still settling (pending or in doubt): not drift yet. */
  readonly inFlight: ReadonlySet<string>;
}

/** The key the partial unique index keeps one open drift per. */
export function driftKey(drift: { readonly phoneNumber: string; readonly kind: InventoryDriftKind }): string {
  return `${drift.kind} ${drift.phoneNumber}`;
}

export function toDrift(row: Selectable<InventoryDriftsTable>): InventoryDriftRecord {
  return {
    id: row.id,
    carrierId: row.carrier_id,
    phoneNumber: row.phone_number,
    kind: row.kind as InventoryDriftKind,
    state: row.state as InventoryDriftState,
    carrierNumberId: row.carrier_number_id ?? undefined,
    numberType: row.number_type ?? undefined,
    capabilities: parseJson<string[]>(row.capabilities) ?? [],
    ownedNumberId: row.owned_number_id ?? undefined,
    detail: row.detail,
    detectedAt: row.detected_at,
    lastSeenAt: row.last_seen_at,
    resolvedAt: row.resolved_at ?? undefined,
    resolvedBy: row.resolved_by ?? undefined,
    resolutionNote: row.resolution_note,
  };
}

/** The audit row of a drift's change: resource inventory_drift, so `admin audit` shows a drift's history together. */
export function driftAudit(actor: string, carrierId: string, driftId: string, operation: string, outcome: string, detail: string): AuditEntry {
  return { actor, carrierId, operation, outcome, resourceType: "inventory_drift", resourceId: driftId, detail };
}
