import pg from "pg";
import { randomBytes } from "node:crypto";

/** PostgreSQL suites run when TEST_DATABASE_URL is set (as .ci/run does); SQLite suites always run. */
export const POSTGRES_URL = process.env["TEST_DATABASE_URL"];

if (!POSTGRES_URL) {
  console.warn("TEST_DATABASE_URL is not set: the PostgreSQL variants of the store suites are NOT run (SQLite ones are).");
}

export interface TestDatabase {
  readonly name: "sqlite" | "postgres";
  /** A fresh, empty database URL for one test (PostgreSQL: its own schema); undefined means SQLite. */
  fresh(): Promise<string | undefined>;
}

const SQLITE: TestDatabase = { name: "sqlite", fresh: async () => undefined };

/** A throwaway schema in the test database, selected through search_path: tests never see each other's rows. */
async function freshPostgresSchema(baseUrl: string): Promise<string> {
  const schema = `t_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(`create schema ${schema}`);
  } finally {
    await client.end();
  }
  const url = new URL(baseUrl);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return url.toString();
}

export const DATABASES: readonly TestDatabase[] = POSTGRES_URL
  ? [SQLITE, { name: "postgres", fresh: () => freshPostgresSchema(POSTGRES_URL) }]
  : [SQLITE];
