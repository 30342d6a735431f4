import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent } from "undici";
import { afterAll, describe, expect, it } from "vitest";
import { buildCarrierRegistrations } from "../../src/app/carrier-registrations.js";
import { startSandboxCarriers } from "../../src/app/sandbox-carriers.js";
import { loadConfig } from "../../src/config/load-config.js";
import { EMULATORS_MAIN, launch, stopChildren, waitForOutput } from "../support/processes.js";
import { phone } from "./carrier-test-kit.js";

/** How sandbox mode and `npm run emulators` hand the emulators' site, peer and API key to numbergate. */

afterAll(() => stopChildren());

describe("sandbox carrier wiring", () => {
  it("gives the Bandwidth adapter the emulator's site and SIP peer, so its orders are accepted", async () => {
    const sandbox = await startSandboxCarriers();
    const dispatcher = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
    const dataDir = await mkdtemp(join(tmpdir(), "numbergate-wiring-"));
    try {
      const config = loadConfig({ NUMBERGATE_HTTP_ADDR: "127.0.0.1:0", NUMBERGATE_GRPC_ADDR: "127.0.0.1:0", NUMBERGATE_MODE: "sandbox", NUMBERGATE_DATA_DIR: dataDir });
      const bandwidth = buildCarrierRegistrations(config, sandbox, dispatcher).registrations.find((registration) => registration.adapter.descriptor.id === "bandwidth")?.adapter;
      const [offer] = (await bandwidth?.doSearch({ countryCode: "US", numberType: "local", features: [], limit: 1, areaCode: "212" }, {}))?.numbers ?? [];
      const placed = await bandwidth?.doPurchase?.({ numbers: [phone(offer?.phoneNumber ?? "")], orderReference: "ng-wiring", carrierReservationIds: [] }, {});
      expect(placed?.state).toBe("pending");
      const order = [...sandbox.bandwidth.numbers.orders.values()][0];
      expect(order).toMatchObject({ siteId: sandbox.bandwidth.credentials.siteId, peerId: sandbox.bandwidth.credentials.peerId });
    } finally {
      await sandbox.stop();
      await dispatcher.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("npm run emulators prints the Bandwidth site and peer ids with the other exports", async () => {
    const emulators = launch(EMULATORS_MAIN, {});
    await waitForOutput(emulators, /export BANDWIDTH_PEER_ID=\S+\n/);
    const exported = Object.fromEntries([...emulators.stdout.matchAll(/^export (\w+)=(\S+)$/gm)].map(([, key, value]) => [key ?? "", value ?? ""]));
    expect(exported).toMatchObject({ BANDWIDTH_SITE_ID: expect.stringMatching(/^\d+$/) as unknown, BANDWIDTH_PEER_ID: expect.stringMatching(/^\d+$/) as unknown });
    expect(Object.keys(exported)).toEqual(expect.arrayContaining(["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "BANDWIDTH_ACCOUNT_ID", "BANDWIDTH_API_URL"]));
    expect(emulators.stdout).toMatch(/TWILIO_API_KEY=SK[0-9a-f]{32} TWILIO_API_SECRET=\S+/);
    // Live mode needs a key for customer data at rest: the printed lines are enough to start numbergate.
    expect(Buffer.from(exported["NUMBERGATE_ENCRYPTION_KEY"] ?? "", "base64")).toHaveLength(32);
  });
});
