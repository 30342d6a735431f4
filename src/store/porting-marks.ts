import type { Kysely } from "kysely";
import { OPEN_PORTING_STATES } from "./porting-rows.js";
import type { Database } from "./schema.js";

/** Compare-and-set marks on a porting order: a (re)submission in flight, and "check it soon". */

export async function markSubmitting(db: Kysely<Database>, id: string, now: number): Promise<boolean> {
  const updated = await db
    .updateTable("porting_orders")
    .set((eb) => ({ submission_started_at: now, updated_at: now, version: eb("version", "+", 1) }))
    .where("id", "=", id)
    .where("state", "=", "pending")
    .where("carrier_order_id", "is", null)
    .where("submission_started_at", "is", null)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

export async function markResubmitting(db: Kysely<Database>, id: string, now: number): Promise<boolean> {
  const updated = await db
    .updateTable("porting_orders")
    .set((eb) => ({ resubmission_started_at: now, superseded_carrier_order_id: eb.ref("carrier_order_id"), updated_at: now, version: eb("version", "+", 1) }))
    .where("id", "=", id)
    .where("state", "in", ["action_required", "awaiting_documents"])
    .where("carrier_order_id", "is not", null)
    .where("resubmission_started_at", "is", null)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

/** Clears the mark set at `startedAt` (and no later one): that (re)submission is known never to have arrived. */
export async function clearMark(db: Kysely<Database>, mark: "submission_started_at" | "resubmission_started_at", id: string, startedAt: number, now: number): Promise<boolean> {
  const cleared = mark === "submission_started_at" ? { submission_started_at: null } : { resubmission_started_at: null, superseded_carrier_order_id: null };
  const updated = await db
    .updateTable("porting_orders")
    .set((eb) => ({ ...cleared, updated_at: now, version: eb("version", "+", 1) }))
    .where("id", "=", id)
    .where(mark, "=", startedAt)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

export async function checkSoon(db: Kysely<Database>, id: string, at: number): Promise<void> {
  await db
    .updateTable("porting_orders")
    .set({ next_check_at: at })
    .where("id", "=", id)
    .where("state", "in", [...OPEN_PORTING_STATES])
    .where((eb) => eb.or([eb("next_check_at", "is", null), eb("next_check_at", ">", at)]))
    .execute();
}
