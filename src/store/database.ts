import { mkdirSync } from "node:fs";
import { join } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import { migrationProvider, type StoreDialect } from "./migrations.js";
import type { Database } from "./schema.js";

export interface OpenDatabaseOptions {
  /** postgres://... selects PostgreSQL; otherwise SQLite in dataDir. */
  readonly databaseUrl?: string;
  /** Where the SQLite file lives (NUMBERGATE_DATA_DIR). */
  readonly dataDir: string;
}

export interface OpenedDatabase {
  readonly db: Kysely<Database>;
  readonly dialect: StoreDialect;
  close(): Promise<void>;
}

// int8 (bigint) columns hold epoch milliseconds and cents: well inside Number's exact range.
pg.types.setTypeParser(20, (value: string) => Number.parseInt(value, 10));

/** Opens the store's database and brings its schema to the latest migration; throws if a migration fails. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<OpenedDatabase> {
  const dialect: StoreDialect = options.databaseUrl ? "postgres" : "sqlite";
  const db =
    dialect === "postgres"
      ? new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: options.databaseUrl, max: 10 }) }) })
      : new Kysely<Database>({ dialect: new SqliteDialect({ database: openSqlite(options.dataDir) }) });
  // Kysely looks for its migration tables across schemas; pin them to the connection's own schema so that a
  // search_path other than public (one schema per tenant or per test) works.
  const migrationTableSchema = dialect === "postgres" ? await currentSchema(db) : undefined;
  const migrator = new Migrator({ db, provider: migrationProvider(dialect), migrationTableSchema });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === "Error");
  if (error || failed) {
    await db.destroy();
    const reason = error instanceof Error ? error.message : String(error ?? "unknown error");
    throw new Error(`database migration ${failed?.migrationName ?? ""} failed: ${reason}`);
  }
  return { db, dialect, close: () => db.destroy() };
}

async function currentSchema(db: Kysely<Database>): Promise<string> {
  const result = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const schema = result.rows[0]?.schema;
  if (!schema) throw new Error("PostgreSQL has no current schema: check search_path in DATABASE_URL");
  return schema;
}

function openSqlite(dataDir: string): SqliteDatabase.Database {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const database = new SqliteDatabase(join(dataDir, "numbergate.sqlite"));
  // WAL lets readers proceed during a write; busy_timeout makes a second process wait instead of failing.
  database.pragma("journal_mode = WAL");
  database.pragma("busy_timeout = 5000");
  database.pragma("foreign_keys = ON");
  return database;
}

/** Whether an error is a unique or primary-key violation, on either database. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}
