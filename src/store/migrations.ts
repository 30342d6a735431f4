import { sql, type Kysely, type Migration, type MigrationProvider } from "kysely";

/**
 * Versioned, forward-only migrations, frozen in time: they never import application types, and the same
 * SQL serves SQLite and PostgreSQL. Names start with an ISO date so they sort in the order they were written.
 */
/** Migrations see the schema as it was when they were written, never the application's types. */
type UntypedDatabase = Kysely<unknown>;
export type StoreDialect = "sqlite" | "postgres";

const initial = (dialect: StoreDialect): Migration => ({
  async up(db: UntypedDatabase) {
    await db.schema
      .createTable("reservations")
      .addColumn("id", "text", (column) => column.primaryKey())
      .addColumn("request_id", "text", (column) => column.unique())
      .addColumn("phone_number", "text", (column) => column.notNull())
      .addColumn("carrier_id", "text", (column) => column.notNull())
      .addColumn("state", "text", (column) => column.notNull())
      .addColumn("carrier_reservation_id", "text")
      .addColumn("customer_info", "text")
      .addColumn("created_at", "bigint", (column) => column.notNull())
      .addColumn("expires_at", "bigint", (column) => column.notNull())
      .addColumn("updated_at", "bigint", (column) => column.notNull())
      .execute();
    await db.schema.createIndex("reservations_active_expiry").on("reservations").columns(["state", "expires_at"]).execute();

    await db.schema
      .createTable("number_holds")
      .addColumn("phone_number", "text", (column) => column.primaryKey())
      .addColumn("holder_kind", "text", (column) => column.notNull())
      .addColumn("holder_id", "text", (column) => column.notNull())
      .addColumn("expires_at", "bigint")
      .addColumn("created_at", "bigint", (column) => column.notNull())
      .execute();

    await db.schema
      .createTable("number_orders")
      .addColumn("id", "text", (column) => column.primaryKey())
      .addColumn("request_id", "text", (column) => column.notNull().unique())
      .addColumn("request_fingerprint", "text", (column) => column.notNull())
      .addColumn("carrier_id", "text", (column) => column.notNull())
      .addColumn("state", "text", (column) => column.notNull())
      .addColumn("order_reference", "text", (column) => column.notNull().unique())
      .addColumn("carrier_order_id", "text")
      .addColumn("reservation_id", "text")
      .addColumn("customer_info", "text")
      .addColumn("detail", "text", (column) => column.notNull().defaultTo(""))
      .addColumn("carrier_call_started_at", "bigint")
      .addColumn("lease_owner", "text")
      .addColumn("lease_expires_at", "bigint")
      .addColumn("next_check_at", "bigint")
      .addColumn("created_at", "bigint", (column) => column.notNull())
      .addColumn("updated_at", "bigint", (column) => column.notNull())
      .execute();
    await db.schema.createIndex("number_orders_work").on("number_orders").columns(["state", "next_check_at"]).execute();

    await db.schema
      .createTable("number_order_items")
      .addColumn("order_id", "text", (column) => column.notNull().references("number_orders.id"))
      .addColumn("phone_number", "text", (column) => column.notNull())
      .addColumn("state", "text", (column) => column.notNull())
      .addColumn("detail", "text", (column) => column.notNull().defaultTo(""))
      .addColumn("carrier_number_id", "text")
      .addColumn("offer", "text")
      .addPrimaryKeyConstraint("number_order_items_pk", ["order_id", "phone_number"])
      .execute();

    await db.schema
      .createTable("owned_numbers")
      .addColumn("id", "text", (column) => column.primaryKey())
      .addColumn("phone_number", "text", (column) => column.notNull())
      .addColumn("carrier_id", "text", (column) => column.notNull())
      .addColumn("state", "text", (column) => column.notNull())
      .addColumn("carrier_number_id", "text", (column) => column.notNull())
      .addColumn("number_type", "text")
      .addColumn("locality", "text")
      .addColumn("region", "text")
      .addColumn("capabilities", "text", (column) => column.notNull())
      .addColumn("monthly_price_cents", "bigint")
      .addColumn("currency_code", "text")
      .addColumn("order_id", "text", (column) => column.notNull())
      .addColumn("customer_info", "text")
      .addColumn("purchased_at", "bigint", (column) => column.notNull())
      .addColumn("released_at", "bigint")
      .addColumn("release_request_id", "text")
      .execute();
    // One live ownership per number: a second insert for a number not yet released fails.
    await sql`create unique index owned_numbers_live on owned_numbers (phone_number) where state <> 'released'`.execute(db);
    await db.schema.createIndex("owned_numbers_listing").on("owned_numbers").columns(["purchased_at", "id"]).execute();

    await db.schema
      .createTable("porting_orders")
      .addColumn("id", "text", (column) => column.primaryKey())
      .addColumn("request_id", "text", (column) => column.notNull().unique())
      .addColumn("request_fingerprint", "text", (column) => column.notNull())
      .addColumn("carrier_id", "text", (column) => column.notNull())
      .addColumn("state", "text", (column) => column.notNull())
      .addColumn("phone_numbers", "text", (column) => column.notNull())
      .addColumn("current_provider", "text", (column) => column.notNull())
      .addColumn("authorized_name", "text", (column) => column.notNull())
      .addColumn("service_address", "text", (column) => column.notNull())
      .addColumn("encrypted_secrets", "text")
      .addColumn("account_number_last4", "text")
      .addColumn("carrier_order_id", "text")
      .addColumn("detail", "text", (column) => column.notNull().defaultTo(""))
      .addColumn("lease_owner", "text")
      .addColumn("lease_expires_at", "bigint")
      .addColumn("next_check_at", "bigint")
      .addColumn("created_at", "bigint", (column) => column.notNull())
      .addColumn("updated_at", "bigint", (column) => column.notNull())
      .execute();

    await db.schema
      .createTable("idempotency_keys")
      .addColumn("scope", "text", (column) => column.notNull())
      .addColumn("request_id", "text", (column) => column.notNull())
      .addColumn("request_fingerprint", "text", (column) => column.notNull())
      .addColumn("resource_id", "text", (column) => column.notNull())
      .addColumn("created_at", "bigint", (column) => column.notNull())
      .addPrimaryKeyConstraint("idempotency_keys_pk", ["scope", "request_id"])
      .execute();

    await db.schema
      .createTable("audit_log")
      .addColumn("id", dialect === "postgres" ? "bigint" : "integer", (column) =>
        dialect === "postgres" ? column.primaryKey().generatedByDefaultAsIdentity() : column.primaryKey().autoIncrement(),
      )
      .addColumn("at", "bigint", (column) => column.notNull())
      .addColumn("actor", "text", (column) => column.notNull())
      .addColumn("request_id", "text")
      .addColumn("carrier_id", "text")
      .addColumn("operation", "text", (column) => column.notNull())
      .addColumn("outcome", "text", (column) => column.notNull())
      .addColumn("latency_ms", "bigint")
      .addColumn("resource_type", "text")
      .addColumn("resource_id", "text")
      .addColumn("detail", "text", (column) => column.notNull().defaultTo(""))
      .execute();
    await db.schema.createIndex("audit_log_at").on("audit_log").column("at").execute();
  },
});

