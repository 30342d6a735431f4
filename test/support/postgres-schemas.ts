import { randomBytes } from "node:crypto";
import pg from "pg";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** Every PostgreSQL schema tests make in this run starts with it (test/support/databases.ts). */
    testSchemaPrefix: string;
  }
}

/**
 * vitest globalSetup: names this run's test schemas and drops them all once every test file is done. Dropping
 * them file by file raced other files: Kysely's migrator introspects every schema of the database (its query
 * resolves each table by name with pg_get_serial_sequence), so a schema dropped while another file's numbergate
 * migrated failed that migration with "schema t_… does not exist" or "column … does not exist".
 */
export default function setup(project: TestProject): (() => Promise<void>) | undefined {
  const prefix = `t_${randomBytes(4).toString("hex")}`;
  project.provide("testSchemaPrefix", prefix);
  const url = process.env["TEST_DATABASE_URL"];
  if (url === undefined) return undefined;
  return async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>("select nspname as name from pg_catalog.pg_namespace where starts_with(nspname, $1)", [`${prefix}_`]);
      for (const { name } of rows) await client.query(`drop schema if exists ${pg.escapeIdentifier(name)} cascade`);
    } finally {
      await client.end();
    }
  };
}
