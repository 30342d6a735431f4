import type SqliteDatabase from "better-sqlite3";
import type { SqliteDatabase as KyselySqliteDatabase, SqliteStatement } from "kysely";
import { LRUCache } from "lru-cache";

/** Distinct SQL texts kept prepared: numbergate's queries are a few hundred shapes, their parameters bound. */
const PREPARED_STATEMENTS = 500;

/**
 * The database as Kysely's SQLite driver sees it, with prepared statements reused by SQL text. The driver
 * prepares every query it runs; on the purchase path that preparing was the largest single cost. A statement is
 * reused only when it is not in the middle of an iteration (better-sqlite3 refuses a busy statement); SQLite
 * re-prepares a reused statement by itself after a schema change (migrations).
 */
export function withStatementCache(database: SqliteDatabase.Database): KyselySqliteDatabase {
  const prepared = new LRUCache<string, SqliteDatabase.Statement>({ max: PREPARED_STATEMENTS });
  return {
    close: () => database.close(),
    prepare(sql: string): SqliteStatement {
      const cached = prepared.get(sql);
      if (cached && !cached.busy) return cached;
      const statement = database.prepare(sql);
      if (!cached) prepared.set(sql, statement);
      return statement;
    },
  };
}
