import type { Kysely, Transaction } from "kysely";
import { appendAudit, appendNewResourceAudit, type AuditEntry } from "./audit-store.js";
import { applyOrderChange, orderItems, UNFINISHED_ORDER_STATES, type AppliedChange, type OrderChange } from "./order-changes.js";
import { isUniqueViolation } from "./database.js";
import { ORDER_CUSTOMER_INFO } from "./encrypted-columns.js";
import type { FieldCipher } from "./field-cipher.js";
import { claimDue, NUMBER_ORDER_WORK, releaseLease, renewLease } from "./leases.js";
import { toJson, type CustomerInfoRecord, type OfferSnapshot, type OrderRecord, type OrderSubstitution } from "./records.js";
import { listOrders, type OrderListFilter, type OrderPage } from "./order-listing.js";
import { toItem, toOrder } from "./order-rows.js";
import { expireHold } from "./reservation-store.js";
import type { Database } from "./schema.js";

export interface NewOrder {
  readonly id: string;
  readonly requestId: string;
  readonly fingerprint: string;
  readonly carrierId: string;
  readonly orderReference: string;
  readonly customerInfo: CustomerInfoRecord | undefined;
  readonly items: readonly { readonly phoneNumber: string; readonly offer: OfferSnapshot | undefined; readonly reservationId: string | undefined }[];
  readonly now: number;
  readonly leaseOwner: string;
  readonly leaseUntil: number;
  /** Written in the same transaction as the order. */
  readonly audit: AuditEntry;
  /** A substitute order's part in its substitution (see createSubstitute). */
  readonly substitution?: OrderSubstitution;
  /** The W3C traceparent of the RPC creating it, for the reconciler's traces to link to. */
  readonly traceParent?: string;
}

export type CreateOrderResult =
  | { readonly kind: "created"; readonly order: OrderRecord }
  | { readonly kind: "existing"; readonly order: OrderRecord }
  | { readonly kind: "request_id_reused"; readonly order: OrderRecord }
  | { readonly kind: "unavailable"; readonly phoneNumber: string; readonly reason: string };

/**
 * What became of an attempt to create a substitute order: created (or found, made by a racing caller), the
 * substitute's number is held by someone else (try another), or the original order's substitution was
 * already decided by another caller (read it from `original`).
 */
export type CreateSubstituteResult = CreateOrderResult | { readonly kind: "decided"; readonly original: OrderRecord };


/** Rolls markItemsSent's transaction back: one of the numbers was sent already (or is no longer pending). */
class AlreadySent extends Error {}

/** Rolls a substitute's transaction back: the original order's substitution was decided meanwhile. */
class AlreadyDecided extends Error {}

class Unavailable extends Error {
  constructor(readonly phoneNumber: string, readonly reason: string) {
    super(reason);
  }
}

/**
 * Purchase orders. request_id is unique, so one request_id makes one order however many replicas race; the
 * order and its number holds are written in one transaction before any carrier call; leases (compare-and-set
 * on lease_owner/lease_expires_at) make sure one replica at a time works an order.
 */
