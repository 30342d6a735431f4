import pg from "pg";
import { randomBytes } from "node:crypto";
import { beforeAll, inject } from "vitest";
import type { RunnerTask, RunnerTestFile, RunnerTestSuite } from "vitest";

/** PostgreSQL suites run when TEST_DATABASE_URL is set (as .ci/run does); SQLite suites always run. */
export const POSTGRES_URL = process.env["TEST_DATABASE_URL"];

export interface TestDatabase {
  /** What suites show in their names: "sqlite", "postgres", or why the PostgreSQL variant is skipped. */
  readonly name: string;
  readonly kind: "sqlite" | "postgres";
  /** A fresh, empty database URL for one test (PostgreSQL: its own schema); undefined means SQLite. */
  fresh(): Promise<string | undefined>;
}

const SQLITE: TestDatabase = { name: "sqlite", kind: "sqlite", fresh: async () => undefined };

/**
 * A throwaway schema in the test database, selected through search_path: tests never see each other's rows. Named
 * with this run's prefix; test/support/postgres-schemas.ts drops the run's schemas when every file is done.
 */
async function freshPostgresSchema(baseUrl: string): Promise<string> {
  const schema = `${inject("testSchemaPrefix")}_${randomBytes(6).toString("hex")}`;
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

/** The name the PostgreSQL variants carry when they cannot run, so the skip and its reason show in vitest's output. */
export const POSTGRES_SKIPPED = "postgres: needs TEST_DATABASE_URL";

const POSTGRES: TestDatabase = POSTGRES_URL
  ? { name: "postgres", kind: "postgres", fresh: () => freshPostgresSchema(POSTGRES_URL) }
  : {
      name: POSTGRES_SKIPPED,
      kind: "postgres",
      fresh: () => Promise.reject(new Error("TEST_DATABASE_URL is not set: this PostgreSQL variant should have been skipped")),
    };

/**
 * Every database the store suites run on. Without TEST_DATABASE_URL the PostgreSQL entry is still listed, so
 * `describe.each(DATABASES)` still declares its suites, and they are reported as skipped rather than silently
 * absent.
 */
export const DATABASES: readonly TestDatabase[] = [SQLITE, POSTGRES];

/** The PostgreSQL database when TEST_DATABASE_URL is set; suites about PostgreSQL alone use describe.skipIf(!POSTGRES_AVAILABLE). */
export const POSTGRES_AVAILABLE = POSTGRES_URL !== undefined;

if (!POSTGRES_AVAILABLE) {
  // Registered on the top-level suite of every test file that imports this module (vitest evaluates it once per
  // file): before any test of the file runs, each test declared under the PostgreSQL entry is marked skipped,
  // with the reason as its note, so it never runs (nor do its beforeEach and afterEach hooks) and vitest's
  // output and JSON report count it as skipped.
  // vitest reads the first parameter as fixtures, which must be destructured; the suite is the second.
  beforeAll(({}, fileSuite: Readonly<RunnerTestSuite | RunnerTestFile>) => {
    for (const task of fileSuite.tasks) if (task.type === "suite" && task.name.includes(POSTGRES_SKIPPED)) skipTestsIn(task);
  });
}

function skipTestsIn(task: RunnerTask): void {
  if (task.type === "suite") {
    for (const child of task.tasks) skipTestsIn(child);
    return;
  }
  task.mode = "skip";
  // `note` is what `context.skip(note)` sets; reporters print it next to the test (it is not in the public type).
  task.result = Object.assign({ state: "skip" as const }, { note: "needs TEST_DATABASE_URL" });
}
