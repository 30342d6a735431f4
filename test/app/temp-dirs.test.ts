import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { startNumbergate } from "../../src/app/start-numbergate.js";
import { loadConfig } from "../../src/config/load-config.js";
import { silentLogger } from "../../src/telemetry/logger.js";
import { startHarness } from "../support/harness.js";
import { MAIN, launch, stopChildren, waitForOutput } from "../support/processes.js";

// One test starts a real process (tsx compiles at start).
vi.setConfig({ testTimeout: 60_000 });

/**
 * Every way the suites start and stop numbergate, counted against a private TMPDIR (os.tmpdir() reads it on
 * each call, and launch() hands it to children): after each lifecycle, no numbergate-* directory is left.
 */
const originalTmpdir = process.env["TMPDIR"];
let privateTmp: string;
beforeAll(() => {
  privateTmp = mkdtempSync(join(tmpdir(), "numbergate-tmpdir-check-"));
  process.env["TMPDIR"] = privateTmp;
});
afterAll(() => {
  if (originalTmpdir === undefined) delete process.env["TMPDIR"];
  else process.env["TMPDIR"] = originalTmpdir;
  rmSync(privateTmp, { recursive: true, force: true });
});

const blockers: Server[] = [];
afterEach(async () => {
  stopChildren();
  for (const server of blockers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

function leftovers(): string[] {
  return readdirSync(privateTmp).filter((name) => name.startsWith("numbergate-"));
}

async function occupiedAddress(): Promise<string> {
  const server = createServer();
  blockers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return `127.0.0.1:${address.port}`;
}

describe("no temporary directory outlives what made it", () => {
  it("the test harness, started and closed", async () => {
    const harness = await startHarness();
    expect(leftovers()).toHaveLength(1);
    await harness.close();
    expect(leftovers()).toEqual([]);
  });

  it("the test harness given its own NUMBERGATE_DATA_DIR makes none, even when only the app is shut down", async () => {
    const dataDir = mkdtempSync(join(privateTmp, "own-data-"));
    const harness = await startHarness({ NUMBERGATE_DATA_DIR: dataDir });
    await harness.app.shutdown();
    harness.channel.close();
    await harness.sandbox.stop();
    expect(leftovers()).toEqual([]);
  });

  it("the test harness whose start fails", async () => {
    await expect(startHarness({ NUMBERGATE_GRPC_ADDR: await occupiedAddress() })).rejects.toThrow(/already in use/);
    expect(leftovers()).toEqual([]);
  });

  it("npm start in sandbox mode (a throwaway database directory), stopped, and failing to start", async () => {
    const config = loadConfig({ NUMBERGATE_HTTP_ADDR: "127.0.0.1:0", NUMBERGATE_GRPC_ADDR: "127.0.0.1:0", NUMBERGATE_MODE: "sandbox" });
    const app = await startNumbergate({ config, logger: silentLogger() });
    expect(leftovers()).toEqual([expect.stringMatching(/^numbergate-sandbox-/)]);
    await app.shutdown();
    expect(leftovers()).toEqual([]);

    const occupied = loadConfig({ NUMBERGATE_HTTP_ADDR: "127.0.0.1:0", NUMBERGATE_GRPC_ADDR: await occupiedAddress(), NUMBERGATE_MODE: "sandbox" });
    await expect(startNumbergate({ config: occupied, logger: silentLogger() })).rejects.toThrow(/already in use/);
    expect(leftovers()).toEqual([]);
  });

  it("a launched process, killed by the test's clean-up", async () => {
    const child = launch(MAIN, { NUMBERGATE_GRPC_ADDR: "127.0.0.1:0" });
    await waitForOutput(child, /serving gRPC on/);
    expect(leftovers()).toEqual([expect.stringMatching(/^numbergate-process-/)]);
    stopChildren();
    expect(leftovers()).toEqual([]);
  });
});
