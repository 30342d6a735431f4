import type { Kysely, Selectable, Transaction } from "kysely";
import { auditRow, type AuditEntry } from "./audit-store.js";
import { isUniqueViolation } from "./database.js";
import { parseJson, toJson, type CustomerInfoRecord, type OfferSnapshot, type OrderItemRecord, type OrderItemState, type OrderRecord, type OrderState } from "./records.js";
import { expireHold } from "./reservation-store.js";
import type { Database, NumberOrderItemsTable, NumberOrdersTable } from "./schema.js";

export interface NewOrder {
  readonly id: string;
  readonly requestId: string;
  readonly fingerprint: string;
  readonly carrierId: string;
  readonly orderReference: string;
  readonly reservationIds: ReadonlyMap<string, string>;
  readonly customerInfo: CustomerInfoRecord | undefined;
  readonly items: readonly { readonly phoneNumber: string; readonly offer: OfferSnapshot | undefined }[];
  readonly now: number;
  readonly leaseOwner: string;
  readonly leaseUntil: number;
  /** Written in the same transaction as the order. */
  readonly audit: AuditEntry;
}

export type CreateOrderResult =
  | { readonly kind: "created"; readonly order: OrderRecord }
  | { readonly kind: "existing"; readonly order: OrderRecord }
  | { readonly kind: "request_id_reused"; readonly order: OrderRecord }
  | { readonly kind: "unavailable"; readonly phoneNumber: string; readonly reason: string };

export interface OrderOutcome {
  readonly state: Extract<OrderState, "completed" | "partial" | "failed">;
  readonly carrierOrderId: string | undefined;
  readonly purchased: readonly { readonly phoneNumber: string; readonly carrierNumberId: string }[];
  readonly failed: readonly { readonly phoneNumber: string; readonly detail: string }[];
  readonly detail: string;
  readonly now: number;
  /** Written in the same transaction as the outcome (the carrier call and the state change). */
  readonly audits: readonly AuditEntry[];
}

class Unavailable extends Error {
  constructor(readonly phoneNumber: string, readonly reason: string) {
    super(reason);
  }
}

function toItem(row: Selectable<NumberOrderItemsTable>): OrderItemRecord {
  return { phoneNumber: row.phone_number, state: row.state as OrderItemState, detail: row.detail, carrierNumberId: row.carrier_number_id ?? undefined, offer: parseJson<OfferSnapshot>(row.offer) };
}

function toOrder(row: Selectable<NumberOrdersTable>, items: readonly OrderItemRecord[]): OrderRecord {
  return {
    id: row.id,
    requestId: row.request_id,
    requestFingerprint: row.request_fingerprint,
    carrierId: row.carrier_id,
    state: row.state as OrderState,
    orderReference: row.order_reference,
    carrierOrderId: row.carrier_order_id ?? undefined,
    reservationId: row.reservation_id ?? undefined,
    customerInfo: parseJson<CustomerInfoRecord>(row.customer_info),
    detail: row.detail,
    carrierCallStartedAt: row.carrier_call_started_at ?? undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    items,
  };
}

/**
 * Purchase orders. request_id is unique, so one request_id makes one order however many replicas race; the
 * order and its number holds are written in one transaction before any carrier call; leases (compare-and-set
 * on lease_owner/lease_expires_at) make sure one replica at a time works an order.
 */
