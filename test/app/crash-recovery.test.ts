import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createChannel, createClient } from "nice-grpc";
import { afterEach, describe, expect, it, vi } from "vitest";
import { NumberOrderState } from "../../generated/numbergate/v1/numbers.js";
import { TelecomServiceDefinition } from "../../generated/numbergate/v1/telecom_service.js";
import { LIVE_BASICS } from "../support/live-mode.js";
import { EMULATORS_MAIN, MAIN, launch, stopChildren, waitForOutput, type Child } from "../support/processes.js";

// Each test starts real processes (tsx compiles at start): generous, but still bounded.
vi.setConfig({ testTimeout: 60_000 });

const dataDir = mkdtempSync(join(tmpdir(), "numbergate-crash-"));
afterEach(() => {
  stopChildren();
  rmSync(dataDir, { recursive: true, force: true });
});

async function startServer(environment: Record<string, string>): Promise<{ child: Child; address: string }> {
  const child = launch(MAIN, environment);
  const [, address] = await waitForOutput(child, /serving gRPC on (127\.0\.0\.1:\d+)/);
  return { child, address: address ?? "" };
}

describe("SIGKILL in the middle of a purchase (a real process, SQLite on disk)", () => {
  it("the restarted server resumes the order to one final state with one number bought", async () => {
    const emulators = launch(EMULATORS_MAIN, {});
    await waitForOutput(emulators, /export BANDWIDTH_ACCOUNT_ID=\S+\n/);
    const carrierEnvironment = Object.fromEntries([...emulators.stdout.matchAll(/^export (\w+)=(\S+)$/gm)].map(([, key, value]) => [key ?? "", value ?? ""]));
    const twilio = carrierEnvironment["TWILIO_API_URL"] ?? "";
    const environment = {
      ...carrierEnvironment,
      ...LIVE_BASICS,
      NUMBERGATE_GRPC_ADDR: "127.0.0.1:0",
      NUMBERGATE_DATA_DIR: dataDir,
      NUMBERGATE_LEASE_TTL: "3500",
      NUMBERGATE_SWEEP_INTERVAL: "50",
      NUMBERGATE_ORDER_CHECK_INTERVAL: "50",
      PROVIDER_TIMEOUT_PURCHASE: "3000",
    };

    const first = await startServer(environment);
    const firstChannel = createChannel(first.address);
    const request = { requestId: "crash-1", phoneNumber: "", providerId: "twilio" };
    try {
      const search = await createClient(TelecomServiceDefinition, firstChannel).searchNumbers({ countryCode: "US", areaCode: "919", providerIds: ["twilio"], limit: 1 });
      request.phoneNumber = search.numbers[0]?.phoneNumber ?? "";
      // Twilio takes its time; numbergate is killed while the purchase is in flight, and Twilio then completes it.
      await fetch(`${twilio}/__emulator/faults`, { method: "POST", body: JSON.stringify({ kind: "latency", latencyMs: 1000, method: "POST", pathIncludes: "IncomingPhoneNumbers", times: 1 }) });
      createClient(TelecomServiceDefinition, firstChannel).purchaseNumber(request).catch(() => undefined);
      await vi.waitFor(async () => {
        const { requests } = (await (await fetch(`${twilio}/__emulator/requests`)).json()) as { requests: { method: string; path: string }[] };
        expect(requests.some((entry) => entry.method === "POST" && entry.path.includes("IncomingPhoneNumbers"))).toBe(true);
      });
      first.child.process.kill("SIGKILL");
    } finally {
      firstChannel.close();
    }
    await vi.waitFor(async () => {
      const state = (await (await fetch(`${twilio}/__emulator/state`)).json()) as { purchases: string[] };
      expect(state.purchases).toEqual([request.phoneNumber]);
    }, { timeout: 5000 });

    const second = await startServer(environment);
    const secondChannel = createChannel(second.address);
    try {
      const client = createClient(TelecomServiceDefinition, secondChannel);
      // The same request_id after the crash answers with the order the first process recorded, finished.
      const resumed = await client.purchaseNumber(request);
      expect(resumed.order?.state).toBe(NumberOrderState.NUMBER_ORDER_STATE_COMPLETED);
      expect(resumed.ownedNumber?.phoneNumber).toBe(request.phoneNumber);
      const state = (await (await fetch(`${twilio}/__emulator/state`)).json()) as { purchases: string[] };
      expect(state.purchases).toEqual([request.phoneNumber]);
    } finally {
      secondChannel.close();
    }
  });
});
