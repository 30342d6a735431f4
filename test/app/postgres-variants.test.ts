import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { DATABASES } from "../support/databases.js";

const THIS_FILE = new URL(import.meta.url).pathname;
const VITEST = new URL("../../node_modules/vitest/vitest.mjs", import.meta.url).pathname;

describe.each(DATABASES)("the database list for store suites, on $name", (database) => {
  it("hands out a fresh database of its kind", async () => {
    const url = await database.fresh();
    expect(url === undefined ? "sqlite" : new URL(url).protocol).toBe(database.kind === "sqlite" ? "sqlite" : "postgres:");
  });
});

interface JsonReport {
  readonly numPendingTests: number;
  readonly testResults: readonly { readonly assertionResults: readonly { readonly fullName: string; readonly status: string }[] }[];
}

describe("PostgreSQL variants without TEST_DATABASE_URL", () => {
  it("are reported as skipped tests whose names say what they need, not left out", async () => {
    const { TEST_DATABASE_URL: _unset, ...environment } = process.env;
    // This file again, in its own vitest run without the variable, running only the suite above.
    const { stdout } = await promisify(execFile)(process.execPath, [VITEST, "run", THIS_FILE, "--reporter=json", "-t", "hands out a fresh database"], {
      env: environment,
      encoding: "utf8",
      timeout: 60_000,
    });
    const report = JSON.parse(stdout) as JsonReport;
    const results = report.testResults.flatMap((file) => file.assertionResults).filter((result) => result.fullName.includes("hands out"));
    expect(results.map(({ fullName, status }) => ({ fullName, status }))).toEqual([
      { fullName: "the database list for store suites, on 'sqlite' hands out a fresh database of its kind", status: "passed" },
      { fullName: "the database list for store suites, on 'postgres: needs TEST_DATABASE_URL' hands out a fresh database of its kind", status: "skipped" },
    ]);
  });
});