/**
 * Money safety: each order item remembers when a request that could buy it left (the in-doubt grace runs per
 * item, so a batch bought one number per request is judged number by number) and which reservation it was
 * bought with; releases become records of their own with an in-doubt state; repeated audit rows collapse.
 */
const moneySafety = (): Migration => ({
  async up(db: UntypedDatabase) {
    await db.schema.alterTable("number_order_items").addColumn("sent_at", "bigint").execute();
    await db.schema.alterTable("number_order_items").addColumn("reservation_id", "text").execute();
    await sql`update number_order_items set sent_at = (select carrier_call_started_at from number_orders where number_orders.id = number_order_items.order_id)`.execute(db);
    await sql`update number_order_items set reservation_id = (select reservations.id from reservations join number_orders on number_orders.reservation_id = reservations.id
      where number_orders.id = number_order_items.order_id and reservations.phone_number = number_order_items.phone_number)`.execute(db);
    await db.schema.alterTable("number_orders").addColumn("check_attempts", "integer", (column) => column.notNull().defaultTo(0)).execute();

    await db.schema
      .createTable("number_releases")
      .addColumn("id", "text", (column) => column.primaryKey())
      .addColumn("request_id", "text", (column) => column.notNull().unique())
      .addColumn("request_fingerprint", "text", (column) => column.notNull())
      .addColumn("owned_number_id", "text", (column) => column.notNull())
      .addColumn("phone_number", "text", (column) => column.notNull())
      .addColumn("carrier_id", "text", (column) => column.notNull())
      .addColumn("state", "text", (column) => column.notNull())
      .addColumn("already_released", "integer", (column) => column.notNull().defaultTo(0))
      .addColumn("order_reference", "text", (column) => column.notNull().unique())
      .addColumn("carrier_order_id", "text")
      .addColumn("failure_kind", "text")
      .addColumn("detail", "text", (column) => column.notNull().defaultTo(""))
      .addColumn("sent_at", "bigint")
      .addColumn("lease_owner", "text")
      .addColumn("lease_expires_at", "bigint")
      .addColumn("next_check_at", "bigint")
      .addColumn("check_attempts", "integer", (column) => column.notNull().defaultTo(0))
      .addColumn("actor", "text", (column) => column.notNull())
      .addColumn("created_at", "bigint", (column) => column.notNull())
      .addColumn("updated_at", "bigint", (column) => column.notNull())
      .execute();
    // One release in flight per owned number, whichever client or replica asks.
    await sql`create unique index number_releases_live on number_releases (owned_number_id) where state in ('pending', 'in_doubt')`.execute(db);
    await db.schema.createIndex("number_releases_work").on("number_releases").columns(["state", "next_check_at"]).execute();

    await db.schema.alterTable("audit_log").addColumn("repeat_count", "bigint", (column) => column.notNull().defaultTo(1)).execute();
    await db.schema.alterTable("audit_log").addColumn("last_at", "bigint").execute();
    await db.schema.createIndex("audit_log_resource").on("audit_log").columns(["resource_type", "resource_id", "id"]).execute();
  },
});

