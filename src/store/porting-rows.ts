import type { Kysely, Selectable } from "kysely";
import type { CarrierDocumentReference, CarrierPortInAddress, PortInDocumentKind } from "../domain/carrier-lifecycle.js";
import type { PortingState } from "../porting/porting-state.js";
import { PORTING_AUTHORIZED_NAME, PORTING_SERVICE_ADDRESS } from "./encrypted-columns.js";
import type { FieldCipher } from "./field-cipher.js";
import type { LeasedWork } from "./leases.js";
import type { PortingDocumentRecord, PortingOrderRecord, PortingTransitionRecord, PortingTransitionSource } from "./porting-records.js";
import type { Database, PortingDocumentsTable, PortingOrderTransitionsTable, PortingOrdersTable } from "./schema.js";

/** Rows of the porting tables as records, and the rows a porting order writes elsewhere. */

/** The states in which a port still needs work (the others are final: completed, cancelled, failed). */
export const OPEN_PORTING_STATES: readonly PortingState[] = ["pending", "awaiting_documents", "submitted", "foc_scheduled", "action_required"];

export const PORTING_WORK: LeasedWork = { table: "porting_orders", unfinished: OPEN_PORTING_STATES };

/** The holder_kind of a number_holds row kept by an open port. */
export const PORT_HOLD = "port";

export type PortingOrderRow = Selectable<PortingOrdersTable>;

/** The last four characters of an account number, the only part of it ever shown; "" when there is none. */
export function lastFour(accountNumber: { reveal(): string } | undefined): string {
  return accountNumber === undefined ? "" : accountNumber.reveal().slice(-4);
}

/** A sealed column that must hold a value (authorized_name, service_address). */
export function openRequired(cipher: FieldCipher, column: { readonly table: string; readonly column: string }, row: PortingOrderRow, stored: string): string {
  return cipher.open(column, row.id, stored) ?? "";
}

export function toTransition(row: Selectable<PortingOrderTransitionsTable>): PortingTransitionRecord {
  return {
    fromState: row.from_state as PortingState,
    toState: row.to_state as PortingState,
    at: row.at,
    source: row.source as PortingTransitionSource,
    carrierStatus: row.carrier_status,
    detail: row.detail,
  };
}

export function toDocument(row: Selectable<PortingDocumentsTable>): PortingDocumentRecord {
  return {
    kind: row.kind as PortInDocumentKind,
    fileName: row.file_name,
    contentType: row.content_type,
    sizeBytes: row.size_bytes,
    carrierDocumentId: row.carrier_document_id ?? undefined,
    attachedAt: row.attached_at,
  };
}

export function toPortingOrder(
  row: PortingOrderRow,
  documents: readonly PortingDocumentRecord[],
  transitions: readonly PortingTransitionRecord[],
  cipher: FieldCipher,
): PortingOrderRecord {
  return {
    id: row.id,
    requestId: row.request_id,
    requestFingerprint: row.request_fingerprint,
    carrierId: row.carrier_id,
    state: row.state as PortingState,
    phoneNumbers: JSON.parse(row.phone_numbers) as string[],
    orderReference: row.order_reference,
    currentProvider: row.current_provider,
    authorizedName: openRequired(cipher, PORTING_AUTHORIZED_NAME, row, row.authorized_name),
    serviceAddress: JSON.parse(openRequired(cipher, PORTING_SERVICE_ADDRESS, row, row.service_address)) as CarrierPortInAddress,
    accountNumberLast4: row.account_number_last4,
    requestedPortAt: row.requested_port_at ?? undefined,
    carrierDocuments: JSON.parse(row.carrier_documents) as CarrierDocumentReference[],
    carrierOrderId: row.carrier_order_id ?? undefined,
    carrierStatus: row.carrier_status,
    detail: row.detail,
    focAt: row.foc_at ?? undefined,
    lastObservedAt: row.last_observed_at ?? undefined,
    submissionStartedAt: row.submission_started_at ?? undefined,
    resubmissionStartedAt: row.resubmission_started_at ?? undefined,
    pollAttempt: row.poll_attempt,
    nextCheckAt: row.next_check_at ?? undefined,
    documents,
    transitions,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    traceParent: row.trace_parent ?? undefined,
  };
}

/** Records for rows already read, with their documents and transitions (two queries for all of them). */
export async function withDetails(db: Kysely<Database>, rows: readonly PortingOrderRow[], cipher: FieldCipher): Promise<PortingOrderRecord[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const documents = await db.selectFrom("porting_documents").selectAll().where("order_id", "in", ids).orderBy("order_id").orderBy("seq").execute();
  const transitions = await db.selectFrom("porting_order_transitions").selectAll().where("order_id", "in", ids).orderBy("order_id").orderBy("seq").execute();
  return rows.map((row) =>
    toPortingOrder(
      row,
      documents.filter((document) => document.order_id === row.id).map(toDocument),
      transitions.filter((transition) => transition.order_id === row.id).map(toTransition),
      cipher,
    ),
  );
}

export async function readPortingOrder(db: Kysely<Database>, id: string, cipher: FieldCipher): Promise<PortingOrderRecord | undefined> {
  const row = await db.selectFrom("porting_orders").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? (await withDetails(db, [row], cipher))[0] : undefined;
}

/**
 * The owned number a completed port-in makes of one of its numbers. A port brings no carrier number id of its
 * own: the number itself stands for it (carriers find a number by it); it has no offer and no customer data.
 */
export function portedNumberRow(order: PortingOrderRow, phoneNumber: string, now: number) {
  return {
    id: `num_${order.id}_${phoneNumber.replace("+", "")}`,
    phone_number: phoneNumber,
    carrier_id: order.carrier_id,
    state: "active",
    carrier_number_id: phoneNumber,
    number_type: null,
    locality: null,
    region: null,
    capabilities: "[]",
    monthly_price_cents: null,
    currency_code: null,
    order_id: order.id,
    customer_info: null,
    purchased_at: now,
    released_at: null,
    release_request_id: null,
  };
}

/** The next sequence number of an order's transitions or documents. */
export async function nextSeq(db: Kysely<Database>, table: "porting_order_transitions" | "porting_documents", orderId: string): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.max("seq").as("last"))
    .where("order_id", "=", orderId)
    .executeTakeFirst();
  return Number(row?.last ?? 0) + 1;
}
