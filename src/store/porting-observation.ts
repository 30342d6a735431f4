import type { Kysely, Transaction, Updateable } from "kysely";
import { decidePortingTransition, isFinalPortingState, type PortingState } from "../porting/porting-state.js";
import { appendAudit } from "./audit-store.js";
import type { FieldCipher } from "./field-cipher.js";
import type { ApplyObservationResult, PortingObservationInput, PortingTransitionRecord } from "./porting-records.js";
import { nextSeq, PORT_HOLD, portedNumberRow, readPortingOrder, type PortingOrderRow } from "./porting-rows.js";
import type { Database, PortingOrdersTable } from "./schema.js";

/** How many times an observation is decided again after another writer changed the order first. */
const ATTEMPTS = 4;

/** Rolls an attempt back: the order changed between its read and its write (compare-and-set on version). */
class LostRace extends Error {}

/** Runs a read-decide-write transaction again (a few times) when another writer changed the order first. */
export async function retryOnLostRace<Result>(db: Kysely<Database>, attempt: (trx: Transaction<Database>) => Promise<Result>): Promise<Result> {
  for (let tries = 1; ; tries += 1) {
    try {
      return await db.transaction().execute(attempt);
    } catch (error) {
      if (!(error instanceof LostRace) || tries >= ATTEMPTS) throw error;
    }
  }
}

/**
 * Applies one observation of a port at its carrier through the porting state machine, in one transaction: the
 * order is read, the decision made, and the order written only if its version is still the one read; a writer
 * that lost the race decides again on what the winner wrote, so two replicas applying the same observation
 * write one transition.
 */
export function applyPortingObservation(db: Kysely<Database>, cipher: FieldCipher, id: string, input: PortingObservationInput): Promise<ApplyObservationResult> {
  return retryOnLostRace(db, (trx) => applyOnce(trx, cipher, id, input));
}

async function applyOnce(trx: Transaction<Database>, cipher: FieldCipher, id: string, input: PortingObservationInput): Promise<ApplyObservationResult> {
  const row = await trx.selectFrom("porting_orders").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) return { kind: "not_found" };
  const state = row.state as PortingState;
  const decision = decidePortingTransition({ state, observedAt: row.last_observed_at ?? undefined }, { state: input.state, observedAt: input.observedAt, current: input.source !== "carrier callback" });
  const reread = async () => {
    const order = await readPortingOrder(trx, id, cipher);
    if (!order) throw new Error(`porting order ${id} vanished`);
    return order;
  };
  if (decision.kind === "ignored") return { kind: "ignored", order: await reread(), reason: decision.reason };
  // While a resubmission is in flight, news of the carrier order it replaces is not the port's: Twilio cancels the
  // rejected request before it creates the new one. Only the resubmission's own answer ("request") settles it.
  const resubmitting = row.resubmission_started_at !== null;
  if (resubmitting && input.source !== "request" && (input.carrierOrderId === "" || input.carrierOrderId === row.superseded_carrier_order_id)) {
    return { kind: "ignored", order: await reread(), reason: "superseded_by_resubmission" };
  }
  const resubmission = resubmitting && input.source === "request" ? { resubmission_started_at: null, superseded_carrier_order_id: null } : {};
  // "" means the carrier named no order (a refused submission): the order keeps the id it has, if any.
  const carrierOrderId = input.carrierOrderId === "" ? row.carrier_order_id : input.carrierOrderId;
  const carrierFields = {
    carrier_order_id: carrierOrderId,
    carrier_status: input.carrierStatus,
    detail: input.detail,
    foc_at: input.focAt ?? row.foc_at,
    last_observed_at: Math.max(input.observedAt, row.last_observed_at ?? input.observedAt),
  };
  if (decision.kind === "unchanged") {
    // The carrier naming the order is the answer a submission in doubt waited for.
    const submission_started_at = input.carrierOrderId === "" ? row.submission_started_at : null;
    const same =
      carrierFields.carrier_order_id === row.carrier_order_id &&
      carrierFields.carrier_status === row.carrier_status &&
      carrierFields.detail === row.detail &&
      carrierFields.foc_at === row.foc_at &&
      carrierFields.last_observed_at === row.last_observed_at &&
      submission_started_at === row.submission_started_at &&
      !("resubmission_started_at" in resubmission);
    if (!same) await compareAndSet(trx, row, { ...carrierFields, ...resubmission, submission_started_at, updated_at: input.now });
    return { kind: "unchanged", order: await reread() };
  }
  const to = decision.to;
  const final = isFinalPortingState(to);
  await compareAndSet(trx, row, {
    ...carrierFields,
    // A port sent back before its firm order commitment (a supp) no longer has the FOC date it had.
    foc_at: input.focAt ?? (to === "foc_scheduled" || to === "completed" ? row.foc_at : null),
    ...resubmission,
    state: to,
    submission_started_at: null,
    poll_attempt: 0,
    updated_at: input.now,
    ...(final ? { lease_owner: null, lease_expires_at: null, next_check_at: null } : {}),
  });
  // When numbergate applied it: one clock for every transition (carriers' times differ from each other and from ours).
  const transition: PortingTransitionRecord = { fromState: decision.from, toState: to, at: input.now, source: input.source, carrierStatus: input.carrierStatus, detail: input.detail };
  await trx
    .insertInto("porting_order_transitions")
    .values({
      order_id: id,
      seq: await nextSeq(trx, "porting_order_transitions", id),
      from_state: transition.fromState,
      to_state: transition.toState,
      at: transition.at,
      source: transition.source,
      carrier_status: transition.carrierStatus,
      detail: transition.detail,
    })
    .execute();
  if (to === "completed") await ownPortedNumbers(trx, row, input.now);
  if (final) await trx.deleteFrom("number_holds").where("holder_kind", "=", PORT_HOLD).where("holder_id", "=", id).execute();
  const carrierWords = [input.carrierStatus, input.detail].filter((words) => words !== "").join(": ");
  await appendAudit(
    trx,
    [
      {
        actor: input.actor,
        requestId: row.request_id,
        carrierId: row.carrier_id,
        operation: "porting.transition",
        outcome: `${decision.from}->${to}`,
        resourceType: "porting_order",
        resourceId: id,
        detail: `source: ${input.source}${carrierWords === "" ? "" : `; carrier: ${carrierWords}`}`,
      },
    ],
    input.now,
  );
  return { kind: "transition", order: await reread(), transition };
}

/** Writes the change only if nobody changed the order since it was read; else the attempt is rolled back. */
export async function compareAndSet(trx: Transaction<Database>, row: PortingOrderRow, change: Updateable<PortingOrdersTable>): Promise<void> {
  const updated = await trx
    .updateTable("porting_orders")
    .set({ ...change, version: row.version + 1 })
    .where("id", "=", row.id)
    .where("version", "=", row.version)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) throw new LostRace();
}

/** A completed port's numbers become owned numbers; a number numbergate already owns (live) is left as it is. */
async function ownPortedNumbers(trx: Transaction<Database>, row: PortingOrderRow, now: number): Promise<void> {
  for (const phoneNumber of JSON.parse(row.phone_numbers) as string[]) {
    const live = await trx.selectFrom("owned_numbers").select("id").where("phone_number", "=", phoneNumber).where("state", "<>", "released").executeTakeFirst();
    if (live) continue;
    await trx
      .insertInto("owned_numbers")
      .values(portedNumberRow(row, phoneNumber, now))
      .onConflict((conflict) => conflict.doNothing())
      .execute();
  }
}
