import type { Kysely, Transaction } from "kysely";
import { appendAudit } from "./audit-store.js";
import { isUniqueViolation } from "./database.js";
import { driftAudit, toDrift, type InventoryDriftKind, type InventoryDriftRecord } from "./inventory-drift-rows.js";
import type { Database } from "./schema.js";

/** What an admin may do with an open drift; each fits one kind. */
export type DriftResolution = "adopted" | "marked_released";

/** The one kind each resolution applies to. */
export const KIND_OF_RESOLUTION: Readonly<Record<DriftResolution, InventoryDriftKind>> = {
  adopted: "unknown_to_numbergate",
  marked_released: "missing_at_carrier",
};

export type ResolveDriftOutcome =
  /** Done: `ownedNumberId` is the number adopted or marked released (`alreadyReleased`: it had been released since). */
  | { readonly kind: "resolved"; readonly drift: InventoryDriftRecord; readonly ownedNumberId: string; readonly alreadyReleased: boolean }
  /** The drift was already resolved this way (a retry): nothing written. */
  | { readonly kind: "unchanged"; readonly drift: InventoryDriftRecord }
  /** Resolved otherwise, or gone: nothing written. */
  | { readonly kind: "not_open"; readonly drift: InventoryDriftRecord }
  /** The resolution does not fit the drift's kind. */
  | { readonly kind: "mismatch"; readonly drift: InventoryDriftRecord }
  /** Adopting: numbergate owns the number (live) already, here or at another carrier. */
  | { readonly kind: "owned"; readonly drift: InventoryDriftRecord }
  /** Adopting: an order in flight holds the number; it settles the number itself. */
  | { readonly kind: "ordering"; readonly drift: InventoryDriftRecord }
  /** Marking released: a release of the number is in flight; it settles the number itself. */
  | { readonly kind: "releasing"; readonly drift: InventoryDriftRecord }
  | { readonly kind: "not_found" };

export interface ResolveDriftRequest {
  readonly id: string;
  readonly resolution: DriftResolution;
  readonly actor: string;
  readonly note: string;
  readonly now: number;
}

/** Ends the transaction without writing anything, answering with the outcome. */
class Refused extends Error {
  constructor(readonly outcome: ResolveDriftOutcome) {
    super(outcome.kind);
  }
}

/**
 * One transaction: the drift is claimed (open -> the resolution, compare-and-set, the first statement so SQLite
 * takes its write lock before reading), the owned number adopted or marked released, and the audit row written.
 * Anything that refuses rolls the claim back.
 */
export async function resolveDrift(db: Kysely<Database>, request: ResolveDriftRequest): Promise<ResolveDriftOutcome> {
  try {
    return await db.transaction().execute(async (trx) => {
      const claimed = await trx
        .updateTable("inventory_drifts")
        .set({ state: request.resolution, resolved_at: request.now, resolved_by: request.actor, resolution_note: request.note })
        .where("id", "=", request.id)
        .where("state", "=", "open")
        .where("kind", "=", KIND_OF_RESOLUTION[request.resolution])
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) return whyNotClaimed(trx, request);
      const row = await trx.selectFrom("inventory_drifts").selectAll().where("id", "=", request.id).executeTakeFirstOrThrow();
      const drift = toDrift(row);
      const effect = request.resolution === "adopted" ? await adopt(trx, drift, request.now) : await markReleased(trx, drift, request.now);
      await appendAudit(trx, [driftAudit(request.actor, drift.carrierId, drift.id, "inventory.drift_resolved", request.resolution, `${effect.detail}; note: ${request.note}`)], request.now);
      return { kind: "resolved", drift, ownedNumberId: effect.ownedNumberId, alreadyReleased: effect.alreadyReleased };
    });
  } catch (error) {
    if (error instanceof Refused) return error.outcome;
    if (!isUniqueViolation(error)) throw error;
    // The adopted number became owned (one live ownership per number) while this transaction ran.
    const row = await db.selectFrom("inventory_drifts").selectAll().where("id", "=", request.id).executeTakeFirst();
    return row ? { kind: "owned", drift: toDrift(row) } : { kind: "not_found" };
  }
}

async function whyNotClaimed(trx: Transaction<Database>, request: ResolveDriftRequest): Promise<ResolveDriftOutcome> {
  const row = await trx.selectFrom("inventory_drifts").selectAll().where("id", "=", request.id).executeTakeFirst();
  if (!row) return { kind: "not_found" };
  const drift = toDrift(row);
  if (drift.state === request.resolution) return { kind: "unchanged", drift };
  if (drift.state !== "open") return { kind: "not_open", drift };
  return { kind: "mismatch", drift };
}

interface Effect {
  readonly ownedNumberId: string;
  readonly alreadyReleased: boolean;
  readonly detail: string;
}

/** The carrier's number becomes an owned number, marked as adopted by its order id; customer_info stays empty. */
async function adopt(trx: Transaction<Database>, drift: InventoryDriftRecord, now: number): Promise<Effect> {
  const owned = await trx.selectFrom("owned_numbers").select("id").where("phone_number", "=", drift.phoneNumber).where("state", "<>", "released").executeTakeFirst();
  if (owned) throw new Refused({ kind: "owned", drift });
  const held = await trx.selectFrom("number_holds").select("holder_id").where("phone_number", "=", drift.phoneNumber).where("holder_kind", "in", ["order", "port"]).executeTakeFirst();
  if (held) throw new Refused({ kind: "ordering", drift });
  const ownedNumberId = `num_${drift.id}`;
  await trx
    .insertInto("owned_numbers")
    .values({
      id: ownedNumberId,
      phone_number: drift.phoneNumber,
      carrier_id: drift.carrierId,
      state: "active",
      carrier_number_id: drift.carrierNumberId ?? "",
      number_type: drift.numberType ?? null,
      locality: null,
      region: null,
      capabilities: JSON.stringify(drift.capabilities),
      monthly_price_cents: null,
      currency_code: null,
      order_id: adoptedOrderId(drift.id),
      customer_info: null,
      purchased_at: now,
      released_at: null,
      release_request_id: null,
    })
    .execute();
  return { ownedNumberId, alreadyReleased: false, detail: `${drift.phoneNumber} adopted from ${drift.carrierId} as owned number ${ownedNumberId}` };
}

/** numbergate's owned number is released (released_at now); one a release finished meanwhile is left as it is. */
async function markReleased(trx: Transaction<Database>, drift: InventoryDriftRecord, now: number): Promise<Effect> {
  let query = trx.selectFrom("owned_numbers").select(["id", "state"]).where("carrier_id", "=", drift.carrierId);
  query = drift.ownedNumberId ? query.where("id", "=", drift.ownedNumberId) : query.where("phone_number", "=", drift.phoneNumber).where("state", "<>", "released");
  const owned = await query.executeTakeFirst();
  if (owned?.state === "releasing") throw new Refused({ kind: "releasing", drift });
  if (!owned || owned.state === "released") {
    return { ownedNumberId: owned?.id ?? drift.ownedNumberId ?? "", alreadyReleased: true, detail: `${drift.phoneNumber} had already been released in numbergate` };
  }
  await trx.updateTable("owned_numbers").set({ state: "released", released_at: now }).where("id", "=", owned.id).where("state", "=", "active").execute();
  return { ownedNumberId: owned.id, alreadyReleased: false, detail: `owned number ${owned.id} (${drift.phoneNumber}) marked released` };
}

/** The order id an adopted owned number carries: it was never bought through numbergate. */
export function adoptedOrderId(driftId: string): string {
  return `adopted:${driftId}`;
}
