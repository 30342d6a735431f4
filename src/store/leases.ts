import type { Kysely } from "kysely";
import type { Database } from "./schema.js";

/**
 * Leases on records that replicas work in the background (orders, releases): compare-and-set on lease_owner and
 * lease_expires_at, so one replica at a time works a record, and a dead replica's records are taken over once
 * its lease lapses.
 */
export type LeasedTable = "number_orders" | "number_releases";

const UNFINISHED = ["pending", "in_doubt"];

/** Takes the lease on unfinished records due for work whose lease is free or expired; the ids taken. */
export async function claimDue(db: Kysely<Database>, table: LeasedTable, owner: string, now: number, leaseMs: number, limit: number): Promise<string[]> {
  const candidates = await db
    .selectFrom(table)
    .select("id")
    .where("state", "in", UNFINISHED)
    .where((eb) => eb.or([eb("next_check_at", "is", null), eb("next_check_at", "<=", now)]))
    .where((eb) => eb.or([eb("lease_expires_at", "is", null), eb("lease_expires_at", "<", now)]))
    .orderBy("created_at")
    .limit(limit)
    .execute();
  const claimed: string[] = [];
  for (const { id } of candidates) {
    const result = await db
      .updateTable(table)
      .set({ lease_owner: owner, lease_expires_at: now + leaseMs })
      .where("id", "=", id)
      .where("state", "in", UNFINISHED)
      .where((eb) => eb.or([eb("lease_expires_at", "is", null), eb("lease_expires_at", "<", now)]))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 1) claimed.push(id);
  }
  return claimed;
}

/** Extends the owner's lease while it works the record; false when the lease is no longer its own. */
export async function renewLease(db: Kysely<Database>, table: LeasedTable, id: string, owner: string, until: number, now: number): Promise<boolean> {
  const updated = await db
    .updateTable(table)
    .set({ lease_expires_at: until })
    .where("id", "=", id)
    .where("lease_owner", "=", owner)
    .where("lease_expires_at", ">", now)
    .where("state", "in", UNFINISHED)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

export async function releaseLease(db: Kysely<Database>, table: LeasedTable, id: string, owner: string): Promise<void> {
  await db.updateTable(table).set({ lease_owner: null, lease_expires_at: null }).where("id", "=", id).where("lease_owner", "=", owner).execute();
}
