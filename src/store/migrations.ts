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

export function migrationProvider(dialect: StoreDialect): MigrationProvider {
  return {
    getMigrations: async () => ({
      "2026-11-25-001-initial": initial(dialect),
    }),
  };
}
