import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent } from "undici";
import { createChannel, createClient } from "nice-grpc";
import { TelecomServiceDefinition } from "../generated/numbergate/v1/telecom_service.js";
import { startSandboxCarriers } from "../src/app/sandbox-carriers.js";
import { startNumbergate } from "../src/app/start-numbergate.js";
import { CARRIERS } from "../src/carriers/registry.js";
import { TwilioAdapter } from "../src/carriers/twilio/twilio-adapter.js";
import { loadConfig } from "../src/config/load-config.js";
import { parsePhoneNumber } from "../src/domain/phone-number.js";
import { silentLogger } from "../src/telemetry/logger.js";
import { formatRow, measure, type Measurement } from "./measure.js";

/**
 * numbergate's cost over its two unavoidable parts, measured in the same run on the same machine:
 * a trivial RPC through the same gRPC server (ListProviders), and the carrier call made directly
 * through the adapter (HTTP to the loopback emulator plus parsing). Ratios, not absolute numbers, are the
 * result: absolute numbers move with the machine.
 */
const sandbox = await startSandboxCarriers();
const dispatcher = new Agent({ connections: 64 });
// Caches off for the main comparison: every SearchNumbers reaches the carrier through the full pipeline.
const dataDir = await mkdtemp(join(tmpdir(), "numbergate-bench-"));
const config = loadConfig({ NUMBERGATE_HTTP_ADDR: "127.0.0.1:0", NUMBERGATE_GRPC_ADDR: "127.0.0.1:0", NUMBERGATE_MODE: "sandbox", NUMBERGATE_DATA_DIR: dataDir, BANDWIDTH_ENABLED: "false", SEARCH_CACHE_TTL: "0", SEARCH_CACHE_STALE_TTL: "0" });
const app = await startNumbergate({ config, logger: silentLogger(), sandbox, dispatcher });
const channel = createChannel(app.address);
const client = createClient(TelecomServiceDefinition, channel);
const adapter = new TwilioAdapter({
  accountSid: sandbox.twilio.credentials.accountSid,
  username: sandbox.twilio.credentials.accountSid,
  password: sandbox.twilio.credentials.authToken,
  apiBaseUrl: new URL(sandbox.twilio.origin),
  numbersBaseUrl: new URL(sandbox.twilio.origin),
  dispatcher,
});

// Limits vary per call so that concurrent calls are distinct requests: identical concurrent searches would
// share one carrier call (single-flight), which is measured separately below.
let sequence = 0;
const nextLimit = () => 5 + (sequence++ % 40);
const criteria = () => ({ countryCode: "US", numberType: "local", areaCode: "212", features: ["voice", "sms"], limit: nextLimit() }) as const;
const request = () => ({ countryCode: "US", areaCode: "212", features: [1, 2], limit: nextLimit() });
const results: Measurement[] = [];
for (const [concurrency, calls] of [
  [1, 400],
  [32, 2000],
] as const) {
  const options = { calls, concurrency, warmup: 200 };
  results.push(await measure(`baseline: gRPC ListProviders (c=${concurrency})`, () => client.listProviders({}), options));
  results.push(await measure(`baseline: adapter.doSearch direct HTTP (c=${concurrency})`, () => adapter.doSearch(criteria(), {}), options));
  results.push(await measure(`numbergate SearchNumbers 212 (c=${concurrency})`, () => client.searchNumbers(request()), options));
}

// The same search answered from numbergate's cache.
const cachedConfig = loadConfig({ NUMBERGATE_HTTP_ADDR: "127.0.0.1:0", NUMBERGATE_GRPC_ADDR: "127.0.0.1:0", NUMBERGATE_MODE: "sandbox", NUMBERGATE_DATA_DIR: join(dataDir, "cached"), BANDWIDTH_ENABLED: "false" });
const cachedApp = await startNumbergate({ config: cachedConfig, logger: silentLogger(), sandbox, dispatcher });
const cachedChannel = createChannel(cachedApp.address);
const cachedClient = createClient(TelecomServiceDefinition, cachedChannel);
const cached = await measure("numbergate SearchNumbers 212, cached (c=32)", () => cachedClient.searchNumbers(request()), { calls: 2000, concurrency: 32, warmup: 200 });
cachedChannel.close();
await cachedApp.shutdown();

