import { randomBytes } from "node:crypto";
import { cpus } from "node:os";
import pg from "pg";
import { Agent } from "undici";
import { NumberOrderState } from "../../generated/numbergate/v1/numbers.js";
import type { BenchChild } from "../lib/children.js";
import { adapterFor, directAdapters, onlyCarriers, rpcClient, startEmulatorsServer, startLiveNumbergateServer, type Durations, type RpcClient } from "../lib/clients.js";
import type { Figure } from "../lib/report.js";

const CONCURRENCY = 16;
const CARRIER = "twilio";
const AREA_CODES = ["202", "206", "212", "303", "305", "310", "312", "404", "415", "512", "617", "646", "808", "919"];

interface Measured {
  readonly purchases: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly errors: number;
  readonly firstError?: string;
  /** CPU seconds used by the numbergate processes and by the emulators during the measured purchases. */
  readonly numbergateCpuSeconds: number;
  readonly emulatorCpuSeconds: number;
}

/** A throwaway schema in the bench database, selected through search_path (as test/support/databases.ts). */
async function withSchema<T>(baseUrl: string, use: (url: string) => Promise<T>): Promise<T> {
  const schema = `bench_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`create schema ${schema}`);
    const url = new URL(baseUrl);
    url.searchParams.set("options", `-c search_path=${schema}`);
    return await use(url.toString());
  } finally {
    await admin.query(`drop schema if exists ${schema} cascade`).catch(() => undefined);
    await admin.end();
  }
}

/** Distinct numbers the shared Twilio emulator has for sale, found through the adapter directly (not counted). */
async function stock(emulators: BenchChild, wanted: number): Promise<string[]> {
  const dispatcher = new Agent({ connections: 4 });
  const adapters = directAdapters(emulators.ready.environment, dispatcher);
  try {
    const adapter = adapterFor(adapters, CARRIER);
    const found = new Set<string>();
    for (const areaCode of AREA_CODES) {
      if (found.size >= wanted) break;
      const result = await adapter.doSearch({ countryCode: "US", numberType: "local", areaCode, features: ["voice"], limit: 100 }, {});
      for (const number of result.numbers) found.add(number.phoneNumber);
    }
    if (found.size < wanted) throw new Error(`only ${found.size} ${CARRIER} numbers in stock, ${wanted} wanted`);
    return [...found].slice(0, wanted);
  } finally {
    await Promise.all([...adapters.values()].map((adapter) => adapter.close()));
    await dispatcher.close();
  }
}

/**
 * `replicas` numbergate servers in live mode, sharing one fresh PostgreSQL schema and one fresh set of emulators
 * (a child of its own), each buying distinct numbers at c=16 with the client alternating between replicas.
 */
async function measure(databaseUrl: string, replicas: number, warmup: number, purchases: number): Promise<Measured> {
  const emulators = await startEmulatorsServer();
  const servers: BenchChild[] = [];
  const clients: RpcClient[] = [];
  try {
    const numbers = await stock(emulators, warmup + purchases);
    const key = randomBytes(32).toString("base64");
    return await withSchema(databaseUrl, async (url) => {
      for (let index = 0; index < replicas; index += 1) {
        // One after the other: the first applies the schema migrations, the second finds them done.
        servers.push(await startLiveNumbergateServer(emulators, { ...onlyCarriers(CARRIER), NUMBERGATE_ENCRYPTION_KEY: key, NUMBERGATE_REPLICA_ID: `bench-replica-${index}`, DATABASE_URL: url }));
      }
      clients.push(...servers.map((server) => rpcClient(server.ready.address)));
      const prefix = `bench-${randomBytes(4).toString("hex")}`;
      let next = 0;
      let errors = 0;
      let firstError: string | undefined;
      const run = async (until: number) => {
        const caller = async () => {
          while (next < until) {
            const index = next++;
            const client = clients[index % clients.length];
            if (client === undefined) throw new Error("no client");
            try {
              const answer = await client.client.purchaseNumber({ requestId: `${prefix}-${index}`, phoneNumber: numbers[index] ?? "", providerId: CARRIER });
              const state = answer.order?.state ?? NumberOrderState.NUMBER_ORDER_STATE_UNSPECIFIED;
              if (state !== NumberOrderState.NUMBER_ORDER_STATE_COMPLETED) throw new Error(`order ${NumberOrderState[state] ?? state}`);
            } catch (error) {
              errors += 1;
              firstError ??= error instanceof Error ? error.message : String(error);
            }
          }
        };
        await Promise.all(Array.from({ length: CONCURRENCY }, caller));
      };
      await run(warmup);
      errors = 0;
      firstError = undefined;
      const cpu = async (children: readonly BenchChild[]) => (await Promise.all(children.map((child) => child.send({ cmd: "cpu" })))).reduce((sum, micros) => sum + micros, 0);
      const [serverCpu, emulatorCpu] = [await cpu(servers), await cpu([emulators])];
      const started = performance.now();
      await run(warmup + purchases);
      const seconds = (performance.now() - started) / 1000;
      const numbergateCpuSeconds = ((await cpu(servers)) - serverCpu) / 1e6;
      const emulatorCpuSeconds = ((await cpu([emulators])) - emulatorCpu) / 1e6;
      const succeeded = purchases - errors;
      return { purchases: succeeded, seconds, perSecond: succeeded / seconds, errors, firstError, numbergateCpuSeconds, emulatorCpuSeconds };
    });
  } finally {
    for (const client of clients) client.channel.close();
    await Promise.all(servers.map((server) => server.stop()));
    await emulators.stop();
  }
}

const describe = (label: string, measured: Measured) =>
  `${label} ${measured.perSecond.toFixed(0)}/s (${measured.purchases} in ${measured.seconds.toFixed(1)} s, numbergate CPU ${(measured.numbergateCpuSeconds / measured.seconds).toFixed(2)} cores, emulators ${(measured.emulatorCpuSeconds / measured.seconds).toFixed(2)}${measured.errors > 0 ? `, ${measured.errors} errors: ${measured.firstError ?? ""}` : ""})`;

/**
 * replicas_scaling: PurchaseNumber throughput (distinct numbers, exactly-once orders in PostgreSQL, c=16; only
 * COMPLETED orders count, anything else is an error) with
 * two replicas on one database over the same load on one replica. Each side starts from a fresh schema and fresh
 * emulators, so the carrier's stock (about 900 Twilio local numbers) bounds the purchases per side.
 */
export async function replicasFigures(durations: Durations, databaseUrl: string): Promise<Figure[]> {
  const purchases = durations.quick ? 150 : 800;
  const warmup = 2 * CONCURRENCY;
  const one = await measure(databaseUrl, 1, warmup, purchases);
  const two = await measure(databaseUrl, 2, warmup, purchases);
  const cores = cpus().length;
  return [
    {
      name: "replicas_scaling",
      value: two.perSecond,
      baseline: one.perSecond,
      goal: { on: "ratio", op: ">=", target: 1.6 },
      unit: "purchases/s",
      note:
        `${describe("2 replicas", two)}; ${describe("1 replica", one)}; live mode, shared emulators and PostgreSQL on this host, client alternating replicas, c=${CONCURRENCY}; ` +
        `${cores} cores for client, replicas, emulators and PostgreSQL alike${cores <= 2 ? ": a second replica adds no CPU here, so scaling is bounded by the machine, not the design" : ""}`,
    },
  ];
}