export class OrderStore {
  constructor(private readonly db: Kysely<Database>) {}

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
      const reservationId = order.reservationIds.get(item.phoneNumber);
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
        await expireHold(trx, item.phoneNumber, order.now);
        const holder = await trx.selectFrom("number_holds").select("holder_kind").where("phone_number", "=", item.phoneNumber).executeTakeFirst();
        if (holder) throw new Unavailable(item.phoneNumber, `held by another ${holder.holder_kind}`);
        await trx.insertInto("number_holds").values({ phone_number: item.phoneNumber, holder_kind: "order", holder_id: order.id, expires_at: null, created_at: order.now }).execute();
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
      reservation_id: [...order.reservationIds.values()][0] ?? null,
      customer_info: toJson(order.customerInfo),
      detail: "",
      carrier_call_started_at: null,
      lease_owner: order.leaseOwner,
      lease_expires_at: order.leaseUntil,
      next_check_at: null,
      created_at: order.now,
      updated_at: order.now,
    };
    await trx.insertInto("number_orders").values(row).execute();
    const items = order.items.map((item) => ({ order_id: order.id, phone_number: item.phoneNumber, state: "pending", detail: "", carrier_number_id: null, offer: toJson(item.offer) }));
    await trx.insertInto("number_order_items").values(items).execute();
    await trx.insertInto("audit_log").values(auditRow(order.audit, order.now)).execute();
    return { kind: "created", order: toOrder(row, items.map(toItem)) };
  }

  async get(id: string): Promise<OrderRecord | undefined> {
    const row = await this.db.selectFrom("number_orders").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toOrder(row, await this.#items(this.db, id)) : undefined;
  }

  getByRequestId(requestId: string): Promise<OrderRecord | undefined> {
    return this.#byRequestId(this.db, requestId);
  }

  async #byRequestId(db: Kysely<Database>, requestId: string): Promise<OrderRecord | undefined> {
    const row = await db.selectFrom("number_orders").selectAll().where("request_id", "=", requestId).executeTakeFirst();
    return row ? toOrder(row, await this.#items(db, row.id)) : undefined;
  }

  async #items(db: Kysely<Database>, orderId: string): Promise<OrderItemRecord[]> {
    const rows = await db.selectFrom("number_order_items").selectAll().where("order_id", "=", orderId).orderBy("phone_number").execute();
    return rows.map(toItem);
  }

  /**
   * Recorded before the carrier call, and only by the lease holder while its lease is valid: the one replica
   * that sets it may send the purchase; an order with it set may have reached the carrier and is only ever
   * looked up afterwards. False means this replica lost the order and must not call the carrier.
   */
  async markCallStarted(id: string, owner: string, now: number): Promise<boolean> {
    const updated = await this.db
      .updateTable("number_orders")
      .set({ carrier_call_started_at: now, updated_at: now })
      .where("id", "=", id)
      .where("carrier_call_started_at", "is", null)
      .where("lease_owner", "=", owner)
      .where("lease_expires_at", ">", now)
      .where("state", "in", ["pending", "in_doubt"])
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) === 1;
  }

  /** The carrier has the order but it is not final (async orders), or its outcome is unknown (in doubt). */
  async markUnfinished(id: string, state: Extract<OrderState, "pending" | "in_doubt">, fields: { carrierOrderId?: string; detail: string; nextCheckAt: number; now: number }): Promise<void> {
    await this.db
      .updateTable("number_orders")
      .set({ state, detail: fields.detail, next_check_at: fields.nextCheckAt, updated_at: fields.now, ...(fields.carrierOrderId ? { carrier_order_id: fields.carrierOrderId } : {}) })
      .where("id", "=", id)
      .where("state", "in", ["pending", "in_doubt"])
      .execute();
  }

  /** Records the final outcome once: items, owned numbers, holds freed. False if the order was already final. */
  async finish(id: string, outcome: OrderOutcome): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable("number_orders")
        .set({ state: outcome.state, detail: outcome.detail, updated_at: outcome.now, lease_owner: null, lease_expires_at: null, next_check_at: null, ...(outcome.carrierOrderId ? { carrier_order_id: outcome.carrierOrderId } : {}) })
        .where("id", "=", id)
        .where("state", "in", ["pending", "in_doubt"])
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) return false;
      const order = await trx.selectFrom("number_orders").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
      const items = await this.#items(trx, id);
      for (const bought of outcome.purchased) {
        const item = items.find((candidate) => candidate.phoneNumber === bought.phoneNumber);
        await trx.updateTable("number_order_items").set({ state: "purchased", carrier_number_id: bought.carrierNumberId, detail: "" }).where("order_id", "=", id).where("phone_number", "=", bought.phoneNumber).execute();
        const offer = item?.offer;
        await trx
          .insertInto("owned_numbers")
          .values({
            id: `num_${id}_${bought.phoneNumber.replace("+", "")}`,
            phone_number: bought.phoneNumber,
            carrier_id: order.carrier_id,
            state: "active",
            carrier_number_id: bought.carrierNumberId,
            number_type: offer?.numberType ?? null,
            locality: offer?.locality ?? null,
            region: offer?.region ?? null,
            capabilities: JSON.stringify(offer?.capabilities ?? []),
            monthly_price_cents: offer?.monthlyPriceCents ?? null,
            currency_code: offer?.currencyCode ?? null,
            order_id: id,
            customer_info: order.customer_info,
            purchased_at: outcome.now,
            released_at: null,
            release_request_id: null,
          })
          .execute();
      }
      for (const failed of outcome.failed) {
        await trx.updateTable("number_order_items").set({ state: "failed", detail: failed.detail }).where("order_id", "=", id).where("phone_number", "=", failed.phoneNumber).execute();
      }
      await trx.deleteFrom("number_holds").where("holder_kind", "=", "order").where("holder_id", "=", id).execute();
      if (outcome.audits.length > 0) await trx.insertInto("audit_log").values(outcome.audits.map((entry) => auditRow(entry, outcome.now))).execute();
      return true;
    });
  }

  /**
   * Takes the lease on unfinished orders due for work whose lease is free or expired (a dead replica's):
   * compare-and-set, so two replicas never work the same order.
   */
  async claimDue(owner: string, now: number, leaseMs: number, limit: number): Promise<OrderRecord[]> {
    const candidates = await this.db
      .selectFrom("number_orders")
      .select("id")
      .where("state", "in", ["pending", "in_doubt"])
      .where((eb) => eb.or([eb("next_check_at", "is", null), eb("next_check_at", "<=", now)]))
      .where((eb) => eb.or([eb("lease_expires_at", "is", null), eb("lease_expires_at", "<", now)]))
      .orderBy("created_at")
      .limit(limit)
      .execute();
    const claimed: OrderRecord[] = [];
    for (const { id } of candidates) {
      const result = await this.db
        .updateTable("number_orders")
        .set({ lease_owner: owner, lease_expires_at: now + leaseMs })
        .where("id", "=", id)
        .where("state", "in", ["pending", "in_doubt"])
        .where((eb) => eb.or([eb("lease_expires_at", "is", null), eb("lease_expires_at", "<", now)]))
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) continue;
      const order = await this.get(id);
      if (order) claimed.push(order);
    }
    return claimed;
  }

  async releaseLease(id: string, owner: string): Promise<void> {
    await this.db.updateTable("number_orders").set({ lease_owner: null, lease_expires_at: null }).where("id", "=", id).where("lease_owner", "=", owner).execute();
  }
}
