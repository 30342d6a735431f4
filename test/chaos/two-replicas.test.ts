import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createChannel, createClient, type Channel, type Metadata } from "nice-grpc";
import { ErrorInfo } from "../../generated/google/rpc/error_details.js";
import { Status as RpcStatus } from "../../generated/google/rpc/status.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { NumberOrderState, type PurchaseNumberRequest } from "../../generated/numbergate/v1/numbers.js";
import { TelecomServiceDefinition, type TelecomServiceClient } from "../../generated/numbergate/v1/telecom_service.js";
import { startSandboxCarriers, type SandboxCarriers } from "../../src/app/sandbox-carriers.js";
import type { FaultRule } from "../../src/carriers/emulator-kit/faults.js";
import { openStore } from "../../src/store/store.js";
import { DATABASES } from "../support/databases.js";
import { MAIN, launch, stopChildren, waitForOutput, type Child } from "../support/processes.js";
import { LIVE_BASICS } from "../support/live-mode.js";

/**
 * Two numbergate processes on one database, purchases with repeated request_ids sent to both, carriers that
 * stall, hang or drop the connection after acting, and one process killed with SIGKILL and restarted. Then the
 * carriers' own record of what was sold is held against numbergate's orders, owned numbers and every answer
 * a client was given. NUMBERGATE_CHAOS_LONG=1 runs the load for three minutes instead of twenty seconds.
 */
const LONG = process.env["NUMBERGATE_CHAOS_LONG"] === "1";
const LOAD_MS = LONG ? 180_000 : 20_000;
const BUDGET_MS = 1_500;
const GRACE_MS = 4_000;
vi.setConfig({ testTimeout: LOAD_MS + 120_000 });

const FINAL = new Set([NumberOrderState.NUMBER_ORDER_STATE_COMPLETED, NumberOrderState.NUMBER_ORDER_STATE_FAILED, NumberOrderState.NUMBER_ORDER_STATE_PARTIAL]);

interface Answer {
  readonly requestId: string;
  readonly orderId: string;
  readonly state: NumberOrderState;
}

const channels: Channel[] = [];
let carriers: SandboxCarriers | undefined;
const dataDirs: string[] = [];
afterEach(async () => {
  for (const channel of channels.splice(0)) channel.close();
  stopChildren();
  await carriers?.stop();
  for (const dataDir of dataDirs.splice(0)) await rm(dataDir, { recursive: true, force: true });
});

/** Faults a carrier may throw at a purchase; latency stays below the grace, as a real carrier's lateness must. */
const FAULTS: readonly Omit<FaultRule, "method" | "pathIncludes">[] = [
  { kind: "latency", latencyMs: BUDGET_MS + 500, times: 1 },
  { kind: "latency", latencyMs: 300, times: 2 },
  { kind: "hang", afterHandling: true, times: 1 },
  { kind: "reset", afterHandling: true, times: 1 },
  { kind: "reset", times: 1 },
  { kind: "status", status: 503, times: 1 },
];

function pick<Value>(values: readonly Value[]): Value {
  return values[Math.floor(Math.random() * values.length)] as Value;
}

