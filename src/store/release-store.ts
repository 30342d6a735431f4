import type { Kysely, Selectable } from "kysely";
import { appendAudit, type AuditEntry } from "./audit-store.js";
import { isUniqueViolation } from "./database.js";
import { claimDue, NUMBER_RELEASE_WORK, releaseLease, renewLease } from "./leases.js";
import type { ReleaseRecord, ReleaseState } from "./records.js";
import type { Database, NumberReleasesTable } from "./schema.js";

export interface NewRelease {
  readonly id: string;
  readonly requestId: string;
  readonly fingerprint: string;
  readonly phoneNumber: string;
  readonly orderReference: string;
  readonly actor: string;
  readonly now: number;
  readonly leaseOwner: string;
  readonly leaseUntil: number;
}

export type BeginReleaseResult =
  | { readonly kind: "created" | "existing"; readonly release: ReleaseRecord }
  | { readonly kind: "request_id_reused"; readonly release: ReleaseRecord }
  | { readonly kind: "not_owned" }
  | { readonly kind: "in_progress"; readonly otherRequestId: string };

export interface ReleaseOutcome {
  readonly state: Extract<ReleaseState, "completed" | "failed">;
  readonly carrierOrderId: string | undefined;
  /** For a failed release: the carrier error kind (or "unavailable") replayed to a same-request_id retry. */
  readonly failureKind: string | undefined;
  readonly detail: string;
  readonly now: number;
  readonly audits: readonly AuditEntry[];
}

const UNFINISHED = ["pending", "in_doubt"];

