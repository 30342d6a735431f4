import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import SqliteDatabase from "better-sqlite3";
import pg from "pg";
import { SQLITE_FILE_NAME } from "../../src/store/database.js";
import { ENCRYPTED_COLUMNS } from "../../src/store/encrypted-columns.js";

/** Around the store, straight at the database: what is really on disk, for tests about encryption at rest. */

/** Every non-null value of each encrypted column, by table, as the database holds it. */
export async function rawEncryptedValues(databaseUrl: string | undefined, dataDir: string): Promise<Record<string, string[]>> {
  const values: Record<string, string[]> = {};
  if (databaseUrl === undefined) {
    const database = new SqliteDatabase(join(dataDir, SQLITE_FILE_NAME), { readonly: true });
    try {
      for (const { table, column } of ENCRYPTED_COLUMNS) {
        const rows = database.prepare(`select ${column} as value from ${table} where ${column} is not null order by id`).all() as { value: string }[];
        values[table] = [...(values[table] ?? []), ...rows.map((row) => row.value)];
      }
    } finally {
      database.close();
    }
    return values;
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (const { table, column } of ENCRYPTED_COLUMNS) {
      const result = await client.query<{ value: string }>(`select ${column} as value from ${table} where ${column} is not null order by id`);
      values[table] = [...(values[table] ?? []), ...result.rows.map((row) => row.value)];
    }
  } finally {
    await client.end();
  }
  return values;
}

/** Runs one statement against the database (a legacy row, as written before encryption at rest). */
export async function rawExecute(databaseUrl: string | undefined, dataDir: string, statement: string, parameters: readonly (string | number | null)[]): Promise<void> {
  if (databaseUrl === undefined) {
    const database = new SqliteDatabase(join(dataDir, SQLITE_FILE_NAME));
    try {
      database.prepare(statement.replace(/\$\d+/g, "?")).run(...parameters);
    } finally {
      database.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(statement, [...parameters]);
  } finally {
    await client.end();
  }
}

/** The bytes of the SQLite database and its -wal and -shm files, those that exist. */
export function sqliteFileBytes(dataDir: string): { readonly files: readonly string[]; readonly bytes: Buffer } {
  const files = ["", "-wal", "-shm"].map((suffix) => join(dataDir, `${SQLITE_FILE_NAME}${suffix}`)).filter((file) => existsSync(file));
  return { files, bytes: Buffer.concat(files.map((file) => readFileSync(file))) };
}