/** Why each number of a failed order was not bought, so a failed purchase replays the same error. */
const orderItemFailure = (): Migration => ({
  async up(db: UntypedDatabase) {
    await db.schema.alterTable("number_order_items").addColumn("failure_kind", "text").execute();
  },
});

/**
 * Inventory reconciliation: differences between a carrier's own list of the account's numbers and
 * owned_numbers. The partial unique index keeps one open drift per carrier, number and kind, so two replicas
 * reconciling at once record it once; resolved and vanished drifts stay as history.
 */
const inventoryDrifts = (): Migration => ({
  async up(db: UntypedDatabase) {
    await db.schema
      .createTable("inventory_drifts")
      .addColumn("id", "text", (column) => column.primaryKey())
      .addColumn("carrier_id", "text", (column) => column.notNull())
      .addColumn("phone_number", "text", (column) => column.notNull())
      .addColumn("kind", "text", (column) => column.notNull())
      .addColumn("state", "text", (column) => column.notNull())
      .addColumn("carrier_number_id", "text")
      .addColumn("number_type", "text")
      .addColumn("capabilities", "text", (column) => column.notNull().defaultTo("[]"))
      .addColumn("owned_number_id", "text")
      .addColumn("detail", "text", (column) => column.notNull().defaultTo(""))
      .addColumn("detected_at", "bigint", (column) => column.notNull())
      .addColumn("last_seen_at", "bigint", (column) => column.notNull())
      .addColumn("resolved_at", "bigint")
      .addColumn("resolved_by", "text")
      .addColumn("resolution_note", "text", (column) => column.notNull().defaultTo(""))
      .execute();
    await sql`create unique index inventory_drifts_open on inventory_drifts (carrier_id, phone_number, kind) where state = 'open'`.execute(db);
    await db.schema.createIndex("inventory_drifts_listing").on("inventory_drifts").columns(["state", "detected_at", "id"]).execute();
  },
});

/**
 * Substitutes (PurchaseNumber allow_substitute): an order remembers its part in a substitution as JSON, the
 * order that bought an equivalent number instead of it, or the order it was bought instead of, so that every
 * retry of the request_id answers with the same substitute.
 */
const orderSubstitution = (): Migration => ({
  async up(db: UntypedDatabase) {
    await db.schema.alterTable("number_orders").addColumn("substitution", "text").execute();
  },
});

/**
 * Porting (port-in orders). The initial migration created a porting_orders table that nothing ever wrote (its
 * secrets were to go in one blob): it is dropped, empty, and the real table created. Personal data and secrets
 * (authorized_name, service_address, authorized_email, account_number, pin) are sealed column by column like
 * customer_info; version is the compare-and-set counter every state change goes through. An order's state
 * changes and the documents handed to it (their description, never their content) are rows of their own. One
 * open port per number is kept by number_holds (holder_kind "port"), like orders and reservations.
 */
