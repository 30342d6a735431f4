import { mkdirSync } from "node:fs";
import { join } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteAdapter, SqliteDialect, sql, type DialectAdapter, type MigrationLockOptions } from "kysely";
import pg from "pg";
import { migrationProvider, type StoreDialect } from "./migrations.js";
import { withStatementCache } from "./statement-cache.js";
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

/** The SQLite database's file name inside NUMBERGATE_DATA_DIR. */
export const SQLITE_FILE_NAME = "numbergate.sqlite";

// int8 (bigint) columns hold epoch milliseconds and cents: well inside Number's exact range.
pg.types.setTypeParser(20, (value: string) => Number.parseInt(value, 10));

/** Opens the store's database and brings its schema to the latest migration; throws if a migration fails. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<OpenedDatabase> {
  const dialect: StoreDialect = options.databaseUrl ? "postgres" : "sqlite";
  const db =
    dialect === "postgres"
      ? new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: options.databaseUrl, max: 10 }) }) })
      : new Kysely<Database>({ dialect: new SharedFileSqliteDialect({ database: withStatementCache(openSqlite(options.dataDir)) }) });
  // Kysely looks for its migration tables across schemas; pin them to the connection's own schema so that a
  // search_path other than public (one schema per tenant or per test) works.
  let migrationTableSchema: string | undefined;
  try {
    migrationTableSchema = dialect === "postgres" ? await currentSchema(db) : undefined;
  } catch (error) {
    await db.destroy();
    throw error;
  }
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
  const database = new SqliteDatabase(join(dataDir, SQLITE_FILE_NAME));
  // busy_timeout first: it makes a second process wait instead of failing, switching to WAL included. WAL
  // lets readers proceed during a write.
  database.pragma("busy_timeout = 5000");
  database.pragma("journal_mode = WAL");
  database.pragma("foreign_keys = ON");
  return database;
}

/**
 * Kysely's SQLite adapter takes no migration lock and runs migrations outside a transaction (one connection per
 * process), so two processes opening a new database file at once both migrated it ("table reservations already
 * exists"). SQLite's DDL is transactional: one transaction for the whole run, whose first statement writes the
 * lock row, takes SQLite's write lock before anything is read; the second process waits (busy_timeout), then
 * finds the migrations done.
 */
class SharedFileSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }

  override async acquireMigrationLock(db: Kysely<unknown>, options: MigrationLockOptions): Promise<void> {
    await sql`update ${sql.table(options.lockTable)} set is_locked = 1 where id = ${options.lockRowId}`.execute(db);
  }
}

class SharedFileSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new SharedFileSqliteAdapter();
  }
}

/** Whether an error is a unique or primary-key violation, on either database. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}
