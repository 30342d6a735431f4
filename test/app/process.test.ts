import { createChannel, createClient, Metadata } from "nice-grpc";
import { afterEach, describe, expect, it, vi } from "vitest";
import { TelecomServiceDefinition } from "../../generated/numbergate/v1/telecom_service.js";
import { ADMIN_MAIN, EMULATORS_MAIN, MAIN, exitOf, launch, stopChildren, waitForOutput } from "../support/processes.js";
import { LIVE_BASICS } from "../support/live-mode.js";

// Each test starts real processes (tsx compiles at start): generous, but still bounded.
vi.setConfig({ testTimeout: 60_000 });

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
      // The carrier holds the search until told to answer: the call is in flight for as long as the test wants.
      await control(twilioOrigin ?? "", "POST", "/faults", { kind: "hold", times: 1, pathIncludes: "AvailablePhoneNumbers" });
      const inFlight = client.searchNumbers({ countryCode: "US", areaCode: "212", limit: 3 });
      await vi.waitFor(async () => expect((await emulatorRequests(twilioOrigin ?? "")).held).toBe(1));
      child.process.kill("SIGTERM");
      await waitForOutput(child, /shutting down: draining in-flight calls/);
      // numbergate is draining and the search is still at the carrier: SIGTERM came while it was in flight.
      expect(await emulatorRequests(twilioOrigin ?? "")).toMatchObject({ held: 1, open: 1 });
      expect(child.process.exitCode).toBeNull();
      await control(twilioOrigin ?? "", "POST", "/release");
      const response = await inFlight;
      expect(response.numbers).toHaveLength(3);
      expect(await exited).toMatchObject({ code: 0 });
    } finally {
      channel.close();
    }
  });

  it("refuses to start on a bad variable, with one line naming it and no secret", async () => {
    const child = launch(MAIN, { TWILIO_ACCOUNT_SID: `AC${"1".repeat(32)}`, TWILIO_AUTH_TOKEN: "hunter2-secret", BANDWIDTH_ENABLED: "false", PROVIDER_MAX_RETRIES: "many", ...LIVE_BASICS });
    const { code, stderr } = await exitOf(child);
    expect(code).toBe(2);
    expect(stderr).toBe("numbergate: configuration error: PROVIDER_MAX_RETRIES must be a whole number from 0 to 10\n");
  });

  it("refuses live mode without credentials for any carrier, or for one explicitly enabled", async () => {
    const none = await exitOf(launch(MAIN, { NUMBERGATE_MODE: "live" }));
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^numbergate: configuration error: NUMBERGATE_MODE=live needs at least one carrier's credentials: TWILIO_ACCOUNT_SID/);
    const enabled = await exitOf(launch(MAIN, { TWILIO_ACCOUNT_SID: `AC${"1".repeat(32)}`, TWILIO_AUTH_TOKEN: "hunter2-secret", PLIVO_ENABLED: "true" }));
    expect(enabled.code).toBe(2);
    expect(enabled.stderr).toMatch(/^numbergate: configuration error: NUMBERGATE_MODE=live needs PLIVO_AUTH_ID and PLIVO_AUTH_TOKEN while PLIVO_ENABLED is true/);
    expect(enabled.stderr).not.toContain("hunter2-secret");
  });
});

/** A call to an emulator's control interface. */
async function control(baseUrl: string, method: string, action: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${baseUrl}/__emulator${action}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!response.ok) throw new Error(`${method} ${action}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** What the emulator has received, and how many of its requests are open (unanswered) and held. */
async function emulatorRequests(baseUrl: string): Promise<{ count: number; open: number; held: number }> {
  return (await control(baseUrl, "GET", "/requests")) as { count: number; open: number; held: number };
}

describe("npm run emulators + a live-mode numbergate pointed at them", () => {
  it("serves searches through the shared emulators", async () => {
    const emulators = launch(EMULATORS_MAIN, {});
    await waitForOutput(emulators, /export BANDWIDTH_ACCOUNT_ID=\S+\n/);
    const environment = Object.fromEntries([...emulators.stdout.matchAll(/^export (\w+)=(\S+)$/gm)].map(([, key, value]) => [key, value]));
    const server = launch(MAIN, { ...environment, ...LIVE_BASICS, NUMBERGATE_GRPC_ADDR: "127.0.0.1:0", NUMBERGATE_PRICE_TABLE: new URL("../../config/prices.sample.json", import.meta.url).pathname });
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

describe("npm run admin -- audit", () => {
  it("prints the audit log of the server's database: who asked, what, and the outcome", async () => {
    const server = launch(MAIN, { NUMBERGATE_GRPC_ADDR: "127.0.0.1:0" });
    const [, address] = await waitForOutput(server, /serving gRPC on (127\.0\.0\.1:\d+)/);
    const dataDir = /NUMBERGATE_DATA_DIR=(\S+)/.exec(server.environment)?.[1] ?? "";
    const channel = createChannel(address ?? "");
    try {
      const client = createClient(TelecomServiceDefinition, channel);
      const search = await client.searchNumbers({ countryCode: "US", areaCode: "808", providerIds: ["twilio"], limit: 1 });
      await client.purchaseNumber({ requestId: "audited-1", phoneNumber: search.numbers[0]?.phoneNumber ?? "", providerId: "twilio" }, { metadata: Metadata({ "x-numbergate-client": "billing" }) });
    } finally {
      channel.close();
    }
    const admin = launch(ADMIN_MAIN, { NUMBERGATE_DATA_DIR: dataDir }, ["audit", "--limit", "50"]);
    const { code } = await exitOf(admin);
    expect(code).toBe(0);
    const entries = admin.stdout.trim().split("\n").map((line) => JSON.parse(line) as { operation: string; actor: string; requestId?: string; outcome: string });
    expect(entries.map((entry) => entry.operation)).toEqual(["order.created", "purchase", "order.completed"]);
    expect(entries[0]).toMatchObject({ actor: expect.stringMatching(/^billing@/), requestId: "audited-1", outcome: "pending" });
    expect(entries[2]).toMatchObject({ outcome: "completed" });
  });
});
