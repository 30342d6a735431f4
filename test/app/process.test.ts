import { createChannel, createClient } from "nice-grpc";
import { afterEach, describe, expect, it } from "vitest";
import { TelecomServiceDefinition } from "../../generated/numbergate/v1/telecom_service.js";
import { EMULATORS_MAIN, MAIN, exitOf, launch, stopChildren, waitForOutput } from "../support/processes.js";

afterEach(() => stopChildren());

describe("npm start (src/main.ts)", () => {
  it("serves sandbox carriers with no configuration, and drains an in-flight call on SIGTERM", async () => {
    const child = launch(MAIN, { NUMBERGATE_GRPC_ADDR: "127.0.0.1:0" });
    const exited = exitOf(child);
    const [, twilioOrigin] = await waitForOutput(child, /"twilio":"(http:\/\/127\.0\.0\.1:\d+)".*SANDBOX MODE/);
    const [, address] = await waitForOutput(child, /serving gRPC on (127\.0\.0\.1:\d+)/);
    const channel = createChannel(address ?? "");
    const client = createClient(TelecomServiceDefinition, channel);
    try {
      // Slow the carrier down so the call is still in flight when SIGTERM arrives.
      await fetch(`${twilioOrigin}/__emulator/faults`, { method: "POST", body: JSON.stringify({ kind: "latency", latencyMs: 400, times: 1 }) });
      const inFlight = client.searchNumbers({ countryCode: "US", areaCode: "212", limit: 3 });
      await waitForOutputAfterRequest(twilioOrigin ?? "");
      child.process.kill("SIGTERM");
      const response = await inFlight;
      expect(response.numbers).toHaveLength(3);
      expect(await exited).toMatchObject({ code: 0 });
    } finally {
      channel.close();
    }
  });

  it("refuses to start on a bad variable, with one line naming it and no secret", async () => {
    const child = launch(MAIN, { TWILIO_ACCOUNT_SID: `AC${"1".repeat(32)}`, TWILIO_AUTH_TOKEN: "hunter2-secret", PROVIDER_MAX_RETRIES: "many" });
    const { code, stderr } = await exitOf(child);
    expect(code).toBe(2);
    expect(stderr).toBe("numbergate: configuration error: PROVIDER_MAX_RETRIES must be a whole number from 0 to 10\n");
  });

  it("refuses live mode without credentials for an enabled carrier", async () => {
    const child = launch(MAIN, { NUMBERGATE_MODE: "live" });
    const { code, stderr } = await exitOf(child);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^numbergate: configuration error: NUMBERGATE_MODE=live needs TWILIO_ACCOUNT_SID/);
  });
});

/** Waits until the emulator has received the search, so SIGTERM lands while the call is in flight. */
async function waitForOutputAfterRequest(origin: string): Promise<void> {
  for (;;) {
    const response = await fetch(`${origin}/__emulator/requests`);
    const body = (await response.json()) as { count: number };
    if (body.count > 0) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe("npm run emulators + a live-mode numbergate pointed at them", () => {
  it("serves searches through the shared emulators", async () => {
    const emulators = launch(EMULATORS_MAIN, {});
    await waitForOutput(emulators, /export BANDWIDTH_ACCOUNT_ID=\S+\n/);
    const environment = Object.fromEntries([...emulators.stdout.matchAll(/^export (\w+)=(\S+)$/gm)].map(([, key, value]) => [key, value]));
    const server = launch(MAIN, { ...environment, NUMBERGATE_GRPC_ADDR: "127.0.0.1:0", NUMBERGATE_PRICE_TABLE: new URL("../../config/prices.sample.json", import.meta.url).pathname });
    const [, address] = await waitForOutput(server, /serving gRPC on (127\.0\.0\.1:\d+)/);
    const channel = createChannel(address ?? "");
    try {
      const response = await createClient(TelecomServiceDefinition, channel).searchNumbers({ countryCode: "US", areaCode: "415", limit: 70 });
      expect(new Set(response.numbers.map((number) => number.providerId))).toEqual(new Set(["twilio", "bandwidth"]));
    } finally {
      channel.close();
    }
  });
});
