import type { Kysely, Transaction } from "kysely";
import { Secret } from "../config/secret.js";
import { isFinalPortingState, type PortingState } from "../porting/porting-state.js";
import { appendAudit } from "./audit-store.js";
import { isUniqueViolation } from "./database.js";
import { PORTING_ACCOUNT_NUMBER, PORTING_AUTHORIZED_EMAIL, PORTING_AUTHORIZED_NAME, PORTING_PIN, PORTING_SERVICE_ADDRESS } from "./encrypted-columns.js";
import type { FieldCipher } from "./field-cipher.js";
import { claimDue, releaseLease, renewLease } from "./leases.js";
import { checkSoon, clearMark, markResubmitting, markSubmitting } from "./porting-marks.js";
import { applyPortingObservation, compareAndSet, retryOnLostRace } from "./porting-observation.js";
import type {
  ApplyObservationResult,
  CorrectPortingOrderResult,
  CreatePortingOrderResult,
  NewPortingOrder,
  PortingCorrection,
  PortingDocumentRecord,
  PortingObservationInput,
  PortingOrderFilter,
  PortingOrderPage,
  PortingOrderRecord,
  PortingSecrets,
} from "./porting-records.js";
import { lastFour, nextSeq, OPEN_PORTING_STATES, PORT_HOLD, PORTING_WORK, readPortingOrder, withDetails } from "./porting-rows.js";
import { expireHold } from "./reservation-store.js";
import type { Database } from "./schema.js";

/** Rolls a create back: one of its numbers is owned or held by someone else. */
class NumberBusy extends Error {
  constructor(
    readonly phoneNumber: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/**
 * Port-in orders. request_id is unique, so one request_id makes one port however many replicas race; the order
 * and the holds on its numbers (number_holds, holder_kind "port": one open port per number, and no port of a
 * number numbergate owns or someone holds) are written in one transaction. State changes go through the
 * porting state machine with compare-and-set on version (porting-observation.ts). Personal data and the losing
 * account's secrets are sealed column by column; the store never writes them without a key. Times are the
 * caller's: the store reads no clock.
 */
export class PortingStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cipher: FieldCipher,
  ) {}

