import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Dispatcher } from "undici";
import type { NumbergateConfig } from "../config/load-config.js";
import { PriceTable, SAMPLE_PRICE_TABLE_PATH } from "../config/price-table.js";
import { HealthMonitor } from "../manager/carrier-health.js";
import { HealthProber } from "../manager/health-prober.js";
import { ProviderManager } from "../manager/provider-manager.js";
import { ProviderMetrics } from "../manager/provider-metrics.js";
import { SlowStart } from "../manager/slow-start.js";
import { ResilientInvoker } from "../resilience/resilient-invoker.js";
import type { LifecycleContext } from "../lifecycle/lifecycle-context.js";
import { DetachedWork } from "../lifecycle/detached-work.js";
import { HeldNumbers } from "../lifecycle/held-numbers.js";
import { LifecycleWorkers } from "../lifecycle/lifecycle-workers.js";
import { PurchaseService } from "../lifecycle/purchase-service.js";
import { ReleaseService } from "../lifecycle/release-service.js";
import { ReservationService } from "../lifecycle/reservation-service.js";
import { openStore, type Store } from "../store/store.js";
import { startServer, type NumbergateServer } from "../server/create-server.js";
import type { Logger } from "../telemetry/logger.js";
import { buildCarrierRegistrations } from "./carrier-registrations.js";
import { startSandboxCarriers, type SandboxCarriers } from "./sandbox-carriers.js";

export interface RunningNumbergate {
  readonly server: NumbergateServer;
  readonly manager: ProviderManager;
  readonly invoker: ResilientInvoker;
  readonly prober: HealthProber;
  readonly store: Store;
  readonly workers: LifecycleWorkers;
  /** The in-process emulators, in sandbox mode. */
  readonly sandbox: SandboxCarriers | undefined;
  readonly address: string;
  /** Drains in-flight calls, then closes carrier pools and emulators. */
  shutdown(): Promise<void>;
}

export interface StartNumbergateOptions {
  readonly config: NumbergateConfig;
  readonly logger: Logger;
  /** Tests inject an undici Agent with short keep-alive. */
  readonly dispatcher?: Dispatcher;
  /** Tests pass emulators they control; otherwise sandbox mode starts its own. */
  readonly sandbox?: SandboxCarriers;
  /** Tests make jitter and slow-start choices deterministic. */
  readonly random?: () => number;
}

