import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandboxCarriers, type SandboxCarriers } from "../../src/app/sandbox-carriers.js";
import { captureRpcError, startHarness, type Harness } from "../support/harness.js";
import { LIVE_BASICS } from "../support/live-mode.js";
import { onlyCarriers } from "../support/only-carriers.js";

const SEARCH = { countryCode: "US", areaCode: "212", limit: 1, providerIds: ["twilio"] };

let dir: string;
let sandbox: SandboxCarriers;
let harness: Harness;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "numbergate-rotation-"));
  sandbox = await startSandboxCarriers();
  // Live mode against the Twilio emulator, its auth token read from a file that holds the wrong one.
  await writeFile(join(dir, "twilio-token"), "a-token-twilio-no-longer-accepts\n");
  const { TWILIO_AUTH_TOKEN: _token, ...connection } = sandbox.environment;
  harness = await startHarness(
    { ...connection, ...onlyCarriers("twilio"), ...LIVE_BASICS, NUMBERGATE_MODE: "live", TWILIO_AUTH_TOKEN_FILE: join(dir, "twilio-token"), PROVIDER_MAX_RETRIES: "3", PROVIDER_RETRY_DELAY: "1" },
    { sandbox },
  );
});
afterAll(async () => {
  await harness?.close();
  await sandbox?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("a carrier's credentials rotated while numbergate runs", { timeout: 30_000 }, () => {
  it("rejected credentials make the carrier unhealthy with a reason that says what to do, without retrying", async () => {
    const before = sandbox.twilio.countRequests((request) => request.method === "GET" && request.path.includes("AvailablePhoneNumbers"));
    const error = await captureRpcError((options) => harness.client.searchNumbers(SEARCH, options));
    expect(error.rich?.errorInfo).toMatchObject({ reason: "CARRIER_AUTH_FAILED", metadata: { carrier: "twilio", http_status: "401" } });
    // PROVIDER_MAX_RETRIES=3, yet one request: retrying cannot fix a credential.
    expect(sandbox.twilio.countRequests((request) => request.method === "GET" && request.path.includes("AvailablePhoneNumbers")) - before).toBe(1);
    const health = harness.app.manager.health.snapshot("twilio");
    expect(health?.status).toBe("unhealthy");
    expect(health?.lastError).toMatch(/twilio rejected numbergate's credentials \(HTTP 401\): fix them in the configuration, then send numbergate SIGHUP/);
    expect(health?.lastError).not.toContain("a-token-twilio-no-longer-accepts");
  });

  it("takes the new credential on reload (SIGHUP), without a restart, and the carrier serves again", async () => {
    await writeFile(join(dir, "twilio-token"), `${sandbox.environment["TWILIO_AUTH_TOKEN"]}\n`);
    expect(await harness.app.reload()).toBe(true);
    expect(harness.app.manager.health.snapshot("twilio")?.status).not.toBe("unhealthy");
    const { numbers } = await harness.client.searchNumbers(SEARCH);
    expect(numbers).toHaveLength(1);
    expect(harness.app.manager.health.snapshot("twilio")?.lastError).toBeUndefined();
  });

  it("keeps the working credential when the new configuration cannot be used", async () => {
    await rm(join(dir, "twilio-token"));
    expect(await harness.app.reload()).toBe(false);
    expect((await harness.client.searchNumbers(SEARCH)).numbers).toHaveLength(1);
  });
});
