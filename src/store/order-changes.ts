import type { Kysely, Transaction } from "kysely";
import { decodeOrderFailure, encodeOrderFailure, type OrderFailure } from "../domain/order-failure.js";
import { appendAudit, type AuditEntry } from "./audit-store.js";
import type { FieldCipher } from "./field-cipher.js";
import { ownedRow, toItem, toOrder } from "./order-rows.js";
import type { OrderItemRecord, OrderRecord, OrderState } from "./records.js";
import type { Database } from "./schema.js";

/**
 * What numbergate learnt about an order from one carrier answer or lookup, already judged (see
 * lifecycle/order-decision.ts): which items were bought or refused, and the state the order is in now.
 */
export interface OrderChange {
  readonly purchased: readonly { readonly phoneNumber: string; readonly carrierNumberId: string }[];
  readonly failed: readonly { readonly phoneNumber: string; readonly detail: string; readonly failure: OrderFailure }[];
  /** A final state once every item is accounted for; else pending (the carrier is working) or in_doubt. */
  readonly state: OrderState;
  readonly carrierOrderId: string | undefined;
  readonly detail: string;
  /** For an unfinished order: when to look at it again. */
  readonly nextCheckAt: number | undefined;
  readonly now: number;
  /** Written in the same transaction as the change (the carrier call and the state change). */
  readonly audits: readonly AuditEntry[];
}

/** What apply did: nothing when the order was already final; else the order as the change left it. */
export type AppliedChange =
  | { readonly applied: false; readonly ownershipConflicts: readonly string[] }
  | {
      readonly applied: true;
      readonly order: OrderRecord;
      /** Numbers the carrier says this order bought that numbergate already records as owned through another order. */
      readonly ownershipConflicts: readonly string[];
    };

/** An order's states that still take carrier answers. */
export const UNFINISHED_ORDER_STATES: readonly string[] = ["pending", "in_doubt"];

/**
 * Applies one judged carrier answer inside the caller's transaction: items bought (each becomes an owned number
 * once) or refused, the order's state, holds freed when final, and the audit rows. The order row comes back from
 * its own update and the items are changed in memory as they are written, so the record answered is the one a
 * read would find, without reading it back (on PostgreSQL each statement is a round trip).
 */
export async function applyOrderChange(trx: Transaction<Database>, cipher: FieldCipher, id: string, change: OrderChange): Promise<AppliedChange> {
  const final = !UNFINISHED_ORDER_STATES.includes(change.state);
  const order = await trx
    .updateTable("number_orders")
    .set({
      state: change.state,
      detail: change.detail,
      updated_at: change.now,
      next_check_at: final ? null : (change.nextCheckAt ?? null),
      check_attempts: 0,
      ...(final ? { lease_owner: null, lease_expires_at: null } : {}),
      ...(change.carrierOrderId ? { carrier_order_id: change.carrierOrderId } : {}),
    })
    .where("id", "=", id)
    .where("state", "in", UNFINISHED_ORDER_STATES)
    .returningAll()
    .executeTakeFirst();
  if (!order) return { applied: false, ownershipConflicts: [] };
  const items = await orderItems(trx, id);
  const ownershipConflicts: string[] = [];
  for (const bought of change.purchased) {
    const index = items.findIndex((candidate) => candidate.phoneNumber === bought.phoneNumber && candidate.state === "pending");
    const item = items[index];
    if (!item) continue;
    await trx.updateTable("number_order_items").set({ state: "purchased", carrier_number_id: bought.carrierNumberId, detail: "" }).where("order_id", "=", id).where("phone_number", "=", bought.phoneNumber).execute();
    items[index] = { ...item, state: "purchased", carrierNumberId: bought.carrierNumberId, detail: "" };
    const inserted = await trx.insertInto("owned_numbers").values(ownedRow(order, item, bought.carrierNumberId, change.now, cipher)).onConflict((conflict) => conflict.doNothing()).executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) !== 1) ownershipConflicts.push(bought.phoneNumber);
  }
  for (const failed of change.failed) {
    const updated = await trx
      .updateTable("number_order_items")
      .set({ state: "failed", detail: failed.detail, failure_kind: encodeOrderFailure(failed.failure) })
      .where("order_id", "=", id)
      .where("phone_number", "=", failed.phoneNumber)
      .where("state", "=", "pending")
      .executeTakeFirst();
    const index = items.findIndex((candidate) => candidate.phoneNumber === failed.phoneNumber && candidate.state === "pending");
    const item = items[index];
    if (item && Number(updated.numUpdatedRows) === 1) items[index] = { ...item, state: "failed", detail: failed.detail, failure: decodeOrderFailure(encodeOrderFailure(failed.failure)) };
  }
  if (final) await trx.deleteFrom("number_holds").where("holder_kind", "=", "order").where("holder_id", "=", id).execute();
  await appendAudit(trx, change.audits, change.now);
  return { applied: true, ownershipConflicts, order: toOrder(order, items, cipher) };
}

/** An order's items in phone-number order. */
export async function orderItems(db: Kysely<Database>, orderId: string): Promise<OrderItemRecord[]> {
  const rows = await db.selectFrom("number_order_items").selectAll().where("order_id", "=", orderId).orderBy("phone_number").execute();
  return rows.map(toItem);
}
