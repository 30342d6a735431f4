import { createChannel, createClient, type Channel } from "nice-grpc";
import { afterEach, describe, expect, it, vi } from "vitest";
import { NumberOrderState } from "../../generated/numbergate/v1/numbers.js";
import { TelecomServiceDefinition, type TelecomServiceClient } from "../../generated/numbergate/v1/telecom_service.js";
import { DATABASES, POSTGRES_AVAILABLE } from "../support/databases.js";
import { EMULATORS_MAIN, MAIN, launch, stopChildren, waitForOutput, type Child } from "../support/processes.js";
import { LIVE_BASICS } from "../support/live-mode.js";

// Each test starts real processes (tsx compiles at start): generous, but still bounded.
vi.setConfig({ testTimeout: 60_000 });

const postgres = DATABASES.find((database) => database.kind === "postgres");
const channels: Channel[] = [];
afterEach(() => {
  for (const channel of channels.splice(0)) channel.close();
  stopChildren();
});

async function emulatorState(twilioUrl: string): Promise<{ purchases: string[] }> {
  return (await (await fetch(`${twilioUrl}/__emulator/state`)).json()) as { purchases: string[] };
}

describe.skipIf(!POSTGRES_AVAILABLE)("two numbergate processes on one PostgreSQL database (needs TEST_DATABASE_URL)", () => {
  async function startTwo(extra: Record<string, string> = {}): Promise<{ twilioUrl: string; servers: { child: Child; client: TelecomServiceClient }[] }> {
    const emulators = launch(EMULATORS_MAIN, {});
    await waitForOutput(emulators, /export BANDWIDTH_ACCOUNT_ID=\S+\n/);
    const carriers = Object.fromEntries([...emulators.stdout.matchAll(/^export (\w+)=(\S+)$/gm)].map(([, key, value]) => [key ?? "", value ?? ""]));
    const databaseUrl = (await postgres?.fresh()) ?? "";
    const servers = await Promise.all(
      ["replica-a", "replica-b"].map(async (replica) => {
        const child = launch(MAIN, {
          ...carriers,
          ...LIVE_BASICS,
          DATABASE_URL: databaseUrl,
          NUMBERGATE_REPLICA_ID: replica,
          NUMBERGATE_GRPC_ADDR: "127.0.0.1:0",
          NUMBERGATE_SWEEP_INTERVAL: "50",
          NUMBERGATE_ORDER_CHECK_INTERVAL: "50",
          ...extra,
        });
        const [, address] = await waitForOutput(child, /serving gRPC on (127\.0\.0\.1:\d+)/);
        const channel = createChannel(address ?? "");
        channels.push(channel);
        return { child, client: createClient(TelecomServiceDefinition, channel) };
      }),
    );
    return { twilioUrl: carriers["TWILIO_API_URL"] ?? "", servers };
  }

  it("50 concurrent same-request_id purchases spread over both make one carrier purchase", async () => {
    const { twilioUrl, servers } = await startTwo();
    const [a, b] = servers;
    const search = await a?.client.searchNumbers({ countryCode: "US", areaCode: "206", providerIds: ["twilio"], limit: 1 });
    const request = { requestId: "two-process-1", phoneNumber: search?.numbers[0]?.phoneNumber ?? "", providerId: "twilio" };
    const answers = await Promise.all(Array.from({ length: 50 }, (_, index) => ((index % 2 === 0 ? a : b) as { client: TelecomServiceClient }).client.purchaseNumber(request)));
    expect((await emulatorState(twilioUrl)).purchases).toEqual([request.phoneNumber]);
    expect(answers[0]?.order?.state).toBe(NumberOrderState.NUMBER_ORDER_STATE_COMPLETED);
    for (const answer of answers) expect(answer).toEqual(answers[0]);
  });

  it("an order left in flight by a killed process is finished by the other", async () => {
    const { twilioUrl, servers } = await startTwo({ NUMBERGATE_LEASE_TTL: "3500", PROVIDER_TIMEOUT_PURCHASE: "3000" });
    const [a, b] = servers as [{ child: Child; client: TelecomServiceClient }, { child: Child; client: TelecomServiceClient }];
    const search = await a.client.searchNumbers({ countryCode: "US", areaCode: "305", providerIds: ["twilio"], limit: 1 });
    const request = { requestId: "two-process-2", phoneNumber: search.numbers[0]?.phoneNumber ?? "", providerId: "twilio" };
    await fetch(`${twilioUrl}/__emulator/faults`, { method: "POST", body: JSON.stringify({ kind: "latency", latencyMs: 800, method: "POST", pathIncludes: "IncomingPhoneNumbers", times: 1 }) });
    a.client.purchaseNumber(request).catch(() => undefined);
    await vi.waitFor(async () => {
      const { requests } = (await (await fetch(`${twilioUrl}/__emulator/requests`)).json()) as { requests: { method: string; path: string }[] };
      expect(requests.some((entry) => entry.method === "POST" && entry.path.includes("IncomingPhoneNumbers"))).toBe(true);
    });
    a.child.process.kill("SIGKILL");
    // B takes the order over once A's lease lapses, finds the number bought, and completes the order.
    const answer = await b.client.purchaseNumber(request);
    await vi.waitFor(async () => expect((await b.client.getNumberOrder({ orderId: answer.order?.orderId ?? "" })).order?.state).toBe(NumberOrderState.NUMBER_ORDER_STATE_COMPLETED), { timeout: 10_000 });
    expect((await emulatorState(twilioUrl)).purchases).toEqual([request.phoneNumber]);
  });
});
