import { Agent } from "undici";
import { createChannel, createClient } from "nice-grpc";
import { TelecomServiceDefinition } from "../generated/numbergate/v1/telecom_service.js";
import { startSandboxCarriers } from "../src/app/sandbox-carriers.js";
import { startNumbergate } from "../src/app/start-numbergate.js";
import { TwilioAdapter } from "../src/carriers/twilio/twilio-adapter.js";
import { loadConfig } from "../src/config/load-config.js";
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
const config = loadConfig({ NUMBERGATE_GRPC_ADDR: "127.0.0.1:0", NUMBERGATE_MODE: "sandbox", BANDWIDTH_ENABLED: "false" });
const app = await startNumbergate({ config, logger: silentLogger(), sandbox, dispatcher });
const channel = createChannel(app.address);
const client = createClient(TelecomServiceDefinition, channel);
const adapter = new TwilioAdapter({
  accountSid: sandbox.credentials.twilio.accountSid,
  username: sandbox.credentials.twilio.accountSid,
  password: sandbox.credentials.twilio.authToken,
  apiBaseUrl: sandbox.twilioUrl,
  numbersBaseUrl: sandbox.twilioUrl,
  dispatcher,
});

const criteria = { countryCode: "US", numberType: "local", areaCode: "212", features: ["voice", "sms"], limit: 20 } as const;
const request = { countryCode: "US", areaCode: "212", features: [1, 2], limit: 20 };
const results: Measurement[] = [];
for (const [concurrency, calls] of [
  [1, 400],
  [32, 2000],
] as const) {
  const options = { calls, concurrency, warmup: 200 };
  results.push(await measure(`baseline: gRPC ListProviders (c=${concurrency})`, () => client.listProviders({}), options));
  results.push(await measure(`baseline: adapter.doSearch direct HTTP (c=${concurrency})`, () => adapter.doSearch(criteria, {}), options));
  results.push(await measure(`numbergate SearchNumbers 212 x20 (c=${concurrency})`, () => client.searchNumbers(request), options));
}

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

channel.close();
await adapter.close();
await app.shutdown();
await sandbox.stop();
await dispatcher.close();
