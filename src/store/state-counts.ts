import type { Kysely } from "kysely";
import { OPEN_PORTING_STATES } from "./porting-rows.js";
import type { OrderState } from "./records.js";
import type { Database } from "./schema.js";

/** How many number orders and porting orders are in each state now (the metrics' gauges read these). */
export interface StateCounts {
  /** Every OrderState, 0 when none (in_doubt included: the figure an operator watches). */
  readonly numberOrders: Readonly<Record<string, number>>;
  /** Every porting state, 0 when none. */
  readonly portingOrders: Readonly<Record<string, number>>;
}

const ORDER_STATES: readonly OrderState[] = ["pending", "completed", "failed", "in_doubt", "partial"];
const PORTING_STATES: readonly string[] = [...OPEN_PORTING_STATES, "completed", "cancelled", "failed"];

const zeros = (states: readonly string[]): Record<string, number> => Object.fromEntries(states.map((state) => [state, 0]));

/** How long one count is reused: a scrape every second still costs the database one query pair per TTL. */
export const STATE_COUNTS_TTL_MS = 5_000;

async function countByState(db: Kysely<Database>, table: "number_orders" | "porting_orders"): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom(table)
    .select(["state"])
    .select((eb) => eb.fn.countAll<number | string | bigint>().as("count"))
    .groupBy("state")
    .execute();
  // PostgreSQL answers count(*) as a bigint string; SQLite as a number.
  return Object.fromEntries(rows.map((row) => [row.state, Number(row.count)]));
}

export async function countNumberOrdersByState(db: Kysely<Database>): Promise<Record<string, number>> {
  return { ...zeros(ORDER_STATES), ...(await countByState(db, "number_orders")) };
}

export async function countPortingOrdersByState(db: Kysely<Database>): Promise<Record<string, number>> {
  return { ...zeros(PORTING_STATES), ...(await countByState(db, "porting_orders")) };
}

/**
 * Both counts, cached for `ttlMs`: concurrent readers share one query, and a failed query is not cached (the
 * next reader tries again).
 */
export function cachedStateCounts(db: Kysely<Database>, ttlMs = STATE_COUNTS_TTL_MS, now: () => number = () => performance.now()): () => Promise<StateCounts> {
  let cached: { readonly at: number; readonly counts: Promise<StateCounts> } | undefined;
  return () => {
    if (cached && now() - cached.at < ttlMs) return cached.counts;
    const counts = Promise.all([countNumberOrdersByState(db), countPortingOrdersByState(db)]).then(([numberOrders, portingOrders]) => ({ numberOrders, portingOrders }));
    const entry = { at: now(), counts };
    cached = entry;
    counts.catch(() => {
      if (cached === entry) cached = undefined;
    });
    return counts;
  };
}
