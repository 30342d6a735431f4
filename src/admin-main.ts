import { existsSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { buildCarrierRegistrations } from "./app/carrier-registrations.js";
import { resolveCipher } from "./app/encryption-key-source.js";
import { databaseFailure } from "./app/startup-failure.js";
import { postgresPassword, SQLITE_FILE_NAME, storeLocation, type StoreLocation } from "./app/store-location.js";
import { ConfigError, loadConfig, type NumbergateConfig } from "./config/load-config.js";
import { InventoryReconciler, type CarrierReconciliation } from "./inventory/inventory-reconciler.js";
import { InventoryService } from "./inventory/inventory-service.js";
import { HealthMonitor } from "./manager/carrier-health.js";
import { ProviderManager } from "./manager/provider-manager.js";
import { SlowStart } from "./manager/slow-start.js";
import { ResilientInvoker } from "./resilience/resilient-invoker.js";
import type { InventoryDriftRecord } from "./store/inventory-drift-rows.js";
import { openStore, type Store } from "./store/store.js";
import { createLogger, type Logger } from "./telemetry/logger.js";

/**
 * Operator commands against numbergate's database (the same DATABASE_URL / NUMBERGATE_DATA_DIR the server uses),
 * each printing one JSON object a line:
 *   npm run admin -- audit [--after ID] [--limit N]           audit log entries after ID, oldest first
 *   npm run admin -- drifts [--state open|all] [--provider ID] inventory drifts, oldest first (open ones by default)
 *   npm run admin -- reconcile [--provider ID]                reconciles carriers' lists with numbergate's now
 *                                                             (live mode): a "count" line per carrier, then a
 *                                                             "drift" line per open drift
 *   npm run admin -- reencrypt                                seals every customer data value that is plain or
 *                                                             under a previous key with NUMBERGATE_ENCRYPTION_KEY:
 *                                                             a "reencrypted" line per table: how many rows it
 *                                                             rewrote (a second run rewrites none)
 * Exit codes: 0 done; 1 something could not be used (the database); 2 usage or configuration; 3 reconcile could
 * not read some carrier's list (its count line says why; nothing was concluded for that carrier).
 * Reading never creates anything: a database that is not there is reported, with where it was looked for.
 */
const USAGE = [
  "usage: npm run admin -- audit [--after ID] [--limit N]",
  "       npm run admin -- drifts [--state open|all] [--provider ID]",
  "       npm run admin -- reconcile [--provider ID]",
  "       npm run admin -- reencrypt",
].join("\n");

const EXIT_UNREADABLE_CARRIER = 3;
/** Which options each command takes. */
const COMMAND_OPTIONS: Readonly<Record<string, readonly string[]>> = { audit: ["after", "limit"], drifts: ["state", "provider"], reconcile: ["provider"], reencrypt: [] };

/** Thrown to end the command with a message for the operator (stderr) and an exit code. */
class AdminStop extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

type Options = Partial<Record<"after" | "limit" | "state" | "provider", string>>;

async function main(): Promise<number> {
  const { command, options } = readArguments();
  const config = loadConfig();
  const location = storeLocation(config);
  const provider = options.provider;
  if (provider !== undefined && !config.carriers.some((carrier) => carrier.id === provider)) {
    throw new AdminStop(`numbergate admin: unknown provider "${provider}"; configured providers: ${config.carriers.map((carrier) => carrier.id).join(", ")}`, 2);
  }
  if (command === "reconcile" && config.mode === "sandbox") {
    throw new AdminStop(
      "numbergate admin: reconcile needs the carriers, and in sandbox mode they are emulators inside the numbergate process. " +
        "Call ReconcileInventory on the running server instead, or run numbergate and this command in live mode (npm run emulators prints the variables).",
      2,
    );
  }
  const store = await openExistingStore(config, location, command === "audit" ? "no audit log to read" : `no database to ${NOTHING_TO[command] ?? command}`, command === "reencrypt");
  try {
    if (command === "audit") return await printAudit(store, options, location);
    if (command === "drifts") return await printDrifts(store, options, location);
    if (command === "reencrypt") return await reencrypt(store);
    return await reconcile(config, store, provider);
  } finally {
    await store.close();
  }
}

const NOTHING_TO: Readonly<Record<string, string>> = { drifts: "read drifts from", reconcile: "reconcile", reencrypt: "reencrypt" };

function readArguments(): { command: string; options: Options } {
  const parsed = (() => {
    try {
      return parseArgs({
        allowPositionals: true,
        options: { after: { type: "string" }, limit: { type: "string" }, state: { type: "string" }, provider: { type: "string" } },
      });
    } catch {
      throw new AdminStop(USAGE, 2);
    }
  })();
  const [command, ...rest] = parsed.positionals;
  const allowed = command === undefined ? undefined : COMMAND_OPTIONS[command];
  const given = Object.keys(parsed.values);
  if (!command || !allowed || rest.length > 0 || given.some((option) => !allowed.includes(option))) throw new AdminStop(USAGE, 2);
  return { command, options: parsed.values };
}

async function printAudit(store: Store, options: Options, location: StoreLocation): Promise<number> {
  const after = Number(options.after ?? "0");
  const limit = Number(options.limit ?? "100");
  if (!Number.isInteger(after) || after < 0 || !Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new AdminStop(USAGE, 2);
  const entries = await store.audit.list(after, limit);
  for (const entry of entries) printLine({ ...entry, at: new Date(entry.at).toISOString() });
  if (entries.length === 0) {
    process.stderr.write(`numbergate admin: no audit entries${after > 0 ? ` after id ${after}` : ""} in ${location.description}\n`);
  }
  return 0;
}

async function printDrifts(store: Store, options: Options, location: StoreLocation): Promise<number> {
  const state = options.state ?? "open";
  if (state !== "open" && state !== "all") throw new AdminStop(USAGE, 2);
  let printed = 0;
  let after: { detectedAt: number; id: string } | undefined;
  do {
    const page = await store.inventoryDrifts.list({ carrierIds: options.provider === undefined ? undefined : [options.provider], state: state === "open" ? "open" : undefined, pageSize: 500, after });
    for (const drift of page.drifts) printLine(driftLine(drift));
    printed += page.drifts.length;
    after = page.next;
  } while (after !== undefined);
  if (printed === 0) {
    process.stderr.write(`numbergate admin: no ${state === "open" ? "open " : ""}inventory drifts${options.provider ? ` at ${options.provider}` : ""} in ${location.description}\n`);
  }
  return 0;
}

/** Reconciles now, from this process, as one more replica would: the database records each open drift once. */
async function reconcile(config: NumbergateConfig, store: Store, provider: string | undefined): Promise<number> {
  const logger = adminLogger(config);
  const carriers = connectCarriers(config);
  const now = () => Date.now();
  const reconciler = new InventoryReconciler({ store, manager: carriers.manager, logger, now });
  try {
    const answer = await new InventoryService(reconciler, store, now).reconcile(provider, adminActor());
    for (const count of answer.counts) printLine(countLine(count));
    for (const drift of answer.openDrifts) printLine(driftLine(drift));
    return answer.counts.some((count) => count.error !== undefined) ? EXIT_UNREADABLE_CARRIER : 0;
  } finally {
    await reconciler.stop();
    await carriers.close();
  }
}

/** Moves every customer data value to the active key, batch by batch; a second run rewrites nothing. */
async function reencrypt(store: Store): Promise<number> {
  for (const count of await store.reencrypt()) printLine({ type: "reencrypted", ...count });
  return 0;
}

/** The configured carriers behind their resilience pipelines, as the server has them (live mode). */
function connectCarriers(config: NumbergateConfig): { readonly manager: ProviderManager; close(): Promise<void> } {
  const now = () => Date.now();
  const { registrations } = buildCarrierRegistrations(config, undefined);
  const health = new HealthMonitor({
    carriers: registrations.map((registration) => ({ carrierId: registration.adapter.descriptor.id, enabled: registration.enabled, disabledReason: registration.disabledReason })),
    windowMs: config.resilience.healthWindowMs,
    slowStart: new SlowStart(0, now),
    now,
  });
  const invoker = new ResilientInvoker({ carriers: config.carriers.map((carrier) => ({ carrierId: carrier.id, limits: carrier.limits })), settings: config.resilience, observers: [health] });
  const manager = new ProviderManager({ registrations, invoker, health, now });
  return {
    manager,
    async close() {
      invoker.dispose();
      health.dispose();
      await manager.close();
    },
  };
}

/** Logs go to stderr (stdout is the command's JSON lines), errors only unless debugging is asked for. */
function adminLogger(config: NumbergateConfig): Logger {
  const level = config.logLevel === "debug" || config.logLevel === "trace" ? config.logLevel : "error";
  return createLogger(level, pino.destination({ fd: 2, sync: true }));
}

/** Who the audit log names for what this command finds. */
function adminActor(): string {
  let user = "unknown";
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry for this uid (containers): the host still says where it ran.
  }
  return `admin:${user}@${hostname()}`;
}

function countLine(count: CarrierReconciliation): Record<string, unknown> {
  return {
    type: "count",
    providerId: count.carrierId,
    carrierNumbers: count.carrierNumbers,
    numbergateNumbers: count.numbergateNumbers,
    newDrifts: count.recorded.length,
    goneDrifts: count.gone.length,
    ...(count.error === undefined ? {} : { error: count.error }),
  };
}

function driftLine(drift: InventoryDriftRecord): Record<string, unknown> {
  const { id, carrierId, detectedAt, lastSeenAt, resolvedAt, ...rest } = drift;
  return {
    type: "drift",
    driftId: id,
    providerId: carrierId,
    ...rest,
    detectedAt: new Date(detectedAt).toISOString(),
    lastSeenAt: new Date(lastSeenAt).toISOString(),
    resolvedAt: resolvedAt === undefined ? undefined : new Date(resolvedAt).toISOString(),
  };
}

function printLine(value: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/**
 * Opens the database the server uses, refusing to create one where there is none. Customer data is sealed with
 * the server's key; a sandbox key file is made here only to seal (reencrypt), never by a command that reads.
 */
async function openExistingStore(config: NumbergateConfig, location: StoreLocation, nothingToRead: string, seals: boolean): Promise<Store> {
  if (location.kind === "throwaway") {
    throw new AdminStop(
      `numbergate admin: ${nothingToRead}: in sandbox mode numbergate keeps its database in a throwaway directory that is removed when it stops. ` +
        "Set NUMBERGATE_DATA_DIR to the same directory for npm start and for this command to keep the database and read it.",
      1,
    );
  }
  if (location.kind === "sqlite") {
    const file = resolve(join(location.dataDir, SQLITE_FILE_NAME));
    if (!existsSync(file)) {
      throw new AdminStop(
        `numbergate admin: ${nothingToRead}: there is no database at ${file} (numbergate has not run with this NUMBERGATE_DATA_DIR${config.store.dataDir === undefined ? ", or with the default ./data from this directory" : ""}); nothing was created`,
        1,
      );
    }
  }
  const databaseUrl = config.store.databaseUrl;
  const cipher = resolveCipher(config, location.kind === "sqlite" ? location.dataDir : config.store.dataDir, seals ? "create" : "read-only");
  return openStore({ databaseUrl: databaseUrl?.reveal(), dataDir: location.kind === "sqlite" ? location.dataDir : "", cipher }).catch((error: unknown) => {
    throw databaseFailure(error, location.description, [databaseUrl, postgresPassword(databaseUrl)]);
  });
}

try {
  process.exitCode = await main();
} catch (error) {
  if (error instanceof AdminStop) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = error.exitCode;
  } else if (error instanceof ConfigError) {
    for (const problem of error.problems) process.stderr.write(`numbergate admin: configuration error: ${problem}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`numbergate admin: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