export class OrderStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cipher: FieldCipher,
  ) {}

  async create(order: NewOrder): Promise<CreateOrderResult> {
    try {
      return await this.db.transaction().execute((trx) => this.#create(trx, order));
    } catch (error) {
      if (!(error instanceof Unavailable) && !isUniqueViolation(error)) throw error;
      // A concurrent transaction with the same request_id may have committed after our first look: it wins,
      // and this request is a retry of it (or a conflicting reuse of its request_id).
      const existing = await this.getByRequestId(order.requestId);
      if (existing) return existing.requestFingerprint === order.fingerprint ? { kind: "existing", order: existing } : { kind: "request_id_reused", order: existing };
      if (error instanceof Unavailable) return { kind: "unavailable", phoneNumber: error.phoneNumber, reason: error.reason };
      const holder = await this.db.selectFrom("number_holds").select(["phone_number", "holder_kind"]).where("phone_number", "in", order.items.map((item) => item.phoneNumber)).executeTakeFirst();
      return { kind: "unavailable", phoneNumber: holder?.phone_number ?? order.items[0]?.phoneNumber ?? "", reason: `held by another ${holder?.holder_kind ?? "client"}` };
    }
  }

  async #create(trx: Transaction<Database>, order: NewOrder): Promise<CreateOrderResult> {
    const existing = await this.#byRequestId(trx, order.requestId);
    if (existing) return existing.requestFingerprint === order.fingerprint ? { kind: "existing", order: existing } : { kind: "request_id_reused", order: existing };
    for (const item of order.items) {
      const owned = await trx.selectFrom("owned_numbers").select("id").where("phone_number", "=", item.phoneNumber).where("state", "<>", "released").executeTakeFirst();
      if (owned) throw new Unavailable(item.phoneNumber, "numbergate already owns it");
      const reservationId = item.reservationId;
      if (reservationId) {
        // The caller's own reservation becomes the order's hold.
        const converted = await trx
          .updateTable("number_holds")
          .set({ holder_kind: "order", holder_id: order.id, expires_at: null })
          .where("phone_number", "=", item.phoneNumber)
          .where("holder_kind", "=", "reservation")
          .where("holder_id", "=", reservationId)
          .where("expires_at", ">", order.now)
          .executeTakeFirst();
        if (Number(converted.numUpdatedRows) !== 1) throw new Unavailable(item.phoneNumber, `reservation ${reservationId} no longer holds it`);
        await trx.updateTable("reservations").set({ state: "consumed", updated_at: order.now }).where("id", "=", reservationId).execute();
      } else {
        await this.#hold(trx, item.phoneNumber, order);
      }
    }
    const row = {
      id: order.id,
      request_id: order.requestId,
      request_fingerprint: order.fingerprint,
      carrier_id: order.carrierId,
      state: "pending",
      order_reference: order.orderReference,
      carrier_order_id: null,
      reservation_id: order.items.find((item) => item.reservationId)?.reservationId ?? null,
      customer_info: this.cipher.seal(ORDER_CUSTOMER_INFO, toJson(order.customerInfo)),
      detail: "",
      carrier_call_started_at: null,
      substitution: toJson(order.substitution),
      lease_owner: order.leaseOwner,
      lease_expires_at: order.leaseUntil,
      next_check_at: null,
      check_attempts: 0,
      created_at: order.now,
      updated_at: order.now,
      trace_parent: order.traceParent ?? null,
    };
    await trx.insertInto("number_orders").values(row).execute();
    const items = order.items.map((item) => ({
      order_id: order.id,
      phone_number: item.phoneNumber,
      state: "pending",
      detail: "",
      carrier_number_id: null,
      offer: toJson(item.offer),
      sent_at: null,
      reservation_id: item.reservationId ?? null,
      failure_kind: null,
    }));
    await trx.insertInto("number_order_items").values(items).execute();
    await appendNewResourceAudit(trx, [order.audit], order.now);
    return { kind: "created", order: toOrder(row, items.map(toItem), this.cipher) };
  }

  /**
   * Takes the hold on a number for the order. The insert is tried first (one statement when the number is
   * free, the common case); only when someone holds it does a lapsed reservation's hold get cleared and the
   * insert tried again.
   */
  async #hold(trx: Transaction<Database>, phoneNumber: string, order: NewOrder): Promise<void> {
    const hold = { phone_number: phoneNumber, holder_kind: "order", holder_id: order.id, expires_at: null, created_at: order.now };
    const take = async () => Number((await trx.insertInto("number_holds").values(hold).onConflict((conflict) => conflict.doNothing()).executeTakeFirst()).numInsertedOrUpdatedRows ?? 0n) === 1;
    if (await take()) return;
    await expireHold(trx, phoneNumber, order.now);
    if (await take()) return;
    const holder = await trx.selectFrom("number_holds").select("holder_kind").where("phone_number", "=", phoneNumber).executeTakeFirst();
    throw new Unavailable(phoneNumber, `held by another ${holder?.holder_kind ?? "client"}`);
  }

  /**
   * Creates the order that buys an equivalent number instead of a failed order's (PurchaseNumber
   * allow_substitute) and links the failed order to it, in one transaction, so a request_id gets one
   * substitute however many callers and replicas race: the link is written only while the original's
   * substitution is undecided, and the substitute's (suffixed) request_id is unique. `link` is the audit row
   * of the original order saying what replaced it.
   */
  async createSubstitute(originalId: string, order: NewOrder, link: AuditEntry): Promise<CreateSubstituteResult> {
    const decided = async (): Promise<CreateSubstituteResult> => {
      const original = await this.get(originalId);
      if (!original) throw new Error(`order ${originalId} vanished`);
      return { kind: "decided", original };
    };
    try {
      return await this.db.transaction().execute(async (trx) => {
        const original = await trx.selectFrom("number_orders").select("substitution").where("id", "=", originalId).executeTakeFirst();
        if (original?.substitution !== null) throw new AlreadyDecided();
        const created = await this.#create(trx, order);
        if (created.kind !== "created") return created;
        const replaced: OrderSubstitution = { kind: "replaced", substituteOrderId: order.id };
        const linked = await trx.updateTable("number_orders").set({ substitution: toJson(replaced), updated_at: order.now }).where("id", "=", originalId).where("substitution", "is", null).executeTakeFirst();
        if (Number(linked.numUpdatedRows) !== 1) throw new AlreadyDecided();
        await appendAudit(trx, [link], order.now);
        return created;
      });
    } catch (error) {
      if (error instanceof AlreadyDecided) return decided();
      if (error instanceof Unavailable) return { kind: "unavailable", phoneNumber: error.phoneNumber, reason: error.reason };
      // Another caller's substitute (same suffixed request_id) committed first: the original is decided.
      if (isUniqueViolation(error)) return decided();
      throw error;
    }
  }

  /**
   * Records that no equivalent number could be bought for a failed order, unless its substitution was decided
   * meanwhile; returns the order as it is then (its substitution says which).
   */
  async recordNoSubstitute(originalId: string, detail: string, audit: AuditEntry, now: number): Promise<OrderRecord> {
    await this.db.transaction().execute(async (trx) => {
      const noneFound: OrderSubstitution = { kind: "none_found", detail };
      const updated = await trx.updateTable("number_orders").set({ substitution: toJson(noneFound), updated_at: now }).where("id", "=", originalId).where("substitution", "is", null).executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 1) await appendAudit(trx, [audit], now);
    });
    const original = await this.get(originalId);
    if (!original) throw new Error(`order ${originalId} vanished`);
    return original;
  }

  async get(id: string): Promise<OrderRecord | undefined> {
    const row = await this.db.selectFrom("number_orders").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toOrder(row, await orderItems(this.db, id), this.cipher) : undefined;
  }

  /** Newest first, filtered and keyset paged (ListNumberOrders). */
  list(filter: OrderListFilter): Promise<OrderPage> {
    return listOrders(this.db, this.cipher, filter);
  }

  getByRequestId(requestId: string): Promise<OrderRecord | undefined> {
    return this.#byRequestId(this.db, requestId);
  }

  async #byRequestId(db: Kysely<Database>, requestId: string): Promise<OrderRecord | undefined> {
    const row = await db.selectFrom("number_orders").selectAll().where("request_id", "=", requestId).executeTakeFirst();
    return row ? toOrder(row, await orderItems(db, row.id), this.cipher) : undefined;
  }


  /**
   * Recorded just before a request that could buy these numbers leaves, and only by the lease holder while its
   * lease is valid: the one replica that records it may send; a number with sent_at set may have been bought
   * and is only ever looked up afterwards. False means this replica lost the order and must not call the carrier.
   */
  async markItemsSent(id: string, phoneNumbers: readonly string[], owner: string, now: number): Promise<boolean> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        const updated = await trx
          .updateTable("number_orders")
          .set((eb) => ({ carrier_call_started_at: eb.fn.coalesce("carrier_call_started_at", eb.val(now)), updated_at: now }))
          .where("id", "=", id)
          .where("lease_owner", "=", owner)
          .where("lease_expires_at", ">", now)
          .where("state", "in", UNFINISHED_ORDER_STATES)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) return false;
        const marked = await trx
          .updateTable("number_order_items")
          .set({ sent_at: now })
          .where("order_id", "=", id)
          .where("phone_number", "in", [...phoneNumbers])
          .where("sent_at", "is", null)
          .where("state", "=", "pending")
          .executeTakeFirst();
        // Every one of them must have been unsent: a number already sent is never sent again.
        if (Number(marked.numUpdatedRows) !== phoneNumbers.length) throw new AlreadySent();
        return true;
      });
    } catch (error) {
      if (error instanceof AlreadySent) return false;
      throw error;
    }
  }

  /** Extends this replica's lease while it works the record; false when the lease is no longer its own. */
  renewLease(id: string, owner: string, until: number, now: number): Promise<boolean> {
    return renewLease(this.db, NUMBER_ORDER_WORK, id, owner, until, now);
  }

  /**
   * Applies one judged carrier answer in one transaction (see applyOrderChange); answers with the order as the
   * transaction left it, so the caller need not read it back.
   */
  apply(id: string, change: OrderChange): Promise<AppliedChange> {
    return this.db.transaction().execute((trx) => applyOrderChange(trx, this.cipher, id, change));
  }

  /**
   * A check that learnt nothing (the lookup or a store write failed): look again at nextCheckAt, counting the
   * failure so the next delay can back off.
   */
  async scheduleCheck(id: string, fields: { detail: string; nextCheckAt: number; now: number; failed: boolean }): Promise<void> {
    await this.db
      .updateTable("number_orders")
      .set((eb) => ({
        detail: fields.detail,
        next_check_at: fields.nextCheckAt,
        updated_at: fields.now,
        check_attempts: fields.failed ? eb("check_attempts", "+", 1) : 0,
      }))
      .where("id", "=", id)
      .where("state", "in", UNFINISHED_ORDER_STATES)
      .execute();
  }

  /** Takes the lease on unfinished records due for work whose lease is free or expired (a dead replica's). */
  async claimDue(owner: string, now: number, leaseMs: number, limit: number): Promise<OrderRecord[]> {
    const claimed: OrderRecord[] = [];
    for (const id of await claimDue(this.db, NUMBER_ORDER_WORK, owner, now, leaseMs, limit)) {
      const record = await this.get(id);
      if (record) claimed.push(record);
    }
    return claimed;
  }

  releaseLease(id: string, owner: string): Promise<void> {
    return releaseLease(this.db, NUMBER_ORDER_WORK, id, owner);
  }
}

