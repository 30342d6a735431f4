import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { openStore } from "../../src/store/store.js";
import { ADMIN_MAIN, exitOf, launch, stopChildren } from "../support/processes.js";
import { LIVE_BASICS } from "../support/live-mode.js";

// Real processes (tsx compiles at start): generous, but still bounded.
vi.setConfig({ testTimeout: 60_000 });

const temporaryDirs: string[] = [];
afterEach(() => {
  stopChildren();
  for (const dir of temporaryDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function temporaryDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "numbergate-admin-"));
  temporaryDirs.push(dir);
  return dir;
}

describe("npm run admin -- audit tells the user where it looked, and creates nothing", () => {
  it("in sandbox mode without NUMBERGATE_DATA_DIR: explains the throwaway database, and makes no ./data", async () => {
    const workingDir = temporaryDir();
    const admin = launch(ADMIN_MAIN, { NUMBERGATE_DATA_DIR: undefined }, ["audit"], { cwd: workingDir });
    const { code, stderr } = await exitOf(admin);
    expect(stderr).toBe(
      "numbergate admin: no audit log to read: in sandbox mode numbergate keeps its database in a throwaway directory that is removed when it stops. " +
        "Set NUMBERGATE_DATA_DIR to the same directory for npm start and for this command to keep the database and read it.\n",
    );
    expect(code).toBe(1);
    expect(readdirSync(workingDir)).toEqual([]);
  });

  it("in live mode without a database at ./data: names the file it looked for, and makes no ./data", async () => {
    const workingDir = temporaryDir();
    const live = { NUMBERGATE_MODE: "live", TWILIO_ACCOUNT_SID: `AC${"1".repeat(32)}`, TWILIO_AUTH_TOKEN: "token", BANDWIDTH_ENABLED: "false", ...LIVE_BASICS };
    const admin = launch(ADMIN_MAIN, { ...live, NUMBERGATE_DATA_DIR: undefined }, ["audit"], { cwd: workingDir });
    const { code, stderr } = await exitOf(admin);
    expect(stderr).toBe(
      `numbergate admin: no audit log to read: there is no database at ${join(workingDir, "data", "numbergate.sqlite")} (numbergate has not run with this NUMBERGATE_DATA_DIR, or with the default ./data from this directory); nothing was created\n`,
    );
    expect(code).toBe(1);
    expect(readdirSync(workingDir)).toEqual([]);
  });

  it("with a NUMBERGATE_DATA_DIR that holds no database: names it, and does not create it", async () => {
    const dataDir = join(temporaryDir(), "never-used");
    const admin = launch(ADMIN_MAIN, { NUMBERGATE_DATA_DIR: dataDir }, ["audit"]);
    const { code, stderr } = await exitOf(admin);
    expect(stderr).toMatch(/^numbergate admin: no audit log to read: there is no database at \S+never-used\/numbergate\.sqlite \(numbergate has not run with this NUMBERGATE_DATA_DIR\); nothing was created\n$/);
    expect(code).toBe(1);
    expect(existsSync(dataDir)).toBe(false);
  });

  it("with a database that has no entries yet: says so on stderr, naming the database", async () => {
    const dataDir = temporaryDir();
    await (await openStore({ dataDir })).close();
    const admin = launch(ADMIN_MAIN, { NUMBERGATE_DATA_DIR: dataDir }, ["audit"]);
    const { code, stderr } = await exitOf(admin);
    expect(admin.stdout).toBe("");
    expect(stderr).toBe(`numbergate admin: no audit entries in the SQLite database ${join(dataDir, "numbergate.sqlite")}\n`);
    expect(code).toBe(0);
  });
});
