import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "./config/load-config.js";
import { openStore } from "./store/store.js";

/**
 * Operator commands against numbergate's database (the same DATABASE_URL / NUMBERGATE_DATA_DIR the server uses).
 *   npm run admin -- audit [--after ID] [--limit N]   audit log entries after ID, oldest first, one JSON object a line
 */
const USAGE = "usage: npm run admin -- audit [--after ID] [--limit N]";

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { after: { type: "string", default: "0" }, limit: { type: "string", default: "100" } },
  });
  const [command] = positionals;
  const after = Number(values.after);
  const limit = Number(values.limit);
  if (command !== "audit" || !Number.isInteger(after) || after < 0 || !Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConfig();
  const store = await openStore({ databaseUrl: config.store.databaseUrl?.reveal(), dataDir: config.store.dataDir ?? "./data" });
  try {
    for (const entry of await store.audit.list(after, limit)) {
      process.stdout.write(`${JSON.stringify({ ...entry, at: new Date(entry.at).toISOString() })}\n`);
    }
  } finally {
    await store.close();
  }
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(`numbergate admin: ${error instanceof ConfigError ? `configuration error: ${error.message}` : error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