/** The composition root: configuration in, a serving numbergate out. */
export async function startNumbergate(options: StartNumbergateOptions): Promise<RunningNumbergate> {
  const { config, logger } = options;
  const ownsSandbox = config.mode === "sandbox" && options.sandbox === undefined;
  const sandbox = config.mode === "sandbox" ? (options.sandbox ?? (await startSandboxCarriers())) : undefined;

  const priceTable = loadPriceTable(config, logger);
  const settings = config.resilience;
  const now = () => Date.now();
  const registrations = buildCarrierRegistrations(config, sandbox, options.dispatcher);
  const { dataDir, temporary } = await resolveDataDir(config);
  if (temporary) logger.warn({ dataDir }, "sandbox mode: numbergate's database lives in a throwaway directory, like the emulators' state; set NUMBERGATE_DATA_DIR to keep it");
  const store = await openStore({ databaseUrl: config.store.databaseUrl?.reveal(), dataDir });
  const heldNumbers = new HeldNumbers(store.reservations, now);
  const health = new HealthMonitor({
    carriers: registrations.map((registration) => ({
      carrierId: registration.adapter.descriptor.id,
      enabled: registration.enabled,
      disabledReason: registration.disabledReason,
    })),
    windowMs: settings.healthWindowMs,
    slowStart: new SlowStart(settings.slowStartWindowMs, now),
    now,
  });
  const metrics = new ProviderMetrics(settings.metricsWindowMs, now);
  const invoker = new ResilientInvoker({
    carriers: [
      { carrierId: "twilio", limits: config.twilio.limits },
      { carrierId: "bandwidth", limits: config.bandwidth.limits },
    ],
    settings,
    observers: [metrics, health],
    random: options.random,
    // Durations and the rate limiter use the monotonic clock (its default), not wall time.
  });
  const manager = new ProviderManager({
    registrations,
    priceTable,
    invoker,
    health,
    metrics,
    breakerRetryAfterMs: (carrierId) => invoker.breakerRetryAfterMs(carrierId),
    cache: {
      searchTtlMs: settings.searchCacheTtlMs,
      searchStaleTtlMs: settings.searchCacheStaleTtlMs,
      availabilityTtlMs: settings.availabilityCacheTtlMs,
    },
    heldNumbers: (e164s) => heldNumbers.among(e164s),
    random: options.random,
    now,
  });
  const prober = new HealthProber({
    registrations,
    monitor: health,
    intervalMs: settings.healthCheckIntervalMs,
    timeoutMs: settings.timeouts.probe,
    cacheTtlMs: settings.healthCacheTtlMs,
    now,
  });
  prober.start();

  const lifecycleContext: LifecycleContext = {
    store,
    manager,
    logger,
    now,
    replicaId: config.store.replicaId,
    settings: config.store,
    holdsChanged: () => heldNumbers.invalidate(),
    detached: new DetachedWork(),
  };
  const reservations = new ReservationService(lifecycleContext);
  const lifecycle = { reservations, purchases: new PurchaseService(lifecycleContext), releases: new ReleaseService(lifecycleContext) };
  const workers = new LifecycleWorkers(lifecycleContext, reservations);
  workers.start();
  const server = await startServer({ address: config.grpcAddress, manager, prober, lifecycle, logger });
  const host = config.grpcAddress.slice(0, config.grpcAddress.lastIndexOf(":"));

  return {
    server,
    manager,
    invoker,
    prober,
    store,
    workers,
    sandbox,
    address: `${host}:${server.port}`,
    async shutdown() {
      prober.stop();
      // Stop taking work, let purchases and releases in flight finish (each is bounded by its budget), and only
      // then close the store: a carrier answer that arrives must still be recorded. What is cut at the end
      // records itself as in doubt and frees its lease for another replica.
      await server.shutdown();
      await workers.stop();
      await lifecycleContext.detached.drain(settings.timeouts.purchase + DRAIN_MARGIN_MS);
      await store.close();
      if (temporary) await rm(dataDir, { recursive: true, force: true });
      invoker.dispose();
      health.dispose();
      await manager.close();
      if (ownsSandbox) await sandbox?.stop();
    },
  };
}

/** Beyond a money call's budget, time for its answer to be written before shutdown cuts it. */
const DRAIN_MARGIN_MS = 2_000;

/**
 * Where SQLite lives. Sandbox emulators start empty every time, so by default the sandbox database does too (a
 * database remembering numbers the fresh emulators never sold would contradict them).
 */
async function resolveDataDir(config: NumbergateConfig): Promise<{ dataDir: string; temporary: boolean }> {
  if (config.store.dataDir !== undefined) return { dataDir: config.store.dataDir, temporary: false };
  if (config.mode === "sandbox" && config.store.databaseUrl === undefined) {
    return { dataDir: await mkdtemp(join(tmpdir(), "numbergate-sandbox-")), temporary: true };
  }
  return { dataDir: "./data", temporary: false };
}

function loadPriceTable(config: NumbergateConfig, logger: Logger): PriceTable {
  if (config.priceTablePath) return PriceTable.fromFile(config.priceTablePath);
  if (config.mode === "sandbox") return PriceTable.fromFile(fileURLToPath(SAMPLE_PRICE_TABLE_PATH));
  logger.warn("NUMBERGATE_PRICE_TABLE is not set: Twilio and Bandwidth offers will have no price, and max_monthly_rate_cents excludes them");
  return new PriceTable();
}
