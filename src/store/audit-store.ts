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

/** Append-only record of every carrier interaction and state change. */
export class AuditStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.db.insertInto("audit_log").values(auditRow(entry, this.now())).execute();
  }

  /** Oldest first, after the given id. */
  async list(afterId: number, limit: number): Promise<AuditRecord[]> {
    const rows = await this.db.selectFrom("audit_log").selectAll().where("id", ">", afterId).orderBy("id").limit(limit).execute();
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
    }));
  }
}
