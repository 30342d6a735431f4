import type { Kysely, Selectable, Transaction } from "kysely";
import { isUniqueViolation } from "./database.js";
import { RESERVATION_CUSTOMER_INFO } from "./encrypted-columns.js";
import type { FieldCipher } from "./field-cipher.js";
import { parseJson, toJson, type CustomerInfoRecord, type ReservationRecord, type ReservationState } from "./records.js";
import type { Database, ReservationsTable } from "./schema.js";

export interface NewReservation {
  readonly id: string;
  readonly requestId: string | undefined;
  readonly fingerprint: string;
  readonly phoneNumber: string;
  readonly carrierId: string;
  readonly customerInfo: CustomerInfoRecord | undefined;
  readonly now: number;
  readonly expiresAt: number;
}

export type CreateReservationResult =
  | { readonly kind: "created"; readonly reservation: ReservationRecord }
  | { readonly kind: "existing"; readonly reservation: ReservationRecord }
  | { readonly kind: "request_id_reused" }
  | { readonly kind: "held"; readonly holderKind: string };

const SCOPE = "ReserveNumber";

export function toReservation(row: Selectable<ReservationsTable>, cipher: FieldCipher): ReservationRecord {
  return {
    id: row.id,
    requestId: row.request_id ?? undefined,
    phoneNumber: row.phone_number,
    carrierId: row.carrier_id,
    state: row.state as ReservationState,
    carrierReservationId: row.carrier_reservation_id ?? undefined,
    customerInfo: parseJson<CustomerInfoRecord>(cipher.open(RESERVATION_CUSTOMER_INFO, row.id, row.customer_info)),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

/**
 * Reservations and the number holds behind them. Exclusivity is the primary key of number_holds: two
 * clients (or replicas) inserting a hold for one number cannot both succeed.
 */
export class ReservationStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cipher: FieldCipher,
  ) {}

  async create(reservation: NewReservation): Promise<CreateReservationResult> {
    try {
      const result = await this.db.transaction().execute((trx) => this.#create(trx, reservation));
      // The holder may be a concurrent retry of this very request that committed after our first look.
      if (result.kind === "held" && reservation.requestId) {
        return (await this.#byRequestId(this.db, reservation.requestId, reservation.fingerprint)) ?? result;
      }
      return result;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Lost a race: either for the request_id (answer as the winner did) or for the number.
      const existing = reservation.requestId ? await this.#byRequestId(this.db, reservation.requestId, reservation.fingerprint) : undefined;
      if (existing) return existing;
      const holder = await this.db.selectFrom("number_holds").select("holder_kind").where("phone_number", "=", reservation.phoneNumber).executeTakeFirst();
      return { kind: "held", holderKind: holder?.holder_kind ?? "reservation" };
    }
  }

  async #create(trx: Transaction<Database>, reservation: NewReservation): Promise<CreateReservationResult> {
    if (reservation.requestId) {
      const existing = await this.#byRequestId(trx, reservation.requestId, reservation.fingerprint);
      if (existing) return existing;
    }
    await expireHold(trx, reservation.phoneNumber, reservation.now);
    const holder = await trx.selectFrom("number_holds").select("holder_kind").where("phone_number", "=", reservation.phoneNumber).executeTakeFirst();
    if (holder) return { kind: "held", holderKind: holder.holder_kind };
    const owned = await trx.selectFrom("owned_numbers").select("id").where("phone_number", "=", reservation.phoneNumber).where("state", "<>", "released").executeTakeFirst();
    if (owned) return { kind: "held", holderKind: "owned" };
    await trx
      .insertInto("number_holds")
      .values({ phone_number: reservation.phoneNumber, holder_kind: "reservation", holder_id: reservation.id, expires_at: reservation.expiresAt, created_at: reservation.now })
      .execute();
    const row = {
      id: reservation.id,
      request_id: reservation.requestId ?? null,
      phone_number: reservation.phoneNumber,
      carrier_id: reservation.carrierId,
      state: "active",
      carrier_reservation_id: null,
      customer_info: this.cipher.seal(RESERVATION_CUSTOMER_INFO, toJson(reservation.customerInfo)),
      created_at: reservation.now,
      expires_at: reservation.expiresAt,
      updated_at: reservation.now,
    };
    await trx.insertInto("reservations").values(row).execute();
    if (reservation.requestId) {
      await trx
        .insertInto("idempotency_keys")
        .values({ scope: SCOPE, request_id: reservation.requestId, request_fingerprint: reservation.fingerprint, resource_id: reservation.id, created_at: reservation.now })
        .execute();
    }
    return { kind: "created", reservation: toReservation(row, this.cipher) };
  }

  async #byRequestId(db: Kysely<Database>, requestId: string, fingerprint: string): Promise<CreateReservationResult | undefined> {
    const key = await db.selectFrom("idempotency_keys").selectAll().where("scope", "=", SCOPE).where("request_id", "=", requestId).executeTakeFirst();
    if (!key) return undefined;
    if (key.request_fingerprint !== fingerprint) return { kind: "request_id_reused" };
    const row = await db.selectFrom("reservations").selectAll().where("id", "=", key.resource_id).executeTakeFirstOrThrow();
    return { kind: "existing", reservation: toReservation(row, this.cipher) };
  }

  /**
   * Records the carrier's own reservation. When the carrier's hold ends before numbergate's would (Telnyx holds
   * 30 minutes), numbergate's hold ends with it: past that the carrier may sell the number to someone else.
   */
  async setCarrierReservation(id: string, carrierReservationId: string, carrierExpiresAt: number | undefined, now: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable("reservations").set({ carrier_reservation_id: carrierReservationId, updated_at: now }).where("id", "=", id).execute();
      if (carrierExpiresAt === undefined) return;
      await trx.updateTable("reservations").set({ expires_at: carrierExpiresAt }).where("id", "=", id).where("expires_at", ">", carrierExpiresAt).execute();
      await trx.updateTable("number_holds").set({ expires_at: carrierExpiresAt }).where("holder_kind", "=", "reservation").where("holder_id", "=", id).where("expires_at", ">", carrierExpiresAt).execute();
    });
  }

  async get(id: string): Promise<ReservationRecord | undefined> {
    const row = await this.db.selectFrom("reservations").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toReservation(row, this.cipher) : undefined;
  }

  /** Ends an active reservation (cancelled, or expired) and frees its number; false if it was not active. */
  async end(id: string, state: Extract<ReservationState, "cancelled" | "expired">, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const updated = await trx.updateTable("reservations").set({ state, updated_at: now }).where("id", "=", id).where("state", "=", "active").executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) return false;
      await trx.deleteFrom("number_holds").where("holder_kind", "=", "reservation").where("holder_id", "=", id).execute();
      return true;
    });
  }

  /**
   * Every number that is not for sale to numbergate's clients right now: held (a live reservation or an
   * order in flight) or owned (bought and not released). One statement, so a purchase completing in between
   * (its hold deleted and its owned row written in one transaction) is seen on one side or the other, never
   * on neither.
   */
  async allHeld(now: number): Promise<ReadonlySet<string>> {
    const rows = await this.db
      .selectFrom("number_holds")
      .select("phone_number")
      .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", now)]))
      .union(this.db.selectFrom("owned_numbers").select("phone_number").where("state", "<>", "released"))
      .execute();
    return new Set(rows.map((row) => row.phone_number));
  }

  /** Active reservations past their expiry, oldest first. */
  async dueForExpiry(now: number, limit: number): Promise<ReservationRecord[]> {
    const rows = await this.db.selectFrom("reservations").selectAll().where("state", "=", "active").where("expires_at", "<=", now).orderBy("expires_at").limit(limit).execute();
    return rows.map((row) => toReservation(row, this.cipher));
  }
}

/** Drops a reservation hold on the number whose time is up, so a new holder can take it. */
export async function expireHold(trx: Transaction<Database>, phoneNumber: string, now: number): Promise<void> {
  const stale = await trx
    .selectFrom("number_holds")
    .select("holder_id")
    .where("phone_number", "=", phoneNumber)
    .where("holder_kind", "=", "reservation")
    .where("expires_at", "<=", now)
    .executeTakeFirst();
  if (!stale) return;
  await trx.updateTable("reservations").set({ state: "expired", updated_at: now }).where("id", "=", stale.holder_id).where("state", "=", "active").execute();
  await trx.deleteFrom("number_holds").where("phone_number", "=", phoneNumber).where("holder_id", "=", stale.holder_id).execute();
}
