import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createChannel, createClient, type Channel } from "nice-grpc";
import { afterEach, describe, expect, it } from "vitest";
import { NumberOrderState, OwnedNumberState } from "../../generated/numbergate/v1/numbers.js";
import { TelecomServiceDefinition, type TelecomServiceClient } from "../../generated/numbergate/v1/telecom_service.js";
import { emulatorStateFile } from "../../src/app/sandbox-carriers.js";
import { startNumbergate, type RunningNumbergate } from "../../src/app/start-numbergate.js";
import { loadConfig } from "../../src/config/load-config.js";
import { silentLogger } from "../../src/telemetry/logger.js";

const FAST = { NUMBERGATE_GRPC_ADDR: "127.0.0.1:0", NUMBERGATE_HTTP_ADDR: "127.0.0.1:0", NUMBERGATE_MODE: "sandbox", NUMBERGATE_SWEEP_INTERVAL: "50", NUMBERGATE_ORDER_CHECK_INTERVAL: "50" };

const running: { app: RunningNumbergate; channel: Channel }[] = [];
const dataDirs: string[] = [];
afterEach(async () => {
  for (const { app, channel } of running.splice(0)) {
    channel.close();
    await app.shutdown();
  }
  for (const dataDir of dataDirs.splice(0)) await rm(dataDir, { recursive: true, force: true });
});

/** `npm start` in-process: sandbox mode, numbergate starting (and owning) its own emulators. */
async function start(environment: Record<string, string>): Promise<{ app: RunningNumbergate; client: TelecomServiceClient }> {
  const app = await startNumbergate({ config: loadConfig({ ...FAST, ...environment }), logger: silentLogger() });
  const channel = createChannel(app.address);
  running.push({ app, channel });
  return { app, client: createClient(TelecomServiceDefinition, channel) };
}

async function stop(app: RunningNumbergate): Promise<void> {
  const index = running.findIndex((entry) => entry.app === app);
  const [entry] = running.splice(index, 1);
  entry?.channel.close();
  await app.shutdown();
}

async function buy(client: TelecomServiceClient, providerId: string, areaCode: string): Promise<string> {
  const [offer] = (await client.searchNumbers({ countryCode: "US", areaCode, providerIds: [providerId], limit: 1 })).numbers;
  const bought = await client.purchaseNumber({ requestId: `restart-${providerId}`, phoneNumber: offer?.phoneNumber ?? "", providerId });
  expect(bought.order?.state).toBe(NumberOrderState.NUMBER_ORDER_STATE_COMPLETED);
  return offer?.phoneNumber ?? "";
}

describe("a sandbox restart", () => {
  it("with NUMBERGATE_DATA_DIR: the emulators remember what they sold, so owned numbers stay real and can be released", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "numbergate-restart-"));
    dataDirs.push(dataDir);
    const first = await start({ NUMBERGATE_DATA_DIR: dataDir });
    const twilioNumber = await buy(first.client, "twilio", "212");
    const bandwidthNumber = await buy(first.client, "bandwidth", "303");
    await stop(first.app);
    const saved = JSON.parse(await readFile(join(dataDir, emulatorStateFile("twilio")), "utf8")) as { owned: [string, unknown][] };
    expect(saved.owned.map(([e164]) => e164)).toEqual([twilioNumber]);

    const second = await start({ NUMBERGATE_DATA_DIR: dataDir });
    expect(second.app.sandbox?.twilio.describeState()).toEqual({ purchases: [twilioNumber], owned: [twilioNumber] });
    expect(second.app.sandbox?.bandwidth.describeState()).toMatchObject({ purchases: [bandwidthNumber.slice(2)], owned: [bandwidthNumber.slice(2)] });
    // Neither carrier sells them again, and numbergate's records and the carriers agree.
    const offered = await second.client.searchNumbers({ countryCode: "US", areaCode: "212", providerIds: ["twilio"], limit: 100 });
    expect(offered.numbers.map((number) => number.phoneNumber)).not.toContain(twilioNumber);
    const owned = await second.client.listNumbers({});
    expect(owned.numbers.map((number) => number.phoneNumber).sort()).toEqual([bandwidthNumber, twilioNumber].sort());

    // Releasing works at both carriers: they know the numbers (and Twilio the sid numbergate recorded).
    const twilioRelease = await second.client.releaseNumber({ requestId: "release-twilio", phoneNumber: twilioNumber });
    expect(twilioRelease.ownedNumber?.state).toBe(OwnedNumberState.OWNED_NUMBER_STATE_RELEASED);
    const bandwidthRelease = await second.client.releaseNumber({ requestId: "release-bandwidth", phoneNumber: bandwidthNumber });
    expect(bandwidthRelease.alreadyReleased).toBe(false);
    expect(second.app.sandbox?.twilio.owned.size).toBe(0);
  });

  it("without NUMBERGATE_DATA_DIR: everything is throwaway, the emulators' state included", async () => {
    const first = await start({});
    await buy(first.client, "twilio", "212");
    await stop(first.app);
    const second = await start({});
    expect(second.app.sandbox?.twilio.describeState()).toEqual({ purchases: [], owned: [] });
    expect((await second.client.listNumbers({})).numbers).toEqual([]);
  });
});
