import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { databaseFailure } from "./app/startup-failure.js";
import { postgresPassword, SQLITE_FILE_NAME, storeLocation, type StoreLocation } from "./app/store-location.js";
import { ConfigError, loadConfig, type NumbergateConfig } from "./config/load-config.js";
import { openStore, type Store } from "./store/store.js";

/**
 * Operator commands against numbergate's database (the same DATABASE_URL / NUMBERGATE_DATA_DIR the server uses).
 *   npm run admin -- audit [--after ID] [--limit N]   audit log entries after ID, oldest first, one JSON object a line
 * Reading never creates anything: a database that is not there is reported, with where it was looked for.
 */
const USAGE = "usage: npm run admin -- audit [--after ID] [--limit N]";

/** Thrown to end the command with a message for the operator (stderr) and an exit code. */
class AdminStop extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { after: { type: "string", default: "0" }, limit: { type: "string", default: "100" } },
  });
  const [command] = positionals;
  const after = Number(values.after);
  const limit = Number(values.limit);
  if (command !== "audit" || !Number.isInteger(after) || after < 0 || !Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    throw new AdminStop(USAGE, 2);
  }
  const config = loadConfig();
  const location = storeLocation(config);
  const store = await openExistingStore(config, location);
  try {
    const entries = await store.audit.list(after, limit);
    for (const entry of entries) {
      process.stdout.write(`${JSON.stringify({ ...entry, at: new Date(entry.at).toISOString() })}\n`);
    }
    if (entries.length === 0) {
      process.stderr.write(`numbergate admin: no audit entries${after > 0 ? ` after id ${after}` : ""} in ${location.description}\n`);
    }
  } finally {
    await store.close();
  }
  return 0;
}

/** Opens the database the server uses, refusing to create one where there is none. */
async function openExistingStore(config: NumbergateConfig, location: StoreLocation): Promise<Store> {
  if (location.kind === "throwaway") {
    throw new AdminStop(
      "no audit log to read: in sandbox mode numbergate keeps its database in a throwaway directory that is removed when it stops. " +
        "Set NUMBERGATE_DATA_DIR to the same directory for npm start and for this command to keep the database and read it.",
      1,
    );
  }
  if (location.kind === "sqlite") {
    const file = resolve(join(location.dataDir, SQLITE_FILE_NAME));
    if (!existsSync(file)) {
      throw new AdminStop(
        `no audit log to read: there is no database at ${file} (numbergate has not run with this NUMBERGATE_DATA_DIR${config.store.dataDir === undefined ? ", or with the default ./data from this directory" : ""}); nothing was created`,
        1,
      );
    }
  }
  const databaseUrl = config.store.databaseUrl;
  return openStore({ databaseUrl: databaseUrl?.reveal(), dataDir: location.kind === "sqlite" ? location.dataDir : "" }).catch((error: unknown) => {
    throw databaseFailure(error, location.description, [databaseUrl, postgresPassword(databaseUrl)]);
  });
}

try {
  process.exitCode = await main();
} catch (error) {
  if (error instanceof AdminStop) {
    process.stderr.write(`${error.exitCode === 2 ? "" : "numbergate admin: "}${error.message}\n`);
    process.exitCode = error.exitCode;
  } else if (error instanceof ConfigError) {
    for (const problem of error.problems) process.stderr.write(`numbergate admin: configuration error: ${problem}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`numbergate admin: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