describe.each(DATABASES)("chaos: two replicas on $name", (database) => {
  it("no purchase doubled, none lost, nothing recorded that was not bought, every answer true to the final state", async () => {
    carriers = await startSandboxCarriers();
    const dataDir = await mkdtemp(join(tmpdir(), "numbergate-chaos-"));
    dataDirs.push(dataDir);
    const databaseUrl = await database.fresh();
    const environment = {
      NUMBERGATE_MODE: "live",
      ...LIVE_BASICS,
      NUMBERGATE_GRPC_ADDR: "127.0.0.1:0",
      NUMBERGATE_DATA_DIR: dataDir,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      ...carriers.environment,
      PROVIDER_TIMEOUT_PURCHASE: String(BUDGET_MS),
      NUMBERGATE_LEASE_TTL: String(BUDGET_MS + 1_000),
      NUMBERGATE_IN_DOUBT_GRACE: String(GRACE_MS),
      NUMBERGATE_PURCHASE_WAIT: "1000",
      NUMBERGATE_SWEEP_INTERVAL: "100",
      NUMBERGATE_ORDER_CHECK_INTERVAL: "100",
      // The carriers' injected failures must not open breakers for minutes: that is a different test.
      PROVIDER_BREAKER_MIN_CALLS: "1000",
      PROVIDER_BREAKER_WINDOW: "1000",
    };
    const replicas = new Map<string, { child: Child; client: TelecomServiceClient }>();
    const start = async (name: string) => {
      const child = launch(MAIN, { ...environment, NUMBERGATE_REPLICA_ID: name });
      const [, address] = await waitForOutput(child, /serving gRPC on (127\.0\.0\.1:\d+)/);
      const channel = createChannel(address ?? "");
      channels.push(channel);
      replicas.set(name, { child, client: createClient(TelecomServiceDefinition, channel) });
    };
    await Promise.all([start("replica-a"), start("replica-b")]);
    const anyClient = () => pick([...replicas.values()]).client;

    // Numbers to buy at every carrier: each is bought under one request_id, sent several times to both replicas.
    const wanted: PurchaseNumberRequest[] = [];
    for (const providerId of carriers.emulators.keys()) {
      const before = wanted.length;
      for (const areaCode of ["212", "415", "303", "206", "305", "512"]) {
        const { numbers } = await anyClient().searchNumbers({ countryCode: "US", areaCode, providerIds: [providerId], limit: LONG ? 6 : 2 });
        for (const number of numbers) wanted.push({ requestId: `chaos-${wanted.length}`, phoneNumber: number.phoneNumber, providerId, reservationId: "", customerInfo: undefined, allowSubstitute: false, maxMonthlyRateCents: undefined });
      }
      expect(wanted.length - before, `numbers for sale at ${providerId}`).toBeGreaterThan(0);
    }
    const answers: Answer[] = [];
    const purchase = async (request: PurchaseNumberRequest) => {
      let trailer: Metadata | undefined;
      try {
        const response = await anyClient().purchaseNumber(request, { signal: AbortSignal.timeout(5_000), onTrailer: (received) => (trailer = received) });
        answers.push({ requestId: request.requestId, orderId: response.order?.orderId ?? "", state: response.order?.state ?? NumberOrderState.UNRECOGNIZED });
      } catch {
        // A failed order is an error naming the order; anything else (a replica killed mid-call, a deadline) is
        // retried with the same request_id later.
        const orderId = failedOrderId(trailer);
        if (orderId) answers.push({ requestId: request.requestId, orderId, state: NumberOrderState.NUMBER_ORDER_STATE_FAILED });
      }
    };

    const emulators = [...carriers.emulators.values()];
    const stopAt = Date.now() + LOAD_MS;
    const faulting = (async () => {
      while (Date.now() < stopAt) {
        const fault = pick(FAULTS);
        // Purchases are the only POSTs here (Twilio IncomingPhoneNumbers, Bandwidth /orders, Telnyx number_orders,
        // Vonage /number/buy, Plivo PhoneNumber/{number}/).
        pick([...emulators]).faults.inject({ ...fault, method: "POST" });
        await new Promise((resolve) => setTimeout(resolve, 400));
      }
    })();
    const killing = (async () => {
      await new Promise((resolve) => setTimeout(resolve, LOAD_MS / 3));
      replicas.get("replica-a")?.child.process.kill("SIGKILL");
      replicas.delete("replica-a");
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await start("replica-a2");
    })();
    let next = 0;
    const sender = async () => {
      while (Date.now() < stopAt) {
        const request = wanted[next % wanted.length] as PurchaseNumberRequest;
        next += 1;
        // The same request_id, twice at once, to whichever replicas come up.
        await Promise.all([purchase(request), purchase(request)]);
      }
    };
    await Promise.all([faulting, killing, ...Array.from({ length: 4 }, sender)]);
    for (const emulator of emulators) emulator.faults.clear();

    // Every request settles: retried (same request_id) until its order is final, well within the grace.
    const finalOrders = new Map<string, Answer>();
    await vi.waitFor(
      async () => {
        for (const request of wanted) {
          if (finalOrders.has(request.requestId)) continue;
          await purchase(request);
          const last = answers.findLast((answer) => answer.requestId === request.requestId);
          if (last && FINAL.has(last.state)) finalOrders.set(request.requestId, last);
        }
        expect(finalOrders.size).toBe(wanted.length);
      },
      { timeout: GRACE_MS * 10, interval: 200 },
    );
    for (const { child } of replicas.values()) child.process.kill("SIGTERM");
    await Promise.all([...replicas.values()].map(({ child }) => child.exited));

    const store = await openStore({ databaseUrl, dataDir });
    try {
      // The carriers' own records.
      const sold = new Set<string>();
      let soldCount = 0;
      for (const [carrierId, emulator] of carriers.emulators) {
        const numbers = emulator.numbersSold();
        expect(duplicates(numbers), `numbers ${carrierId} sold twice`).toEqual([]);
        for (const e164 of numbers) sold.add(`${carrierId} ${e164}`);
        soldCount += numbers.length;
      }

      // numbergate's records.
      const owned = new Set<string>();
      for (let after: { purchasedAt: number; id: string } | undefined, page = 0; page === 0 || after; page += 1) {
        const listed = await store.ownedNumbers.list({ pageSize: 500, after });
        for (const number of listed.numbers) owned.add(`${number.carrierId} ${number.phoneNumber}`);
        after = listed.next;
      }
      expect([...sold].filter((entry) => !owned.has(entry)), "sold by a carrier, not recorded by numbergate").toEqual([]);
      expect([...owned].filter((entry) => !sold.has(entry)), "recorded by numbergate, not sold by a carrier").toEqual([]);

      for (const request of wanted) {
        const order = await store.orders.getByRequestId(request.requestId);
        expect(order, request.requestId).toBeDefined();
        expect(["completed", "failed"], `${request.requestId} ends final`).toContain(order?.state);
        const bought = sold.has(`${request.providerId} ${request.phoneNumber}`);
        expect(order?.state === "completed", `${request.requestId}: recorded ${order?.state}, carrier sold it: ${bought}`).toBe(bought);
        // Every answer given for this request named this order, and every final answer says its final state.
        for (const answer of answers.filter((candidate) => candidate.requestId === request.requestId)) {
          expect(answer.orderId).toBe(order?.id);
          if (FINAL.has(answer.state)) expect(answer.state, `${request.requestId} answered`).toBe(order?.state === "completed" ? NumberOrderState.NUMBER_ORDER_STATE_COMPLETED : NumberOrderState.NUMBER_ORDER_STATE_FAILED);
        }
      }
      console.info(`chaos on ${database.name}: ${wanted.length} purchases, ${answers.length} answers, ${soldCount} numbers sold, ${[...wanted].filter((request) => !sold.has(`${request.providerId} ${request.phoneNumber}`)).length} refused or never bought`);
    } finally {
      await store.close();
    }
  });
});

/** The order id a FAILED purchase's error carries in google.rpc.ErrorInfo metadata. */
function failedOrderId(trailer: Metadata | undefined): string | undefined {
  const bytes = trailer?.get("grpc-status-details-bin");
  if (!(bytes instanceof Uint8Array)) return undefined;
  const info = RpcStatus.decode(bytes).details.find((detail) => detail.typeUrl === "type.googleapis.com/google.rpc.ErrorInfo");
  return info ? ErrorInfo.decode(info.value).metadata["order_id"] : undefined;
}

function duplicates(values: readonly string[]): string[] {
  return values.filter((value, index) => values.indexOf(value) !== index);
}
