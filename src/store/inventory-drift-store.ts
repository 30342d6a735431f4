import type { Kysely, Transaction } from "kysely";
import { appendAudit } from "./audit-store.js";
import { resolveDrift, type DriftResolution, type ResolveDriftOutcome } from "./inventory-drift-resolution.js";
import {
  driftAudit,
  driftKey,
  toDrift,
  type InventoryDriftKind,
  type InventoryDriftRecord,
  type InventoryDriftState,
  type LiveOwnedNumber,
  type NumbergateInventory,
  type ObservedDrift,
} from "./inventory-drift-rows.js";
import type { Database } from "./schema.js";

export type { DriftResolution, ResolveDriftOutcome } from "./inventory-drift-resolution.js";

/** Who and when, for what one reconciliation writes. */
export interface ReconciliationStamp {
  readonly actor: string;
  /** When the carrier's list was started: evidence from a listing that started later wins over this one. */
  readonly listedSince: number;
  readonly now: number;
}

export interface DriftPage {
  readonly drifts: readonly InventoryDriftRecord[];
  /** Keyset cursor of the last row, when there may be more. */
  readonly next: { readonly detectedAt: number; readonly id: string } | undefined;
}

export interface OpenDriftCount {
  readonly carrierId: string;
  readonly kind: InventoryDriftKind;
  readonly count: number;
}

const UNFINISHED = ["pending", "in_doubt"];

export interface RecordedDrift {
  readonly drift: InventoryDriftRecord;
  /** False when the drift was already open. */
  readonly created: boolean;
}

/** Rolls back a drift about to be recorded from a view of numbergate that has changed since. */
class StaleObservation extends Error {}

/**
 * Whether numbergate's side still shows the difference (read inside the recording transaction): the number is
 * still not owned nor being bought at the carrier, or the owned number is still active.
 */
async function stillDrifting(trx: Transaction<Database>, observed: ObservedDrift): Promise<boolean> {
  if (observed.kind === "missing_at_carrier") {
    const owned = await trx.selectFrom("owned_numbers").select("id").where("id", "=", observed.ownedNumberId ?? "").where("state", "=", "active").executeTakeFirst();
    return owned !== undefined;
  }
  const owned = await trx.selectFrom("owned_numbers").select("id").where("phone_number", "=", observed.phoneNumber).where("carrier_id", "=", observed.carrierId).where("state", "<>", "released").executeTakeFirst();
  if (owned) return false;
  const ordering = await trx
    .selectFrom("number_order_items")
    .innerJoin("number_orders", "number_orders.id", "number_order_items.order_id")
    .select("number_orders.id")
    .where("number_order_items.phone_number", "=", observed.phoneNumber)
    .where("number_orders.carrier_id", "=", observed.carrierId)
    .where("number_orders.state", "in", UNFINISHED)
    .executeTakeFirst();
  return ordering === undefined;
}

/**
 * Drifts between carriers' own lists of the account's numbers and owned_numbers. A drift is recorded with its
 * audit row in one transaction; the partial unique index on open drifts makes a second replica that finds the
 * same difference confirm the open drift instead of recording another.
 */