  async create(order: NewPortingOrder): Promise<CreatePortingOrderResult> {
    try {
      return await this.db.transaction().execute((trx) => this.#create(trx, order));
    } catch (error) {
      if (!(error instanceof NumberBusy) && !isUniqueViolation(error)) throw error;
      // A concurrent create with the same request_id may have committed after our first look: it wins, and
      // this request is a retry of it (or a conflicting reuse of its request_id).
      const existing = await this.getByRequestId(order.requestId);
      if (existing) return existing.requestFingerprint === order.fingerprint ? { kind: "existing", order: existing } : { kind: "request_id_reused", order: existing };
      if (error instanceof NumberBusy) return { kind: "number_busy", phoneNumber: error.phoneNumber, reason: error.reason };
      // A racing create took a hold first (the primary key on number_holds.phone_number).
      const holder = await this.db.selectFrom("number_holds").select(["phone_number", "holder_kind"]).where("phone_number", "in", [...order.phoneNumbers]).executeTakeFirst();
      if (!holder) throw error;
      return { kind: "number_busy", phoneNumber: holder.phone_number, reason: `held by another ${holder.holder_kind}` };
    }
  }

  async #create(trx: Transaction<Database>, order: NewPortingOrder): Promise<CreatePortingOrderResult> {
    const existing = await this.#byRequestId(trx, order.requestId);
    if (existing) return existing.requestFingerprint === order.fingerprint ? { kind: "existing", order: existing } : { kind: "request_id_reused", order: existing };
    for (const phoneNumber of order.phoneNumbers) {
      const owned = await trx.selectFrom("owned_numbers").select("id").where("phone_number", "=", phoneNumber).where("state", "<>", "released").executeTakeFirst();
      if (owned) throw new NumberBusy(phoneNumber, "numbergate already owns it");
      await expireHold(trx, phoneNumber, order.now);
      const holder = await trx.selectFrom("number_holds").select("holder_kind").where("phone_number", "=", phoneNumber).executeTakeFirst();
      if (holder) throw new NumberBusy(phoneNumber, `held by another ${holder.holder_kind}`);
      await trx.insertInto("number_holds").values({ phone_number: phoneNumber, holder_kind: PORT_HOLD, holder_id: order.id, expires_at: null, created_at: order.now }).execute();
    }
    const { secrets } = order;
    await trx
      .insertInto("porting_orders")
      .values({
        id: order.id,
        request_id: order.requestId,
        request_fingerprint: order.fingerprint,
        carrier_id: order.carrierId,
        state: "pending" satisfies PortingState,
        phone_numbers: JSON.stringify(order.phoneNumbers),
        order_reference: order.orderReference,
        current_provider: order.currentProvider,
        authorized_name: this.#sealRequired(PORTING_AUTHORIZED_NAME, order.authorizedName),
        service_address: this.#sealRequired(PORTING_SERVICE_ADDRESS, JSON.stringify(order.serviceAddress)),
        authorized_email: this.cipher.seal(PORTING_AUTHORIZED_EMAIL, secrets.authorizedEmail ?? null),
        account_number: this.cipher.seal(PORTING_ACCOUNT_NUMBER, secrets.accountNumber?.reveal() ?? null),
        pin: this.cipher.seal(PORTING_PIN, secrets.pin?.reveal() ?? null),
        account_number_last4: lastFour(secrets.accountNumber),
        requested_port_at: order.requestedPortAt ?? null,
        carrier_documents: JSON.stringify(order.carrierDocuments),
        carrier_order_id: null,
        carrier_status: "",
        detail: "",
        foc_at: null,
        last_observed_at: null,
        submission_started_at: null,
        poll_attempt: 0,
        lease_owner: null,
        lease_expires_at: null,
        next_check_at: null,
        version: 0,
        trace_parent: order.traceParent ?? null,
        created_at: order.now,
        updated_at: order.now,
      })
      .execute();
    const count = order.phoneNumbers.length;
    await appendAudit(
      trx,
      [
        {
          actor: order.actor,
          requestId: order.requestId,
          carrierId: order.carrierId,
          operation: "porting.create",
          outcome: "recorded",
          resourceType: "porting_order",
          resourceId: order.id,
          detail: `${count} number${count === 1 ? "" : "s"} from ${order.currentProvider}`,
        },
      ],
      order.now,
    );
    const created = await readPortingOrder(trx, order.id, this.cipher);
    if (!created) throw new Error(`porting order ${order.id} vanished`);
    return { kind: "created", order: created };
  }

