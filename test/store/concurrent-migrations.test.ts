import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DATABASES } from "../support/databases.js";
import { exitOf, launch, stopChildren } from "../support/processes.js";

const OPEN_STORE = new URL("../support/open-store-main.ts", import.meta.url).pathname;
const dataDirs: string[] = [];
afterEach(async () => {
  stopChildren();
  for (const dataDir of dataDirs.splice(0)) await rm(dataDir, { recursive: true, force: true });
});

describe.each(DATABASES)("replicas starting together on a new $name database", (database) => {
  it("all open it: one migrates, the others wait and find it migrated", { timeout: 60_000 }, async () => {
    for (let round = 0; round < 3; round += 1) {
      const dataDir = await mkdtemp(join(tmpdir(), "numbergate-migrations-"));
      dataDirs.push(dataDir);
      const databaseUrl = await database.fresh();
      const environment = { NUMBERGATE_DATA_DIR: dataDir, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) };
      const replicas = Array.from({ length: 4 }, () => launch(OPEN_STORE, environment));
      const exits = await Promise.all(replicas.map((replica) => exitOf(replica)));
      expect(exits.map(({ code, stderr }) => (code === 0 ? "ok" : stderr.split("\n").find((line) => line.trim()) ?? `exit ${code}`))).toEqual(["ok", "ok", "ok", "ok"]);
    }
  });
});