function toRelease(row: Selectable<NumberReleasesTable>): ReleaseRecord {
  return {
    id: row.id,
    requestId: row.request_id,
    requestFingerprint: row.request_fingerprint,
    ownedNumberId: row.owned_number_id,
    phoneNumber: row.phone_number,
    carrierId: row.carrier_id,
    state: row.state as ReleaseState,
    alreadyReleased: Number(row.already_released) === 1,
    orderReference: row.order_reference,
    carrierOrderId: row.carrier_order_id ?? undefined,
    failureKind: row.failure_kind ?? undefined,
    detail: row.detail,
    sentAt: row.sent_at ?? undefined,
    checkAttempts: row.check_attempts,
    actor: row.actor,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Releases of owned numbers. request_id is unique (a retry finds its release and its answer); the partial
 * unique index on live releases keeps two releases of one number from running at once; leases and the
 * sent marker work as for orders, so a release whose answer was lost is looked up, never sent again.
 */
export class ReleaseStore {
  constructor(private readonly db: Kysely<Database>) {}

  async begin(release: NewRelease): Promise<BeginReleaseResult> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        const existing = await trx.selectFrom("number_releases").selectAll().where("request_id", "=", release.requestId).executeTakeFirst();
        if (existing) return { kind: existing.request_fingerprint === release.fingerprint ? "existing" : "request_id_reused", release: toRelease(existing) } as const;
        const owned = await trx.selectFrom("owned_numbers").selectAll().where("phone_number", "=", release.phoneNumber).orderBy("purchased_at", "desc").execute();
        const live = owned.find((row) => row.state !== "released");
        const latest = live ?? owned[0];
        if (!latest) return { kind: "not_owned" } as const;
        if (live?.state === "releasing") {
          // Under READ COMMITTED (PostgreSQL) a retry of this very request can miss the release in the first read
          // and see its claim on the number in the second: it is that release, not another one in progress.
          const winner = live.release_request_id === release.requestId ? await trx.selectFrom("number_releases").selectAll().where("request_id", "=", release.requestId).executeTakeFirst() : undefined;
          if (winner) return { kind: winner.request_fingerprint === release.fingerprint ? "existing" : "request_id_reused", release: toRelease(winner) } as const;
          return { kind: "in_progress", otherRequestId: live.release_request_id ?? "" } as const;
        }
        const row = {
          id: release.id,
          request_id: release.requestId,
          request_fingerprint: release.fingerprint,
          owned_number_id: latest.id,
          phone_number: release.phoneNumber,
          carrier_id: latest.carrier_id,
          // A number already released is answered as such, and so is every retry of this request_id.
          state: live ? "pending" : "completed",
          already_released: live ? 0 : 1,
          order_reference: release.orderReference,
          carrier_order_id: null,
          failure_kind: null,
          detail: live ? "" : "the number had been released before",
          sent_at: null,
          lease_owner: live ? release.leaseOwner : null,
          lease_expires_at: live ? release.leaseUntil : null,
          next_check_at: null,
          check_attempts: 0,
          actor: release.actor,
          created_at: release.now,
          updated_at: release.now,
        };
        if (live) {
          const claimed = await trx.updateTable("owned_numbers").set({ state: "releasing", release_request_id: release.requestId }).where("id", "=", live.id).where("state", "=", "active").executeTakeFirst();
          if (Number(claimed.numUpdatedRows) !== 1) {
            // Another release committed while this one waited for the row (PostgreSQL): maybe a retry of this very request.
            const winner = await trx.selectFrom("number_releases").selectAll().where("request_id", "=", release.requestId).executeTakeFirst();
            if (winner) return { kind: winner.request_fingerprint === release.fingerprint ? "existing" : "request_id_reused", release: toRelease(winner) } as const;
            return { kind: "in_progress", otherRequestId: "" } as const;
          }
        }
        await trx.insertInto("number_releases").values(row).execute();
        return { kind: live ? "created" : "existing", release: toRelease(row) } as const;
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // A concurrent request committed first: the same request_id (answer as it does) or another release.
      const winner = await this.getByRequestId(release.requestId);
      if (winner) return { kind: winner.requestFingerprint === release.fingerprint ? "existing" : "request_id_reused", release: winner };
      return { kind: "in_progress", otherRequestId: "" };
    }
  }

  async get(id: string): Promise<ReleaseRecord | undefined> {
    const row = await this.db.selectFrom("number_releases").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toRelease(row) : undefined;
  }

  async getByRequestId(requestId: string): Promise<ReleaseRecord | undefined> {
    const row = await this.db.selectFrom("number_releases").selectAll().where("request_id", "=", requestId).executeTakeFirst();
    return row ? toRelease(row) : undefined;
  }

  /** Recorded just before the carrier call, only by the valid lease holder; false: do not call. */
  async markSent(id: string, owner: string, now: number): Promise<boolean> {
    const updated = await this.db
      .updateTable("number_releases")
      .set({ sent_at: now, updated_at: now })
      .where("id", "=", id)
      .where("sent_at", "is", null)
      .where("lease_owner", "=", owner)
      .where("lease_expires_at", ">", now)
      .where("state", "in", UNFINISHED)
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) === 1;
  }

  /** Still unfinished: pending at the carrier or in doubt; looked at again at nextCheckAt. */
  async wait(id: string, fields: { state: Extract<ReleaseState, "pending" | "in_doubt">; carrierOrderId?: string; detail: string; nextCheckAt: number; now: number; failed: boolean; audits: readonly AuditEntry[] }): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable("number_releases")
        .set((eb) => ({
          state: fields.state,
          detail: fields.detail,
          next_check_at: fields.nextCheckAt,
          updated_at: fields.now,
          check_attempts: fields.failed ? eb("check_attempts", "+", 1) : 0,
          ...(fields.carrierOrderId ? { carrier_order_id: fields.carrierOrderId } : {}),
        }))
        .where("id", "=", id)
        .where("state", "in", UNFINISHED)
        .execute();
      await appendAudit(trx, fields.audits, fields.now);
    });
  }

  /** Ends the release once: the number is released, or active again after a refusal. False if already final. */
  async finish(id: string, outcome: ReleaseOutcome): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const release = await trx.selectFrom("number_releases").selectAll().where("id", "=", id).where("state", "in", UNFINISHED).executeTakeFirst();
      if (!release) return false;
      await trx
        .updateTable("number_releases")
        .set({
          state: outcome.state,
          failure_kind: outcome.failureKind ?? null,
          detail: outcome.detail,
          updated_at: outcome.now,
          lease_owner: null,
          lease_expires_at: null,
          next_check_at: null,
          ...(outcome.carrierOrderId ? { carrier_order_id: outcome.carrierOrderId } : {}),
        })
        .where("id", "=", id)
        .execute();
      const owned = trx.updateTable("owned_numbers").where("id", "=", release.owned_number_id).where("state", "=", "releasing");
      if (outcome.state === "completed") await owned.set({ state: "released", released_at: outcome.now }).execute();
      else await owned.set({ state: "active", release_request_id: null }).execute();
      await appendAudit(trx, outcome.audits, outcome.now);
      return true;
    });
  }

  /** Extends this replica's lease while it works the record; false when the lease is no longer its own. */
  renewLease(id: string, owner: string, until: number, now: number): Promise<boolean> {
    return renewLease(this.db, NUMBER_RELEASE_WORK, id, owner, until, now);
  }


  releaseLease(id: string, owner: string): Promise<void> {
    return releaseLease(this.db, NUMBER_RELEASE_WORK, id, owner);
  }


  /** Takes the lease on unfinished records due for work whose lease is free or expired (a dead replica's). */
  async claimDue(owner: string, now: number, leaseMs: number, limit: number): Promise<ReleaseRecord[]> {
    const claimed: ReleaseRecord[] = [];
    for (const id of await claimDue(this.db, NUMBER_RELEASE_WORK, owner, now, leaseMs, limit)) {
      const record = await this.get(id);
      if (record) claimed.push(record);
    }
    return claimed;
  }

}
