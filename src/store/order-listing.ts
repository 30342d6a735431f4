import type { Kysely } from "kysely";
import type { FieldCipher } from "./field-cipher.js";
import { toItem, toOrder } from "./order-rows.js";
import type { OrderRecord, OrderState } from "./records.js";
import type { Database } from "./schema.js";

/** Which orders ListNumberOrders wants: every given filter must hold. */
export interface OrderListFilter {
  readonly carrierId?: string;
  /** Any of these states; empty or absent: every state. */
  readonly states?: readonly OrderState[];
  /** Created at or after this time, epoch ms. */
  readonly createdFrom?: number;
  /** Created before this time, epoch ms. */
  readonly createdBefore?: number;
  readonly pageSize: number;
  /** Keyset cursor: the last order of the previous page. */
  readonly after?: { readonly createdAt: number; readonly id: string };
}

export interface OrderPage {
  readonly orders: readonly OrderRecord[];
  readonly hasMore: boolean;
}

/**
 * Orders newest first, keyset paged on (created_at, id) (index number_orders_listing), each with its items and
 * its customer data opened as OrderStore.get opens it.
 */
export async function listOrders(db: Kysely<Database>, cipher: FieldCipher, filter: OrderListFilter): Promise<OrderPage> {
  const pageSize = Math.max(1, Math.floor(filter.pageSize));
  let query = db.selectFrom("number_orders").selectAll();
  if (filter.carrierId !== undefined) query = query.where("carrier_id", "=", filter.carrierId);
  if (filter.states !== undefined && filter.states.length > 0) query = query.where("state", "in", [...filter.states]);
  if (filter.createdFrom !== undefined) query = query.where("created_at", ">=", filter.createdFrom);
  if (filter.createdBefore !== undefined) query = query.where("created_at", "<", filter.createdBefore);
  const after = filter.after;
  if (after) query = query.where((eb) => eb.or([eb("created_at", "<", after.createdAt), eb.and([eb("created_at", "=", after.createdAt), eb("id", "<", after.id)])]));
  const fetched = await query.orderBy("created_at", "desc").orderBy("id", "desc").limit(pageSize + 1).execute();
  const rows = fetched.slice(0, pageSize);
  if (rows.length === 0) return { orders: [], hasMore: false };
  const items = await db.selectFrom("number_order_items").selectAll().where("order_id", "in", rows.map((row) => row.id)).orderBy("order_id").orderBy("phone_number").execute();
  const orders = rows.map((row) => toOrder(row, items.filter((item) => item.order_id === row.id).map(toItem), cipher));
  return { orders, hasMore: fetched.length > pageSize };
}
