import { randomBytes } from "node:crypto";
import { Agent } from "undici";
import { PurchaseNumberResponse } from "../../generated/numbergate/v1/numbers.js";
import { parsePhoneNumber } from "../../src/domain/phone-number.js";
import type { CarrierAdapter } from "../../src/domain/carrier-adapter.js";
import type { BenchChild } from "../lib/children.js";
import { adapterFor, directAdapters, onlyCarriers, rpcClient, startEmulatorsServer, startLiveNumbergateServer, type Durations } from "../lib/clients.js";
import { Latencies } from "../lib/histogram.js";
import { runCalls } from "../lib/load.js";
import type { Figure } from "../lib/report.js";

const AREA_CODES = ["202", "206", "303", "305", "310", "312", "404", "415", "512", "617", "718", "213"];

/** Distinct numbers the emulator has for sale, found through the adapter. */
async function stock(adapter: CarrierAdapter, wanted: number): Promise<string[]> {
  const found = new Set<string>();
  for (const areaCode of AREA_CODES) {
    if (found.size >= wanted) break;
    const result = await adapter.doSearch({ countryCode: "US", numberType: "local", areaCode, features: ["voice"], limit: 50 }, {});
    for (const number of result.numbers) found.add(number.phoneNumber);
  }
  if (found.size < wanted) throw new Error(`only ${found.size} numbers in stock, ${wanted} wanted`);
  return [...found];
}

/**
 * purchase_vs_direct: PurchaseNumber (exactly-once: order written before the carrier call, outcome after) over the
 * bare carrier purchase through the adapter plus an echo RPC of the same response. Each buys distinct numbers, c=1.
 * purchase_duplicate_vs_original: every tenth request repeats an earlier request_id (answered from the store).
 * numbergate runs in live mode with the emulators in a process of their own, as deployed.
 */
export async function purchaseFigures(echo: BenchChild, durations: Durations, store: { label: string; databaseUrl?: string }): Promise<Figure[]> {
  const carriers = await startEmulatorsServer();
  const server = await startLiveNumbergateServer(carriers, { ...onlyCarriers("twilio"), ...(store.databaseUrl ? { DATABASE_URL: store.databaseUrl } : {}) }).catch(async (error: unknown) => {
    await carriers.stop();
    throw error;
  });
  const numbergate = rpcClient(server.ready.address);
  const baseline = rpcClient(echo.ready.address);
  const dispatcher = new Agent({ connections: 4 });
  const adapters = directAdapters(carriers.ready.environment, dispatcher);
  const twilio = adapterFor(adapters, "twilio");
  const calls = durations.quick ? 40 : 150;
  const suffix = store.label === "sqlite" ? "" : `_${store.label}`;
  try {
    const numbers = await stock(twilio, 2 * calls + 10);
    const prefix = `bench-${randomBytes(4).toString("hex")}`;
    let direct = 0;
    const directLatencies = await runCalls(async () => {
      const parsed = parsePhoneNumber(numbers[direct++] ?? "");
      if (!parsed.ok) throw new Error(parsed.problem);
      await twilio.doPurchase?.({ numbers: [parsed.number], orderReference: `${prefix}-direct-${direct}`, carrierReservationIds: [] }, {});
    }, calls, 1, 3);

    const originals = new Latencies();
    const duplicates = new Latencies();
    const done: { requestId: string; phoneNumber: string }[] = [];
    let fresh = direct;
    for (let index = 0; index < calls + 3; index += 1) {
      const duplicate = index % 10 === 9 && done.length > 0;
      const request = duplicate ? (done[Math.floor(Math.random() * done.length)] ?? done[0]) : { requestId: `${prefix}-${index}`, phoneNumber: numbers[fresh++] ?? "" };
      if (request === undefined) continue;
      const started = performance.now();
      await numbergate.client.purchaseNumber({ ...request, providerId: "twilio" });
      const elapsed = performance.now() - started;
      if (index < 3) continue; // warm-up
      (duplicate ? duplicates : originals).recordMs(elapsed);
      if (!duplicate) done.push(request);
    }
    const captured = await numbergate.client.purchaseNumber({ ...(done[0] ?? { requestId: "", phoneNumber: "" }), providerId: "twilio" });
    await echo.send({ cmd: "setResponses", responses: { purchaseNumber: Buffer.from(PurchaseNumberResponse.encode(captured).finish()).toString("base64") } });
    const echoLatencies = await runCalls(() => baseline.client.purchaseNumber({ requestId: "echo", phoneNumber: "+12125550100", providerId: "twilio" }), calls, 1, 3);
    return [
      {
        name: `purchase_vs_direct${suffix}`,
        value: originals.p50Ms,
        baseline: directLatencies.p50Ms + echoLatencies.p50Ms,
        goal: { on: "ratio", op: "<=", target: 3 },
        unit: "ms p50",
        note: `${store.label}; direct ${directLatencies.p50Ms.toFixed(2)} + echo ${echoLatencies.p50Ms.toFixed(2)} ms; ${originals.count} purchases, c=1`,
      },
      { name: `purchase_duplicate_vs_original${suffix}`, value: duplicates.p50Ms, baseline: originals.p50Ms, goal: { on: "ratio", op: "<", target: 1 }, unit: "ms p50", note: `${store.label}; ${duplicates.count} duplicated request_ids (10%)` },
    ];
  } finally {
    numbergate.channel.close();
    baseline.channel.close();
    await Promise.all([...adapters.values()].map((adapter) => adapter.close()));
    await dispatcher.close();
    await server.stop();
    await carriers.stop();
  }
}
