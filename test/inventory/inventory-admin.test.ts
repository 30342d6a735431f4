import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startSandboxCarriers, type SandboxCarriers } from "../../src/app/sandbox-carriers.js";
import { openStore } from "../../src/store/store.js";
import { DATABASES } from "../support/databases.js";
import { ADMIN_MAIN, exitOf, launch, stopChildren } from "../support/processes.js";
import { LIVE_BASICS } from "../support/live-mode.js";

// Real processes (tsx compiles at start): generous, but still bounded.
vi.setConfig({ testTimeout: 60_000 });

let sandbox: SandboxCarriers | undefined;
const temporaryDirs: string[] = [];
afterEach(async () => {
  stopChildren();
  await sandbox?.stop();
  sandbox = undefined;
  for (const dir of temporaryDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

type Line = Record<string, unknown>;

/** A database numbergate has run on, and carriers with numbers bought behind its back. */
async function prepare(databaseUrl: string | undefined): Promise<{ environment: Record<string, string | undefined>; carriers: SandboxCarriers; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), "numbergate-admin-inventory-"));
  temporaryDirs.push(dataDir);
  await (await openStore({ databaseUrl, dataDir })).close();
  const carriers = await startSandboxCarriers();
  sandbox = carriers;
  carriers.twilio.addOwned("+12125550123");
  carriers.bandwidth.numbers.owned.add("3035550199");
  // Live mode against the emulators, as `npm run emulators` prints it; one attempt per call keeps failures quick.
  return { environment: { NUMBERGATE_MODE: "live", ...LIVE_BASICS, ...carriers.environment, NUMBERGATE_DATA_DIR: dataDir, DATABASE_URL: databaseUrl, PROVIDER_MAX_RETRIES: "0" }, carriers, dataDir };
}

async function run(environment: Record<string, string | undefined>, args: string[]): Promise<{ code: number | null; stderr: string; lines: Line[] }> {
  const child = launch(ADMIN_MAIN, environment, args);
  const { code, stderr } = await exitOf(child);
  const lines = child.stdout.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as Line);
  return { code, stderr, lines };
}

const ofType = (lines: readonly Line[], type: string) => lines.filter((line) => line["type"] === type);
const countFor = (lines: readonly Line[], providerId: string) => ofType(lines, "count").find((line) => line["providerId"] === providerId);

describe.each(DATABASES)("npm run admin -- reconcile and drifts on $name", (database) => {
  it("reconciles from its own process, prints a count line per carrier and a drift line per open drift, and lists them again", async () => {
    const databaseUrl = await database.fresh();
    const { environment, dataDir } = await prepare(databaseUrl);
    const reconciled = await run(environment, ["reconcile"]);
    expect(reconciled.stderr).toBe("");
    expect(reconciled.code).toBe(0);
    expect(countFor(reconciled.lines, "twilio")).toEqual({ type: "count", providerId: "twilio", carrierNumbers: 1, numbergateNumbers: 0, newDrifts: 1, goneDrifts: 0 });
    expect(countFor(reconciled.lines, "bandwidth")).toEqual({ type: "count", providerId: "bandwidth", carrierNumbers: 1, numbergateNumbers: 0, newDrifts: 1, goneDrifts: 0 });
    const drifts = ofType(reconciled.lines, "drift").filter((line) => line["providerId"] === "twilio" || line["providerId"] === "bandwidth");
    expect(drifts.map((line) => [line["providerId"], line["phoneNumber"], line["kind"], line["state"]]).sort()).toEqual([
      ["bandwidth", "+13035550199", "unknown_to_numbergate", "open"],
      ["twilio", "+12125550123", "unknown_to_numbergate", "open"],
    ]);
    expect(drifts[0]?.["driftId"]).toMatch(/^dft_/);
    expect(drifts[0]?.["detectedAt"]).toMatch(/^\d{4}-\d\d-\d\dT/);

    // Run again for one carrier: nothing new.
    const again = await run(environment, ["reconcile", "--provider", "twilio"]);
    expect(again.code).toBe(0);
    expect(ofType(again.lines, "count")).toEqual([{ type: "count", providerId: "twilio", carrierNumbers: 1, numbergateNumbers: 0, newDrifts: 0, goneDrifts: 0 }]);

    const listed = await run(environment, ["drifts", "--state", "all", "--provider", "bandwidth"]);
    expect(listed.code).toBe(0);
    expect(listed.lines).toEqual(drifts.filter((drift) => drift["providerId"] === "bandwidth"));

    // The audit log names who asked: this command, as the operator who ran it.
    const store = await openStore({ databaseUrl, dataDir });
    const detected = (await store.audit.list(0, 100)).filter((row) => row.operation === "inventory.drift");
    await store.close();
    expect(detected).toHaveLength(2);
    expect(detected.every((row) => row.actor.startsWith("admin:"))).toBe(true);
  });
});

describe("npm run admin -- reconcile and drifts: exit codes", () => {
  it("3 when a carrier's list cannot be read: its count line says why, and nothing is concluded for it", async () => {
    const { environment, carriers } = await prepare(undefined);
    carriers.bandwidth.faults.inject({ kind: "status", status: 503, pathIncludes: "/inserviceNumbers" });
    const reconciled = await run(environment, ["reconcile"]);
    expect(reconciled.code).toBe(3);
    expect(countFor(reconciled.lines, "bandwidth")).toMatchObject({ carrierNumbers: 0, newDrifts: 0, error: expect.stringContaining("bandwidth") as unknown });
    expect(countFor(reconciled.lines, "twilio")).toMatchObject({ carrierNumbers: 1, newDrifts: 1 });
    expect(countFor(reconciled.lines, "twilio")).not.toHaveProperty("error");
    expect(ofType(reconciled.lines, "drift").map((line) => line["providerId"])).not.toContain("bandwidth");
  });

  it("2 for a usage mistake, an unknown provider, or reconcile in sandbox mode", async () => {
    const { environment } = await prepare(undefined);
    for (const args of [["reconcile", "--after", "3"], ["drifts", "--state", "closed"], ["drifts", "extra"], ["reconcile", "--verbose"]]) {
      const usage = await run(environment, args);
      expect({ args, code: usage.code, stderr: usage.stderr.split("\n")[0] }).toEqual({ args, code: 2, stderr: "usage: npm run admin -- audit [--after ID] [--limit N]" });
    }
    const unknown = await run(environment, ["reconcile", "--provider", "no-such-carrier"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^numbergate admin: unknown provider "no-such-carrier"; configured providers: twilio, bandwidth/);
    const sandboxMode = await run({ NUMBERGATE_DATA_DIR: environment["NUMBERGATE_DATA_DIR"] }, ["reconcile"]);
    expect(sandboxMode.code).toBe(2);
    expect(sandboxMode.stderr).toContain("reconcile needs the carriers, and in sandbox mode they are emulators inside the numbergate process");
  });

  it("0 for drifts when there are none, saying so on stderr", async () => {
    const { environment } = await prepare(undefined);
    const listed = await run(environment, ["drifts"]);
    expect(listed.code).toBe(0);
    expect(listed.lines).toEqual([]);
    expect(listed.stderr).toMatch(/^numbergate admin: no open inventory drifts in the SQLite database .*numbergate\.sqlite\n$/);
  });
});