console.log("numbergate bench (loopback, client, server and emulator share this machine's cores)\n");
for (const result of results) console.log(formatRow(result));
console.log("");
for (let index = 0; index < results.length; index += 3) {
  const [grpcBaseline, httpBaseline, search] = results.slice(index, index + 3) as [Measurement, Measurement, Measurement];
  const floor = grpcBaseline.p50Ms + httpBaseline.p50Ms;
  console.log(
    `${search.name}: p50 / (gRPC + HTTP baselines) = ${(search.p50Ms / floor).toFixed(2)}x; ` +
      `throughput vs direct HTTP = ${(search.callsPerSecond / httpBaseline.callsPerSecond).toFixed(2)}x`,
  );
}

console.log(formatRow(cached));

// Fan-out: every carrier in one priority tier, against each carrier asked alone through the same server.
const oneTier = Object.fromEntries(CARRIERS.map((carrier) => [`${carrier.envPrefix}_PRIORITY`, "1"]));
const fanOutConfig = loadConfig({ NUMBERGATE_HTTP_ADDR: "127.0.0.1:0", NUMBERGATE_GRPC_ADDR: "127.0.0.1:0", NUMBERGATE_MODE: "sandbox", NUMBERGATE_DATA_DIR: join(dataDir, "fan-out"), SEARCH_CACHE_TTL: "0", SEARCH_CACHE_STALE_TTL: "0", ...oneTier });
const fanOutApp = await startNumbergate({ config: fanOutConfig, logger: silentLogger(), sandbox, dispatcher });
const fanOutChannel = createChannel(fanOutApp.address);
const fanOutClient = createClient(TelecomServiceDefinition, fanOutChannel);
const fanOutOptions = { calls: 200, concurrency: 1, warmup: 30 };
const alone: Measurement[] = [];
for (const carrier of CARRIERS) {
  alone.push(await measure(`SearchNumbers 212, ${carrier.id} alone (c=1)`, () => fanOutClient.searchNumbers({ ...request(), providerIds: [carrier.id] }), fanOutOptions));
}
const fanOut = await measure(`SearchNumbers 212, all ${CARRIERS.length} in one tier (c=1)`, () => fanOutClient.searchNumbers(request()), fanOutOptions);
fanOutChannel.close();
await fanOutApp.shutdown();
for (const result of [...alone, fanOut]) console.log(formatRow(result));
const slowestAlone = Math.max(...alone.map((result) => result.p50Ms));
const sumAlone = alone.reduce((sum, result) => sum + result.p50Ms, 0);
console.log(`all carriers in one tier: p50 / slowest carrier alone = ${(fanOut.p50Ms / slowestAlone).toFixed(2)}x; p50 / sum of carriers alone = ${(fanOut.p50Ms / sumAlone).toFixed(2)}x`);

// Purchases: the exactly-once path (order and holds written before the call, outcome after) against the
// bare carrier call, each buying distinct numbers.
const stock = (await Promise.all(["202", "206", "303", "305", "310", "312", "404", "415", "512", "617"].map(async (areaCode) => (await client.searchNumbers({ countryCode: "US", areaCode, limit: 50 })).numbers.map((number) => number.phoneNumber))))
  .flat();
const half = Math.floor(stock.length / 2);
let direct = 0;
let viaNumbergate = 0;
const purchaseOptions = { calls: Math.min(150, half - 10), concurrency: 1, warmup: 5 };
const directPurchase = await measure("baseline: adapter.doPurchase direct HTTP (c=1)", async () => {
  const parsed = parsePhoneNumber(stock[direct++] ?? "");
  if (!parsed.ok) throw new Error(parsed.problem);
  await adapter.doPurchase({ numbers: [parsed.number], orderReference: `bench-${direct}`, carrierReservationIds: [] }, {});
}, purchaseOptions);
const numbergatePurchase = await measure("numbergate PurchaseNumber, exactly-once (c=1)", async () => {
  const phoneNumber = stock[half + viaNumbergate++] ?? "";
  await client.purchaseNumber({ requestId: `bench-${viaNumbergate}`, phoneNumber, providerId: "twilio" });
}, purchaseOptions);
console.log(formatRow(directPurchase));
console.log(formatRow(numbergatePurchase));
console.log(`PurchaseNumber p50 / direct purchase p50 = ${(numbergatePurchase.p50Ms / directPurchase.p50Ms).toFixed(2)}x (gRPC hop + ${app.store.dialect} writes)`);
const searchAt32 = results[5] as Measurement;
console.log(`cached vs uncached SearchNumbers throughput (c=32) = ${(cached.callsPerSecond / searchAt32.callsPerSecond).toFixed(2)}x`);

channel.close();
await adapter.close();
await app.shutdown();
await sandbox.stop();
await dispatcher.close();
await rm(dataDir, { recursive: true, force: true });
