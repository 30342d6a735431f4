import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";

export interface ThrowawayPostgres {
  readonly url: string;
  /** Drops the database and role, and stops the cluster when this run started it. */
  drop(): void;
}

function run(command: string, args: readonly string[]): boolean {
  return spawnSync(command, args, { stdio: "ignore", timeout: 60_000 }).status === 0;
}

function asPostgres(sql: readonly string[]): boolean {
  const statements = sql.map((statement) => `-c "${statement}"`).join(" ");
  return run("su", ["postgres", "-c", `psql -q ${statements}`]);
}

/**
 * A database for the PostgreSQL figures when none is named (BENCH_DATABASE_URL, TEST_DATABASE_URL): the machine's
 * PostgreSQL 15 cluster, started when it is installed but not running, with a role and database made for this run
 * and dropped afterwards, as .ci/run does. Undefined when that cannot be done here (no cluster, not root): the
 * figures then say so.
 */
export function throwawayPostgres(): ThrowawayPostgres | undefined {
  const ready = () => run("pg_isready", ["-q", "-h", "127.0.0.1"]);
  const startedHere = !ready() && run("pg_ctlcluster", ["15", "main", "start"]);
  if (!ready()) return undefined;
  const name = `numbergate_bench_${randomBytes(4).toString("hex")}`;
  const password = randomBytes(12).toString("hex");
  if (!asPostgres([`create role ${name} login password '${password}'`, `create database ${name} owner ${name}`])) {
    if (startedHere) run("pg_ctlcluster", ["15", "main", "stop"]);
    return undefined;
  }
  return {
    url: `postgres://${name}:${password}@127.0.0.1:5432/${name}`,
    drop() {
      asPostgres([`drop database if exists ${name}`, `drop role if exists ${name}`]);
      if (startedHere) run("pg_ctlcluster", ["15", "main", "stop"]);
    },
  };
}