const porting = (): Migration => ({
  async up(db: UntypedDatabase) {
    await db.schema.dropTable("porting_orders").execute();
    await db.schema
      .createTable("porting_orders")
      .addColumn("id", "text", (column) => column.primaryKey())
      .addColumn("request_id", "text", (column) => column.notNull().unique())
      .addColumn("request_fingerprint", "text", (column) => column.notNull())
      .addColumn("carrier_id", "text", (column) => column.notNull())
      .addColumn("state", "text", (column) => column.notNull())
      .addColumn("phone_numbers", "text", (column) => column.notNull())
      .addColumn("order_reference", "text", (column) => column.notNull().unique())
      .addColumn("current_provider", "text", (column) => column.notNull())
      .addColumn("authorized_name", "text", (column) => column.notNull())
      .addColumn("service_address", "text", (column) => column.notNull())
      .addColumn("authorized_email", "text")
      .addColumn("account_number", "text")
      .addColumn("pin", "text")
      .addColumn("account_number_last4", "text", (column) => column.notNull().defaultTo(""))
      .addColumn("requested_port_at", "bigint")
      .addColumn("carrier_documents", "text", (column) => column.notNull().defaultTo("[]"))
      .addColumn("carrier_order_id", "text")
      .addColumn("carrier_status", "text", (column) => column.notNull().defaultTo(""))
      .addColumn("detail", "text", (column) => column.notNull().defaultTo(""))
      .addColumn("foc_at", "bigint")
      .addColumn("last_observed_at", "bigint")
      .addColumn("submission_started_at", "bigint")
      .addColumn("poll_attempt", "integer", (column) => column.notNull().defaultTo(0))
      .addColumn("lease_owner", "text")
      .addColumn("lease_expires_at", "bigint")
      .addColumn("next_check_at", "bigint")
      .addColumn("version", "integer", (column) => column.notNull().defaultTo(0))
      .addColumn("created_at", "bigint", (column) => column.notNull())
      .addColumn("updated_at", "bigint", (column) => column.notNull())
      .addUniqueConstraint("porting_orders_carrier_order", ["carrier_id", "carrier_order_id"])
      .execute();
    await sql`create index porting_orders_listing on porting_orders (created_at desc, id desc)`.execute(db);
    await db.schema.createIndex("porting_orders_work").on("porting_orders").columns(["state", "next_check_at"]).execute();

    await db.schema
      .createTable("porting_order_transitions")
      .addColumn("order_id", "text", (column) => column.notNull().references("porting_orders.id"))
      .addColumn("seq", "integer", (column) => column.notNull())
      .addColumn("from_state", "text", (column) => column.notNull())
      .addColumn("to_state", "text", (column) => column.notNull())
      .addColumn("at", "bigint", (column) => column.notNull())
      .addColumn("source", "text", (column) => column.notNull())
      .addColumn("carrier_status", "text", (column) => column.notNull().defaultTo(""))
      .addColumn("detail", "text", (column) => column.notNull().defaultTo(""))
      .addPrimaryKeyConstraint("porting_order_transitions_pk", ["order_id", "seq"])
      .execute();

    await db.schema
      .createTable("porting_documents")
      .addColumn("order_id", "text", (column) => column.notNull().references("porting_orders.id"))
      .addColumn("seq", "integer", (column) => column.notNull())
      .addColumn("kind", "text", (column) => column.notNull())
      .addColumn("file_name", "text", (column) => column.notNull())
      .addColumn("content_type", "text", (column) => column.notNull())
      .addColumn("size_bytes", "bigint", (column) => column.notNull())
      .addColumn("carrier_document_id", "text")
      .addColumn("attached_at", "bigint", (column) => column.notNull())
      .addPrimaryKeyConstraint("porting_documents_pk", ["order_id", "seq"])
      .execute();
  },
});

/**
 * A resubmission in flight (ResubmitPortingOrder): when it started and the carrier order it replaces, so that news
 * of that order (Twilio cancels the rejected request before creating the new one) is not taken for the port's own.
 */
const portingResubmission = (): Migration => ({
  async up(db: UntypedDatabase) {
    await db.schema.alterTable("porting_orders").addColumn("resubmission_started_at", "bigint").execute();
    await db.schema.alterTable("porting_orders").addColumn("superseded_carrier_order_id", "text").execute();
  },
});

/** ListNumberOrders pages orders newest first on (created_at, id); without this, every page sorts the whole table. */
const orderListing = (): Migration => ({
  async up(db: UntypedDatabase) {
    await sql`create index number_orders_listing on number_orders (created_at desc, id desc)`.execute(db);
  },
});

/**
 * The W3C traceparent of the RPC that created an order or a port: the reconciler's and the poller's traces link
 * back to it, on any replica and after a restart (telemetry/trace-links.ts). Null when nothing was traced.
 */
const traceLinks = (): Migration => ({
  async up(db: UntypedDatabase) {
    await db.schema.alterTable("number_orders").addColumn("trace_parent", "text").execute();
    await db.schema.alterTable("porting_orders").addColumn("trace_parent", "text").execute();
  },
});

export function migrationProvider(dialect: StoreDialect): MigrationProvider {
  return {
    getMigrations: async () => ({
      "2026-11-25-001-initial": initial(dialect),
      "2026-11-26-002-money-safety": moneySafety(),
      "2026-11-26-003-order-item-failure": orderItemFailure(),
      "2026-11-27-004-inventory-drifts": inventoryDrifts(),
      "2026-11-27-005-order-substitution": orderSubstitution(),
      "2026-11-27-006-porting": porting(),
      "2026-11-27-007-porting-resubmission": portingResubmission(),
      "2026-11-27-008-order-listing": orderListing(),
      "2026-11-27-009-trace-links": traceLinks(),
    }),
  };
}
