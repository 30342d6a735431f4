import { createServer } from "node:net";
import pg from "pg";
import { createChannel, createClient } from "nice-grpc";
import { HealthDefinition } from "nice-grpc-server-health";
import { afterEach, describe, expect, it, vi } from "vitest";
import { TelecomServiceDefinition } from "../../generated/numbergate/v1/telecom_service.js";
import { DATABASES, POSTGRES_AVAILABLE } from "../support/databases.js";
import { EMULATORS_MAIN, MAIN, launch, stopChildren, waitForOutput } from "../support/processes.js";
import { SEED_ENVIRONMENT, SEED_SECRETS } from "../support/seed-environment.js";

// Real processes (tsx compiles at start): generous, but still bounded.
vi.setConfig({ testTimeout: 60_000 });

afterEach(() => stopChildren());

/** A port nothing listens on right now (the seed's LOG_LEVEL=warn hides the line that would name a port 0 choice). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return address.port;
}

/** The tables numbergate created in the test's own schema: proof that it used DATABASE_URL. */
async function tablesIn(databaseUrl: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const result = await client.query<{ table_name: string }>("select table_name from information_schema.tables where table_schema = current_schema()");
    return result.rows.map((row) => row.table_name);
  } finally {
    await client.end();
  }
}

describe("npm start with the seed's environment block", () => {
  it(`starts live on the auth token, warns about the API key, honours LOG_LEVEL${POSTGRES_AVAILABLE ? " and uses DATABASE_URL" : ""}`, async () => {
    const emulators = launch(EMULATORS_MAIN, {});
    await waitForOutput(emulators, /export BANDWIDTH_PEER_ID=\S+\n/);
    const carriers = Object.fromEntries([...emulators.stdout.matchAll(/^export (\w+)=(\S+)$/gm)].map(([, key, value]) => [key ?? "", value ?? ""]));
    const postgres = DATABASES.find((database) => database.kind === "postgres");
    const port = await freePort();
    const databaseUrl = POSTGRES_AVAILABLE ? await postgres?.fresh() : undefined;
    const server = launch(MAIN, {
      ...SEED_ENVIRONMENT,
      // The seed's own accounts, swapped for the emulators' (the only carriers reachable here), and their URLs.
      ...carriers,
      NUMBERGATE_MODE: undefined,
      TWILIO_API_KEY: SEED_ENVIRONMENT["TWILIO_API_KEY"],
      DATABASE_URL: databaseUrl,
      NUMBERGATE_GRPC_ADDR: `127.0.0.1:${port}`,
    });
    const channel = createChannel(`127.0.0.1:${port}`);
    try {
      const health = createClient(HealthDefinition, channel);
      await vi.waitFor(async () => expect((await health.check({ service: "" })).status).toBe(1), { timeout: 30_000, interval: 100 });
      const search = await createClient(TelecomServiceDefinition, channel).searchNumbers({ countryCode: "US", areaCode: "415", limit: 70 });
      expect(new Set(search.numbers.map((number) => number.providerId))).toEqual(new Set(["twilio", "bandwidth"]));

      const lines = server.stdout.trim().split("\n").map((line) => JSON.parse(line) as { level: number; msg: string });
      expect(lines).toContainEqual(expect.objectContaining({ level: 40, msg: expect.stringMatching(/^TWILIO_API_KEY is set without TWILIO_API_SECRET, so it is ignored/) }));
      // LOG_LEVEL=warn: the info line announcing the address (printed at the default level) is not there.
      expect(lines.every((line) => line.level >= 40)).toBe(true);
      expect(server.stderr).toBe("");
      for (const secret of Object.values(SEED_SECRETS)) expect(server.stdout).not.toContain(secret);
      if (databaseUrl !== undefined) expect(await tablesIn(databaseUrl)).toContain("audit_log");
    } finally {
      channel.close();
    }
  });
});