  #sealRequired(column: typeof PORTING_AUTHORIZED_NAME | typeof PORTING_SERVICE_ADDRESS, plaintext: string): string {
    return this.cipher.seal(column, plaintext) ?? "";
  }

  get(id: string): Promise<PortingOrderRecord | undefined> {
    return readPortingOrder(this.db, id, this.cipher);
  }

  getByRequestId(requestId: string): Promise<PortingOrderRecord | undefined> {
    return this.#byRequestId(this.db, requestId);
  }

  async #byRequestId(db: Kysely<Database>, requestId: string): Promise<PortingOrderRecord | undefined> {
    const row = await db.selectFrom("porting_orders").selectAll().where("request_id", "=", requestId).executeTakeFirst();
    return row ? (await withDetails(db, [row], this.cipher))[0] : undefined;
  }

  /** The port a carrier's notification is about. */
  async findByCarrierOrder(carrierId: string, carrierOrderId: string): Promise<PortingOrderRecord | undefined> {
    const row = await this.db.selectFrom("porting_orders").selectAll().where("carrier_id", "=", carrierId).where("carrier_order_id", "=", carrierOrderId).executeTakeFirst();
    return row ? (await withDetails(this.db, [row], this.cipher))[0] : undefined;
  }

  /** The secrets a submission puts on the wire, opened for it alone. */
  async secrets(id: string): Promise<PortingSecrets | undefined> {
    const row = await this.db.selectFrom("porting_orders").select(["id", "account_number", "pin", "authorized_email"]).where("id", "=", id).executeTakeFirst();
    if (!row) return undefined;
    const accountNumber = this.cipher.open(PORTING_ACCOUNT_NUMBER, id, row.account_number);
    const pin = this.cipher.open(PORTING_PIN, id, row.pin);
    return {
      accountNumber: accountNumber === null ? undefined : new Secret(accountNumber),
      pin: pin === null ? undefined : new Secret(pin),
      authorizedEmail: this.cipher.open(PORTING_AUTHORIZED_EMAIL, id, row.authorized_email) ?? undefined,
    };
  }

  /** Newest first; keyset paging on (created_at, id). */
  async list(filter: PortingOrderFilter): Promise<PortingOrderPage> {
    const pageSize = Math.max(1, Math.floor(filter.pageSize));
    let query = this.db.selectFrom("porting_orders").selectAll();
    if (filter.carrierId !== undefined) query = query.where("carrier_id", "=", filter.carrierId);
    if (filter.state !== undefined) query = query.where("state", "=", filter.state);
    const after = filter.after;
    if (after) query = query.where((eb) => eb.or([eb("created_at", "<", after.createdAt), eb.and([eb("created_at", "=", after.createdAt), eb("id", "<", after.id)])]));
    const rows = await query.orderBy("created_at", "desc").orderBy("id", "desc").limit(pageSize + 1).execute();
    return { orders: await withDetails(this.db, rows.slice(0, pageSize), this.cipher), hasMore: rows.length > pageSize };
  }

  /**
   * Recorded just before a submission leaves for the carrier, only for a pending port with no carrier order
   * and no submission in doubt: the one caller that records it may send; until the carrier's answer is applied
   * (applyObservation) or the submission is known never to have arrived (clearSubmitting), nobody sends again.
   */
  markSubmitting(id: string, now: number): Promise<boolean> {
    return markSubmitting(this.db, id, now);
  }

  /** The submission started at `startedAt` never reached the carrier: the port may be submitted again. */
  clearSubmitting(id: string, startedAt: number, now: number): Promise<boolean> {
    return clearMark(this.db, "submission_started_at", id, startedAt, now);
  }

  /**
   * Recorded just before a resubmission leaves, only for an ACTION_REQUIRED port with none in flight: one at a
   * time. Until its answer is applied (a "request" observation) or it is known never to have arrived
   * (clearResubmitting), polls and callbacks about the carrier order it replaces are ignored.
   */
  markResubmitting(id: string, now: number): Promise<boolean> {
    return markResubmitting(this.db, id, now);
  }

  clearResubmitting(id: string, startedAt: number, now: number): Promise<boolean> {
    return clearMark(this.db, "resubmission_started_at", id, startedAt, now);
  }

  /** A carrier said something about the port that numbergate should read itself: check it at the next sweep. */
  checkSoon(id: string, at: number): Promise<void> {
    return checkSoon(this.db, id, at);
  }

  applyObservation(id: string, input: PortingObservationInput): Promise<ApplyObservationResult> {
    return applyPortingObservation(this.db, this.cipher, id, input);
  }

  /** Replaces the details a resubmission corrects, sealed again; a final port is left as it is. */
  correct(id: string, correction: PortingCorrection, actor: string, now: number): Promise<CorrectPortingOrderResult> {
    return retryOnLostRace(this.db, async (trx) => {
      const row = await trx.selectFrom("porting_orders").selectAll().where("id", "=", id).executeTakeFirst();
      if (!row) return { kind: "not_found" };
      if (isFinalPortingState(row.state as PortingState)) return { kind: "final", order: await this.#reread(trx, id) };
      const { accountNumber, pin, authorizedName, serviceAddress } = correction;
      await compareAndSet(trx, row, {
        ...(accountNumber ? { account_number: this.cipher.seal(PORTING_ACCOUNT_NUMBER, accountNumber.reveal()), account_number_last4: lastFour(accountNumber) } : {}),
        ...(pin ? { pin: this.cipher.seal(PORTING_PIN, pin.reveal()) } : {}),
        ...(authorizedName !== undefined ? { authorized_name: this.#sealRequired(PORTING_AUTHORIZED_NAME, authorizedName) } : {}),
        ...(serviceAddress ? { service_address: this.#sealRequired(PORTING_SERVICE_ADDRESS, JSON.stringify(serviceAddress)) } : {}),
        updated_at: now,
      });
      const fields = [accountNumber && "account number", pin && "pin", authorizedName !== undefined && "authorized name", serviceAddress && "service address"].filter((field) => typeof field === "string");
      await appendAudit(
        trx,
        [{ actor, requestId: row.request_id, carrierId: row.carrier_id, operation: "porting.correct", outcome: "recorded", resourceType: "porting_order", resourceId: id, detail: `corrected: ${fields.join(", ") || "nothing"}` }],
        now,
      );
      return { kind: "corrected", order: await this.#reread(trx, id) };
    });
  }

  /**
   * Records a document handed to the port (its description, never its content). One the carrier already holds
   * joins the references sent with the order on its next submission.
   */
  addDocument(id: string, document: PortingDocumentRecord, actor: string): Promise<PortingOrderRecord | undefined> {
    return retryOnLostRace(this.db, async (trx) => {
      const row = await trx.selectFrom("porting_orders").selectAll().where("id", "=", id).executeTakeFirst();
      if (!row) return undefined;
      const references = JSON.parse(row.carrier_documents) as { kind: string; carrierDocumentId: string }[];
      const carrierDocumentId = document.carrierDocumentId;
      const known = carrierDocumentId === undefined || references.some((reference) => reference.carrierDocumentId === carrierDocumentId);
      await compareAndSet(trx, row, {
        ...(known ? {} : { carrier_documents: JSON.stringify([...references, { kind: document.kind, carrierDocumentId }]) }),
        updated_at: document.attachedAt,
      });
      await trx
        .insertInto("porting_documents")
        .values({
          order_id: id,
          seq: await nextSeq(trx, "porting_documents", id),
          kind: document.kind,
          file_name: document.fileName,
          content_type: document.contentType,
          size_bytes: document.sizeBytes,
          carrier_document_id: carrierDocumentId ?? null,
          attached_at: document.attachedAt,
        })
        .execute();
      await appendAudit(
        trx,
        [{ actor, requestId: row.request_id, carrierId: row.carrier_id, operation: "porting.document", outcome: "recorded", resourceType: "porting_order", resourceId: id, detail: `${document.kind}, ${document.sizeBytes} bytes` }],
        document.attachedAt,
      );
      return this.#reread(trx, id);
    });
  }

  async #reread(db: Kysely<Database>, id: string): Promise<PortingOrderRecord> {
    const order = await readPortingOrder(db, id, this.cipher);
    if (!order) throw new Error(`porting order ${id} vanished`);
    return order;
  }

  /**
   * Takes the lease on open ports due for a check (by now, or within horizonMs: "check now") whose lease is free
   * or expired (a dead replica's); their ids.
   */
  claimDue(owner: string, now: number, leaseMs: number, limit: number, horizonMs = 0): Promise<string[]> {
    return claimDue(this.db, PORTING_WORK, owner, now, leaseMs, limit, horizonMs);
  }

  /** Extends this replica's lease while it works the port; false when the lease is no longer its own. */
  renewLease(id: string, owner: string, until: number, now: number): Promise<boolean> {
    return renewLease(this.db, PORTING_WORK, id, owner, until, now);
  }

  releaseLease(id: string, owner: string): Promise<void> {
    return releaseLease(this.db, PORTING_WORK, id, owner);
  }

  /**
   * Done with a check of an open port: look again at `at`, with `pollAttempt` checks in a row that found
   * nothing new, and give the lease up. Only the lease's owner reschedules; false when the port is no longer its
   * own or no longer open.
   */
  async scheduleNextCheck(id: string, owner: string, at: number, pollAttempt: number): Promise<boolean> {
    const updated = await this.db
      .updateTable("porting_orders")
      .set({ next_check_at: at, poll_attempt: pollAttempt, lease_owner: null, lease_expires_at: null })
      .where("id", "=", id)
      .where("lease_owner", "=", owner)
      .where("state", "in", [...OPEN_PORTING_STATES])
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) === 1;
  }
}
