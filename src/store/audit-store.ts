import type { Kysely } from "kysely";
import type { Database } from "./schema.js";

export interface AuditEntry {
  readonly actor: string;
  readonly requestId?: string;
  readonly carrierId?: string;
  readonly operation: string;
  readonly outcome: string;
  readonly latencyMs?: number;
  readonly resourceType?: string;
  readonly resourceId?: string;
  /** Our own words; never a secret, a carrier body or a credential. */
  readonly detail?: string;
}

export interface AuditRecord extends AuditEntry {
  readonly id: number;
  readonly at: number;
  /** How many identical consecutive entries for this resource the row stands for, and when the last was. */
  readonly repeatCount: number;
  readonly lastAt: number | undefined;
}

/** The row for an audit entry; shared so state changes can write their audit rows in their own transaction. */
export function auditRow(entry: AuditEntry, at: number) {
  return {
    at,
    actor: entry.actor,
    request_id: entry.requestId ?? null,
    carrier_id: entry.carrierId ?? null,
    operation: entry.operation,
    outcome: entry.outcome,
    latency_ms: entry.latencyMs === undefined ? null : Math.round(entry.latencyMs),
    resource_type: entry.resourceType ?? null,
    resource_id: entry.resourceId ?? null,
    detail: entry.detail ?? "",
  };
}

/**
 * Appends audit entries, collapsing an entry identical to the latest one for the same resource into that row
 * (repeat_count, last_at): a carrier refusing the same lookup every few seconds for an hour is one row, not a
 * thousand. Usable inside a transaction, so state changes keep writing their audit rows with them. One look at
 * the latest row per resource and one insert for the batch: on PostgreSQL every statement is a round trip.
 */
export async function appendAudit(db: Kysely<Database>, entries: readonly AuditEntry[], at: number): Promise<void> {
  const rows: PendingAuditRow[] = [];
  const latestByResource = new Map<string, CollapsibleRow | undefined>();
  for (const entry of entries) {
    const row: PendingAuditRow = { ...auditRow(entry, at), repeat_count: 1, last_at: null };
    const resource = entry.resourceType !== undefined && entry.resourceId !== undefined ? `${entry.resourceType}\u0000${entry.resourceId}` : undefined;
    if (resource === undefined) {
      rows.push(row);
      continue;
    }
    if (!latestByResource.has(resource)) latestByResource.set(resource, await latestRow(db, row));
    const latest = latestByResource.get(resource);
    if (latest && sameEntry(latest, row)) {
      if (latest.pending) {
        latest.pending.repeat_count += 1;
        latest.pending.last_at = at;
      } else if (latest.id !== undefined) {
        await db.updateTable("audit_log").set((eb) => ({ repeat_count: eb("repeat_count", "+", 1), last_at: at })).where("id", "=", latest.id).execute();
      }
      continue;
    }
    rows.push(row);
    latestByResource.set(resource, { ...row, pending: row });
  }
  if (rows.length > 0) await db.insertInto("audit_log").values(rows).execute();
}

/**
 * Appends the audit rows of resources created in the same transaction: nothing can precede them, so there is
 * nothing to collapse into and no need to look.
 */
export async function appendNewResourceAudit(db: Kysely<Database>, entries: readonly AuditEntry[], at: number): Promise<void> {
  if (entries.length > 0) await db.insertInto("audit_log").values(entries.map((entry) => auditRow(entry, at))).execute();
}

type PendingAuditRow = ReturnType<typeof auditRow> & { repeat_count: number; last_at: number | null };

/** The latest row of a resource as far as collapsing goes: stored (id) or about to be inserted (pending). */
interface CollapsibleRow {
  readonly id?: number;
  readonly pending?: PendingAuditRow;
  readonly actor: string;
  readonly request_id: string | null;
  readonly carrier_id: string | null;
  readonly operation: string;
  readonly outcome: string;
  readonly detail: string;
}

async function latestRow(db: Kysely<Database>, row: PendingAuditRow): Promise<CollapsibleRow | undefined> {
  if (row.resource_type === null || row.resource_id === null) return undefined;
  const latest = await db
    .selectFrom("audit_log")
    .select(["id", "actor", "request_id", "carrier_id", "operation", "outcome", "detail"])
    .where("resource_type", "=", row.resource_type)
    .where("resource_id", "=", row.resource_id)
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  return latest ? { ...latest, id: Number(latest.id) } : undefined;
}

function sameEntry(latest: CollapsibleRow, row: PendingAuditRow): boolean {
  return (
    latest.actor === row.actor &&
    latest.request_id === row.request_id &&
    latest.carrier_id === row.carrier_id &&
    latest.operation === row.operation &&
    latest.outcome === row.outcome &&
    latest.detail === row.detail
  );
}

export interface AuditPageQuery {
  /** Only entries with a larger id (0: all). */
  readonly afterId: number;
  readonly resourceId?: string;
  readonly newestFirst: boolean;
  /** The last id of the previous page. */
  readonly cursorId?: number;
  readonly limit: number;
}

/** Append-only record of every carrier interaction and state change. */
export class AuditStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    await appendAudit(this.db, [entry], this.now());
  }

  /** Oldest first, after the given id. */
  list(afterId: number, limit: number): Promise<AuditRecord[]> {
    return this.page({ afterId, newestFirst: false, limit });
  }

  /**
   * One page of the log (ListAuditEvents): entries after `afterId`, about `resourceId` when given, oldest or
   * newest first, continuing past `cursorId` (the last id of the previous page).
   */
  async page(query: AuditPageQuery): Promise<AuditRecord[]> {
    let select = this.db.selectFrom("audit_log").selectAll().where("id", ">", query.afterId);
    if (query.resourceId !== undefined) select = select.where("resource_id", "=", query.resourceId);
    if (query.cursorId !== undefined) select = select.where("id", query.newestFirst ? "<" : ">", query.cursorId);
    const rows = await select.orderBy("id", query.newestFirst ? "desc" : "asc").limit(query.limit).execute();
    return rows.map((row) => ({
      id: Number(row.id),
      at: row.at,
      actor: row.actor,
      requestId: row.request_id ?? undefined,
      carrierId: row.carrier_id ?? undefined,
      operation: row.operation,
      outcome: row.outcome,
      latencyMs: row.latency_ms ?? undefined,
      resourceType: row.resource_type ?? undefined,
      resourceId: row.resource_id ?? undefined,
      detail: row.detail,
      repeatCount: Number(row.repeat_count),
      lastAt: row.last_at ?? undefined,
    }));
  }
}