export class InventoryDriftStore {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * numbergate's side of one carrier: its live owned numbers, and the numbers orders and releases are settling.
   * What is being settled is read first: an order that completes in between is then seen in flight or owned,
   * never neither (an order's owned numbers are written in the transaction that ends it).
   */
  async numbergateSide(carrierId: string): Promise<NumbergateInventory> {
    const ordering = await this.db
      .selectFrom("number_order_items")
      .innerJoin("number_orders", "number_orders.id", "number_order_items.order_id")
      .select("number_order_items.phone_number")
      .where("number_orders.carrier_id", "=", carrierId)
      .where("number_orders.state", "in", UNFINISHED)
      .execute();
    const releasing = await this.db.selectFrom("number_releases").select("phone_number").where("carrier_id", "=", carrierId).where("state", "in", UNFINISHED).execute();
    const owned = await this.db
      .selectFrom("owned_numbers")
      .select(["id", "phone_number", "state", "carrier_number_id", "order_id", "purchased_at"])
      .where("carrier_id", "=", carrierId)
      .where("state", "<>", "released")
      .execute();
    const live: LiveOwnedNumber[] = owned.map((row) => ({
      id: row.id,
      phoneNumber: row.phone_number,
      state: row.state === "releasing" ? "releasing" : "active",
      carrierNumberId: row.carrier_number_id,
      orderId: row.order_id,
      purchasedAt: row.purchased_at,
    }));
    return { live, inFlight: new Set([...ordering, ...releasing].map((row) => row.phone_number)) };
  }

  /**
   * Records a difference as a new open drift with its audit row, or, when that drift is already open (found by an
   * earlier run or another replica), notes that this listing saw it too; `created` says which. Undefined when
   * numbergate's side changed since the run read it (the number was adopted, bought, released, or a resolution
   * came in between): the run's view is stale, and nothing is recorded.
   */
  async record(observed: ObservedDrift, newId: () => string, stamp: ReconciliationStamp): Promise<RecordedDrift | undefined> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        const id = newId();
        // The write comes first, so on SQLite the transaction holds the write lock before it reads anything.
        const inserted = await trx
          .insertInto("inventory_drifts")
          .values({
            id,
            carrier_id: observed.carrierId,
            phone_number: observed.phoneNumber,
            kind: observed.kind,
            state: "open",
            carrier_number_id: observed.carrierNumberId ?? null,
            number_type: observed.numberType ?? null,
            capabilities: JSON.stringify(observed.capabilities),
            owned_number_id: observed.ownedNumberId ?? null,
            detail: observed.detail,
            detected_at: stamp.now,
            last_seen_at: stamp.listedSince,
          })
          .onConflict((conflict) => conflict.doNothing())
          .executeTakeFirst();
        if (!(await stillDrifting(trx, observed))) throw new StaleObservation();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) {
          await appendAudit(trx, [driftAudit(stamp.actor, observed.carrierId, id, "inventory.drift", observed.kind, observed.detail)], stamp.now);
          return { drift: toDrift(await trx.selectFrom("inventory_drifts").selectAll().where("id", "=", id).executeTakeFirstOrThrow()), created: true };
        }
        await trx
          .updateTable("inventory_drifts")
          .set({ last_seen_at: stamp.listedSince })
          .where("carrier_id", "=", observed.carrierId)
          .where("phone_number", "=", observed.phoneNumber)
          .where("kind", "=", observed.kind)
          .where("state", "=", "open")
          .where("last_seen_at", "<", stamp.listedSince)
          .execute();
        const row = await trx
          .selectFrom("inventory_drifts")
          .selectAll()
          .where("carrier_id", "=", observed.carrierId)
          .where("phone_number", "=", observed.phoneNumber)
          .where("kind", "=", observed.kind)
          .where("state", "=", "open")
          .executeTakeFirst();
        // The open drift the insert met was resolved before it could be read: that resolution is newer than this run.
        return row ? { drift: toDrift(row), created: false } : undefined;
      });
    } catch (error) {
      if (error instanceof StaleObservation) return undefined;
      throw error;
    }
  }

  /**
   * Open drifts of a carrier that this listing no longer finds become gone (each with its audit row): not those
   * it found again (`stillFound`, by driftKey), not numbers being settled (`unsettled`), and not those a listing
   * that started after this one saw.
   */
  async markGone(carrierId: string, stillFound: ReadonlySet<string>, unsettled: ReadonlySet<string>, stamp: ReconciliationStamp): Promise<InventoryDriftRecord[]> {
    const open = await this.db
      .selectFrom("inventory_drifts")
      .selectAll()
      .where("carrier_id", "=", carrierId)
      .where("state", "=", "open")
      .where("last_seen_at", "<", stamp.listedSince)
      .execute();
    const gone: InventoryDriftRecord[] = [];
    for (const row of open.map(toDrift)) {
      if (stillFound.has(driftKey(row)) || unsettled.has(row.phoneNumber)) continue;
      const note = "a later reconciliation found the carrier and numbergate agreeing";
      const marked = await this.db.transaction().execute(async (trx) => {
        const updated = await trx
          .updateTable("inventory_drifts")
          .set({ state: "gone", resolved_at: stamp.now, resolved_by: stamp.actor, resolution_note: note })
          .where("id", "=", row.id)
          .where("state", "=", "open")
          .where("last_seen_at", "<", stamp.listedSince)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) return false;
        await appendAudit(trx, [driftAudit(stamp.actor, carrierId, row.id, "inventory.drift_gone", "gone", `${row.phoneNumber} (${row.kind}): ${note}`)], stamp.now);
        return true;
      });
      if (marked) gone.push({ ...row, state: "gone", resolvedAt: stamp.now, resolvedBy: stamp.actor, resolutionNote: note });
    }
    return gone;
  }

  async get(id: string): Promise<InventoryDriftRecord | undefined> {
    const row = await this.db.selectFrom("inventory_drifts").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toDrift(row) : undefined;
  }

  /** Oldest first; every state when `state` is undefined. */
  async list(filter: { carrierIds?: readonly string[]; state?: InventoryDriftState; pageSize: number; after?: { detectedAt: number; id: string } }): Promise<DriftPage> {
    if (filter.carrierIds?.length === 0) return { drifts: [], next: undefined };
    let query = this.db.selectFrom("inventory_drifts").selectAll();
    if (filter.carrierIds) query = query.where("carrier_id", "in", [...filter.carrierIds]);
    if (filter.state) query = query.where("state", "=", filter.state);
    const after = filter.after;
    if (after) {
      query = query.where((eb) => eb.or([eb("detected_at", ">", after.detectedAt), eb.and([eb("detected_at", "=", after.detectedAt), eb("id", ">", after.id)])]));
    }
    const rows = await query.orderBy("detected_at").orderBy("id").limit(filter.pageSize + 1).execute();
    const page = rows.slice(0, filter.pageSize).map(toDrift);
    const last = page.at(-1);
    return { drifts: page, next: rows.length > filter.pageSize && last ? { detectedAt: last.detectedAt, id: last.id } : undefined };
  }

  /** Open drifts per carrier and kind: the figure metrics read. */
  async countOpen(): Promise<OpenDriftCount[]> {
    const rows = await this.db
      .selectFrom("inventory_drifts")
      .select((eb) => ["carrier_id", "kind", eb.fn.countAll<number | string | bigint>().as("count")])
      .where("state", "=", "open")
      .groupBy(["carrier_id", "kind"])
      .orderBy("carrier_id")
      .orderBy("kind")
      .execute();
    return rows.map((row) => ({ carrierId: row.carrier_id, kind: row.kind as InventoryDriftKind, count: Number(row.count) }));
  }

  /**
   * Adopts the carrier's number into owned_numbers, or marks numbergate's owned number released, with the drift's
   * new state and the audit row in one transaction. Never calls a carrier.
   */
  resolve(request: { readonly id: string; readonly resolution: DriftResolution; readonly actor: string; readonly note: string; readonly now: number }): Promise<ResolveDriftOutcome> {
    return resolveDrift(this.db, request);
  }
}
