import type { ColumnType, Generated } from "kysely";

/** Epoch milliseconds; PostgreSQL bigint, read back as a number (see database.ts). */
type Millis = number;
type OptionalMillis = number | null;

export interface ReservationsTable {
  id: string;
  request_id: string | null;
  phone_number: string;
  carrier_id: string;
  /** active | expired | cancelled | consumed */
  state: string;
  carrier_reservation_id: string | null;
  customer_info: string | null;
  created_at: Millis;
  expires_at: Millis;
  updated_at: Millis;
}

/**
 * One row per number somebody holds (a reservation, an order in flight, or an open port-in). The primary key on
 * phone_number is what makes holds exclusive across clients and replicas.
 */
export interface NumberHoldsTable {
  phone_number: string;
  /** reservation | order | port */
  holder_kind: string;
  holder_id: string;
  expires_at: OptionalMillis;
  created_at: Millis;
}

export interface NumberOrdersTable {
  id: string;
  request_id: string;
  request_fingerprint: string;
  carrier_id: string;
  /** pending | completed | failed | in_doubt | partial */
  state: string;
  /** Sent to the carrier as its own order reference (Bandwidth CustomerOrderId). */
  order_reference: string;
  carrier_order_id: string | null;
  reservation_id: string | null;
  customer_info: string | null;
  detail: string;
  /** Set just before the carrier call: null means the purchase provably never left numbergate. */
  carrier_call_started_at: OptionalMillis;
  lease_owner: string | null;
  lease_expires_at: OptionalMillis;
  next_check_at: OptionalMillis;
  /** Lookups or store writes that failed in a row: the next check backs off. */
  check_attempts: ColumnType<number, number | undefined, number>;
  created_at: Millis;
  updated_at: Millis;
  /** Its part in a substitution (allow_substitute), JSON (records.ts OrderSubstitution); null for most orders. */
  substitution: string | null;
  /** The W3C traceparent of the RPC that created it; null when untraced. */
  trace_parent: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface NumberOrderItemsTable {
  order_id: string;
  phone_number: string;
  /** pending | purchased | failed */
  state: string;
  detail: string;
  carrier_number_id: string | null;
  /** The offer as searched (JSON): locality, region, capabilities, price. */
  offer: string | null;
  /** Set just before a request that could buy this number leaves: null means it provably never did. */
  sent_at: OptionalMillis;
  /** The caller's reservation this number is bought with. */
  reservation_id: string | null;
  /** Why it was not bought (domain/order-failure.ts encoding), for a failed item. */
  failure_kind: string | null;
}

/** A release of an owned number, with its own request_id, lease and in-doubt state, like an order. */
export interface NumberReleasesTable {
  id: string;
  request_id: string;
  request_fingerprint: string;
  owned_number_id: string;
  phone_number: string;
  carrier_id: string;
  /** pending | in_doubt | completed | failed */
  state: string;
  /** 1 when the number was already released when this request came: replayed as already_released. */
  already_released: number;
  order_reference: string;
  carrier_order_id: string | null;
  /** The carrier error kind of a refused release (or "unavailable"), replayed to a same-request_id retry. */
  failure_kind: string | null;
  detail: string;
  sent_at: OptionalMillis;
  lease_owner: string | null;
  lease_expires_at: OptionalMillis;
  next_check_at: OptionalMillis;
  check_attempts: ColumnType<number, number | undefined, number>;
  /** Who asked, for the audit rows written when the release finishes. */
  actor: string;
  created_at: Millis;
  updated_at: Millis;
}

export interface OwnedNumbersTable {
  id: string;
  phone_number: string;
  carrier_id: string;
  /** active | releasing | released */
  state: string;
  carrier_number_id: string;
  number_type: string | null;
  locality: string | null;
  region: string | null;
  capabilities: string;
  monthly_price_cents: number | null;
  currency_code: string | null;
  order_id: string;
  customer_info: string | null;
  purchased_at: Millis;
  released_at: OptionalMillis;
  release_request_id: string | null;
}

/**
 * A port-in order. Personal data and secrets are sealed (FieldCipher, see encrypted-columns.ts); `version` is
 * bumped by every change of state or carrier words, and checked by it (compare-and-set).
 */
export interface PortingOrdersTable {
  id: string;
  request_id: string;
  request_fingerprint: string;
  carrier_id: string;
  /** porting/porting-state.ts PortingState */
  state: string;
  /** JSON array of E.164 numbers. */
  phone_numbers: string;
  order_reference: string;
  current_provider: string;
  /** Sealed. */
  authorized_name: string;
  /** Sealed JSON (CarrierPortInAddress). */
  service_address: string;
  /** Sealed. */
  authorized_email: string | null;
  /** Sealed secret. */
  account_number: string | null;
  /** Sealed secret. */
  pin: string | null;
  /** "" when there is no account number. */
  account_number_last4: ColumnType<string, string | undefined, string>;
  requested_port_at: OptionalMillis;
  /** JSON array of CarrierDocumentReference. */
  carrier_documents: string;
  carrier_order_id: string | null;
  carrier_status: string;
  detail: string;
  foc_at: OptionalMillis;
  /** The carrier's time of the last observation applied. */
  last_observed_at: OptionalMillis;
  /** Set when a submission left for the carrier, cleared once its outcome is known. */
  submission_started_at: OptionalMillis;
  /** Set while a resubmission is in flight, with the carrier order it replaces; cleared once its answer is known. */
  resubmission_started_at: OptionalMillis;
  superseded_carrier_order_id: string | null;
  poll_attempt: ColumnType<number, number | undefined, number>;
  lease_owner: string | null;
  lease_expires_at: OptionalMillis;
  next_check_at: OptionalMillis;
  version: ColumnType<number, number | undefined, number>;
  created_at: Millis;
  updated_at: Millis;
  /** The W3C traceparent of the RPC that created it; null when untraced. */
  trace_parent: ColumnType<string | null, string | null | undefined, string | null>;
}

/** One change of a porting order's state, numbered from 1 per order. */
export interface PortingOrderTransitionsTable {
  order_id: string;
  seq: number;
  from_state: string;
  to_state: string;
  at: Millis;
  /** request | carrier poll | carrier callback */
  source: string;
  carrier_status: string;
  detail: string;
}

/** A document handed to a porting order: what it was, never its content. */
export interface PortingDocumentsTable {
  order_id: string;
  seq: number;
  kind: string;
  file_name: string;
  content_type: string;
  size_bytes: number;
  carrier_document_id: string | null;
  attached_at: Millis;
}

export interface IdempotencyKeysTable {
  /** The RPC the key belongs to, e.g. ReserveNumber. */
  scope: string;
  request_id: string;
  request_fingerprint: string;
  resource_id: string;
  created_at: Millis;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Millis;
  /** Who asked: the client identity when known. */
  actor: string;
  request_id: string | null;
  carrier_id: string | null;
  /** e.g. purchase, reservation.expired, order.completed */
  operation: string;
  outcome: string;
  latency_ms: number | null;
  resource_type: string | null;
  resource_id: string | null;
  detail: ColumnType<string, string | undefined, string>;
  /** Identical consecutive rows for one resource collapse into one, counted here. */
  repeat_count: ColumnType<number, number | undefined, number>;
  /** When the last of the collapsed repeats happened. */
  last_at: OptionalMillis;
}

/**
 * A difference between a carrier's list of the account's numbers and owned_numbers, found by inventory
 * reconciliation. One open row per carrier, number and kind (partial unique index).
 */
export interface InventoryDriftsTable {
  id: string;
  carrier_id: string;
  phone_number: string;
  /** unknown_to_numbergate | missing_at_carrier */
  kind: string;
  /** open | adopted | marked_released | gone */
  state: string;
  carrier_number_id: string | null;
  /** What the carrier listed (unknown_to_numbergate), used when the number is adopted. */
  number_type: string | null;
  /** JSON array of capabilities, as the carrier listed them. */
  capabilities: ColumnType<string, string | undefined, string>;
  /** The owned number the carrier no longer lists (missing_at_carrier). */
  owned_number_id: string | null;
  detail: ColumnType<string, string | undefined, string>;
  detected_at: Millis;
  /** The last reconciliation that still found it. */
  last_seen_at: Millis;
  resolved_at: OptionalMillis;
  /** Who adopted or marked it released; the reconciler that found it gone. */
  resolved_by: string | null;
  resolution_note: ColumnType<string, string | undefined, string>;
}

export interface Database {
  reservations: ReservationsTable;
  number_holds: NumberHoldsTable;
  number_orders: NumberOrdersTable;
  number_order_items: NumberOrderItemsTable;
  number_releases: NumberReleasesTable;
  owned_numbers: OwnedNumbersTable;
  porting_orders: PortingOrdersTable;
  porting_order_transitions: PortingOrderTransitionsTable;
  porting_documents: PortingDocumentsTable;
  idempotency_keys: IdempotencyKeysTable;
  audit_log: AuditLogTable;
  inventory_drifts: InventoryDriftsTable;
}
