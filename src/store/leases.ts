import type { Kysely } from "kysely";
import type { Database } from "./schema.js";

/**
 * Leases on records that replicas work in the background (orders, releases, port-ins): compare-and-set on
 * lease_owner and lease_expires_at, so one replica at a time works a record, and a dead replica's records are
 * taken over once its lease lapses.
 */
export type LeasedTable = "number_orders" | "number_releases" | "porting_orders";

/** A table of leased records and the states in which its records still need work (the others are final). */
export interface LeasedWork {
  readonly table: LeasedTable;
  readonly unfinished: readonly string[];
}

export const NUMBER_ORDER_WORK: LeasedWork = { table: "number_orders", unfinished: ["pending", "in_doubt"] };
export const NUMBER_RELEASE_WORK: LeasedWork = { table: "number_releases", unfinished: ["pending", "in_doubt"] };

/**
 * Takes the lease on unfinished records due for work (by now, or within horizonMs of it) whose lease is free or
 * expired; the ids taken.
 */
export async function claimDue(db: Kysely<Database>, work: LeasedWork, owner: string, now: number, leaseMs: number, limit: number, horizonMs = 0): Promise<string[]> {
  const unfinished = [...work.unfinished];
  const candidates = await db
    .selectFrom(work.table)
    .select("id")
    .where("state", "in", unfinished)
    .where((eb) => eb.or([eb("next_check_at", "is", null), eb("next_check_at", "<=", now + horizonMs)]))
    .where((eb) => eb.or([eb("lease_expires_at", "is", null), eb("lease_expires_at", "<", now)]))
    .orderBy("created_at")
    .limit(limit)
    .execute();
  const claimed: string[] = [];
  for (const { id } of candidates) {
    const result = await db
      .updateTable(work.table)
      .set({ lease_owner: owner, lease_expires_at: now + leaseMs })
      .where("id", "=", id)
      .where("state", "in", unfinished)
      .where((eb) => eb.or([eb("lease_expires_at", "is", null), eb("lease_expires_at", "<", now)]))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 1) claimed.push(id);
  }
  return claimed;
}

/** Extends the owner's lease while it works the record; false when the lease is no longer its own. */
export async function renewLease(db: Kysely<Database>, work: LeasedWork, id: string, owner: string, until: number, now: number): Promise<boolean> {
  const updated = await db
    .updateTable(work.table)
    .set({ lease_expires_at: until })
    .where("id", "=", id)
    .where("lease_owner", "=", owner)
    .where("lease_expires_at", ">", now)
    .where("state", "in", [...work.unfinished])
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

/** Gives the owner's lease up (whatever the record's state: a final record keeps no lease anyway). */
export async function releaseLease(db: Kysely<Database>, work: LeasedWork, id: string, owner: string): Promise<void> {
  await db.updateTable(work.table).set({ lease_owner: null, lease_expires_at: null }).where("id", "=", id).where("lease_owner", "=", owner).execute();
}
