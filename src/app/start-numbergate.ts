import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Dispatcher } from "undici";
import { ConfigError, type NumbergateConfig } from "../config/load-config.js";
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
import { InventoryJob } from "../inventory/inventory-job.js";
import { InventoryReconciler } from "../inventory/inventory-reconciler.js";
import { InventoryService } from "../inventory/inventory-service.js";
import { openDatabase } from "../store/database.js";
import { storeOn, type Store } from "../store/store.js";
import { startServer, type NumbergateServer } from "../server/create-server.js";
import type { Logger } from "../telemetry/logger.js";
import { createMetrics, type NumbergateMetrics } from "../telemetry/metrics.js";
import { CarrierCallMetrics } from "../telemetry/metrics-carrier-calls.js";
import { observeCarrierHealth, observeOrderStates } from "../telemetry/metrics-gauges.js";
import { createTracing, type NumbergateTracing } from "../telemetry/tracing.js";
import type { SpanExporter } from "@opentelemetry/sdk-trace-base";
import { CARRIERS } from "../carriers/registry.js";
import { buildCarrierRegistrations } from "./carrier-registrations.js";
import { resolveCipher } from "./encryption-key-source.js";
import { startHttpPort } from "./http-port.js";
import { startPorting, type StartedPorting } from "./porting-wiring.js";
import type { HttpEndpoint } from "../server/http-endpoint.js";
import { sandboxPortingClock } from "./sandbox-porting-clock.js";
import { startSandboxCarriers, type SandboxCarriers } from "./sandbox-carriers.js";
import { databaseFailure, listenFailure, StartupError, unexpectedFailure } from "./startup-failure.js";
import { postgresPassword, storeLocation } from "./store-location.js";
import { UndoStack } from "./undo-stack.js";
import { startAccess } from "./access-wiring.js";
import type { AccessControl } from "../server/access/access-control.js";

export interface RunningNumbergate {
  readonly server: NumbergateServer;
  readonly manager: ProviderManager;
  readonly invoker: ResilientInvoker;
  readonly prober: HealthProber;
  readonly store: Store;
  readonly workers: LifecycleWorkers;
  /** Inventory reconciliation (periodic every NUMBERGATE_RECONCILE_INTERVAL, and on demand). */
  readonly inventory: InventoryService;
  /** Port-ins: the service and the poller. */
  readonly porting: StartedPorting;
  /** The HTTP port: carrier callbacks, /healthz, /readyz and /metrics. */
  readonly http: HttpEndpoint;
  /** This numbergate's own MeterProvider, scraped at GET /metrics. */
  readonly metrics: NumbergateMetrics;
  /** This numbergate's own TracerProvider (OTEL_TRACES_EXPORTER), or the no-op tracer when it exports nowhere. */
  readonly tracing: NumbergateTracing;
  /** The in-process emulators, in sandbox mode. */
  readonly sandbox: SandboxCarriers | undefined;
  readonly address: string;
  /** Who may call (NUMBERGATE_TOKENS_FILE, client certificates); open in sandbox mode without them. */
  readonly access: AccessControl;
  /**
   * Re-reads what can change without a restart (SIGHUP): the tokens file, and carrier credentials (from the
   * environment and <VAR>_FILE files). Calls in flight finish with what they started with. Whether all of it
   * took effect (what could not be used is logged, and the old values stay).
   */
  reload(): Promise<boolean>;
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
  /** Tests collect spans here (an InMemorySpanExporter) instead of where OTEL_TRACES_EXPORTER says. */
  readonly spanExporter?: SpanExporter;
  /**
   * The configuration as it is now (the environment and its <VAR>_FILE files read again), for reload(): rotated
   * carrier credentials take effect. Without it, reload() re-reads the tokens file only.
   */
  readonly reloadConfig?: () => NumbergateConfig;
}

/**
 * The composition root: configuration in, a serving numbergate out. When a step fails, everything started before
 * it is stopped again and the failure is thrown as a ConfigError or a one-line StartupError.
 */
export async function startNumbergate(options: StartNumbergateOptions): Promise<RunningNumbergate> {
  const undo = new UndoStack();
  try {
    return await assemble(options, undo);
  } catch (error) {
    await undo.unwind(options.logger);
    if (error instanceof ConfigError || error instanceof StartupError) throw error;
    throw unexpectedFailure(error, [options.config.store.databaseUrl, postgresPassword(options.config.store.databaseUrl)]);
  }
}

async function assemble(options: StartNumbergateOptions, undo: UndoStack): Promise<RunningNumbergate> {
  const { config, logger } = options;
  const priceTable = loadPriceTable(config, logger);
  const settings = config.resilience;
  const now = () => Date.now();

  const location = storeLocation(config);
  const dataDir = location.kind === "throwaway" ? await mkdtemp(join(tmpdir(), "numbergate-sandbox-")) : location.kind === "sqlite" ? location.dataDir : undefined;
  const temporaryDir = location.kind === "throwaway" ? dataDir : undefined;
  if (temporaryDir !== undefined) {
    undo.push(`remove ${temporaryDir}`, () => rm(temporaryDir, { recursive: true, force: true }));
    logger.warn({ dataDir }, "sandbox mode: numbergate's database and the emulators' state live in a throwaway directory; set NUMBERGATE_DATA_DIR to keep them");
  }

  const database = await openDatabase({ databaseUrl: config.store.databaseUrl?.reveal(), dataDir: dataDir ?? "" }).catch((error: unknown) => {
    throw databaseFailure(error, location.description, [config.store.databaseUrl, postgresPassword(config.store.databaseUrl)]);
  });
  undo.push("close the database", () => database.close());
  // "create": the server always has a key (sandbox: the key file next to its data, made on first start).
  const store = storeOn(database, { cipher: resolveCipher(config, dataDir ?? config.store.dataDir, "create") });

  const ownsSandbox = config.mode === "sandbox" && options.sandbox === undefined;
  let sandbox = config.mode === "sandbox" ? options.sandbox : undefined;
  if (ownsSandbox) {
    // With NUMBERGATE_DATA_DIR the emulators keep their carrier-side state next to the database, so a restarted
    // sandbox is coherent: what numbergate owns, the emulators still know it sold.
    sandbox = await startSandboxCarriers({ stateDir: config.store.dataDir, portingClock: sandboxPortingClock() }).catch((error: unknown) => {
      throw new StartupError(`cannot start the sandbox carrier emulators: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    });
    const started = sandbox;
    undo.push("stop the sandbox carrier emulators", () => started.stop());
  }

  const carriers = buildCarrierRegistrations(config, sandbox, options.dispatcher);
  const { registrations } = carriers;

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
  undo.push("stop the health monitor", () => health.dispose());
  const metrics = new ProviderMetrics(settings.metricsWindowMs, now);
  // One MeterProvider per numbergate (not the global one): GET /metrics of this replica reports this replica.
  const telemetry = createMetrics(logger);
  undo.push("shut the metrics down", () => telemetry.shutdown());
  observeCarrierHealth(telemetry.meter, () => health.snapshots());
  observeOrderStates(telemetry.meter, () => store.counts(), logger);
  // One TracerProvider per numbergate too: a test's spans are its own numbergate's.
  const tracing = createTracing({ spanExporter: options.spanExporter });
  undo.push("shut the tracing down", () => tracing.shutdown());
  const carrierCalls = new CarrierCallMetrics(telemetry.meter);
  const invoker = new ResilientInvoker({
    carriers: config.carriers.map((carrier) => ({ carrierId: carrier.id, limits: carrier.limits })),
    settings,
    observers: [metrics, health, carrierCalls],
    tracer: tracing.tracer,
    logger,
    random: options.random,
    // Durations and the rate limiter use the monotonic clock (its default), not wall time.
  });
  undo.push("dispose of the carrier pipelines", () => invoker.dispose());
  const manager = new ProviderManager({
    registrations,
    priceTable,
    invoker,
    health,
    metrics,
    reads: carrierCalls,
    breakerRetryAfterMs: (carrierId) => invoker.breakerRetryAfterMs(carrierId),
    cache: {
      searchTtlMs: settings.searchCacheTtlMs,
      searchStaleTtlMs: settings.searchCacheStaleTtlMs,
      availabilityTtlMs: settings.availabilityCacheTtlMs,
    },
    heldSnapshot: () => heldNumbers.snapshot(),
    selection: settings.providerSelection,
    random: options.random,
    tracer: tracing.tracer,
    now,
  });
  undo.push("close the carrier connections", () => manager.close());
  const prober = new HealthProber({
    registrations,
    monitor: health,
    intervalMs: settings.healthCheckIntervalMs,
    timeoutMs: settings.timeouts.probe,
    cacheTtlMs: settings.healthCacheTtlMs,
    now,
  });
  prober.start();
  undo.push("stop the health prober", () => prober.stop());

  const lifecycleContext: LifecycleContext = {
    store,
    manager,
    logger,
    now,
    replicaId: config.store.replicaId,
    settings: config.store,
    holdsChanged: () => heldNumbers.invalidate(),
    detached: new DetachedWork(),
    tracer: tracing.tracer,
  };
  const reconciler = new InventoryReconciler({ store, manager, logger, now });
  const inventory = new InventoryService(reconciler, store, now);
  const inventoryJob = new InventoryJob(reconciler, { intervalMs: config.store.reconcileIntervalMs, actor: `reconciler@${config.store.replicaId}`, logger, random: options.random });
  /** Ends the periodic job and cuts a run in progress short: it only reads carriers, so nothing is left half done. */
  const stopInventory = async () => {
    const jobStopped = inventoryJob.stop();
    await reconciler.stop();
    await jobStopped;
  };
  const reservations = new ReservationService(lifecycleContext);
  const lifecycle = {
    reservations,
    purchases: new PurchaseService(lifecycleContext),
    releases: new ReleaseService(lifecycleContext),
    // Drains and re-enables (SetProviderEnabled) are written to the same audit log as the number lifecycle.
    audit: store.audit,
    // ReconcileInventory, ListInventoryDrifts, ResolveInventoryDrift (create-server forwards this object as it is).
    inventory,
  };
  const workers = new LifecycleWorkers(lifecycleContext, reservations);
  workers.start();
  undo.push("stop the lifecycle workers", () => workers.stop());
  inventoryJob.start();
  undo.push("stop the inventory reconciliation", stopInventory);
  let stopping = false;
  const http = await startHttpPort({ config, store, manager, logger, now, stopping: () => stopping, metrics: telemetry });
  undo.push("close the HTTP port", () => http.close());
  const porting = await startPorting({ config, store, manager, logger, now, sandbox, http, tracer: tracing.tracer });
  undo.push("stop following ports", () => porting.stop());
  const rotateCredentials = async (): Promise<boolean> => {
    if (!options.reloadConfig) return true;
    try {
      const rotated = await carriers.rotate(options.reloadConfig());
      for (const carrierId of rotated) health.credentialsReplaced(carrierId);
      if (rotated.length > 0) logger.info({ carriers: rotated }, "carrier credentials replaced; calls in flight finish with the old ones");
      return true;
    } catch (error) {
      const problems = error instanceof ConfigError ? error.problems : [error instanceof Error ? error.message : String(error)];
      logger.error({ problems }, "carrier credentials not reloaded: the configuration cannot be used; the old credentials stay");
      return false;
    }
  };
  const access = await startAccess(config.access, logger);
  undo.push("stop watching the tokens file", () => access.control.close());
  const server = await startServer({
    address: config.grpcAddress,
    manager,
    prober,
    lifecycle,
    porting,
    logger,
    metrics: telemetry,
    tracer: tracing.tracer,
    access: access.control,
    credentials: access.credentials,
  }).catch((error: unknown) => {
    throw listenFailure(error, config.grpcAddress);
  });
  const host = config.grpcAddress.slice(0, config.grpcAddress.lastIndexOf(":"));

  return {
    server,
    manager,
    invoker,
    prober,
    store,
    workers,
    inventory,
    porting,
    http,
    metrics: telemetry,
    tracing,
    sandbox,
    address: `${host}:${server.port}`,
    access: access.control,
    async reload() {
      const tokens = await access.control.reload();
      return (await rotateCredentials()) && tokens;
    },
    async shutdown() {
      stopping = true;
      prober.stop();
      // Stop taking work, let purchases and releases in flight finish (each is bounded by its budget), and only
      // then close the store: a carrier answer that arrives must still be recorded. What is cut at the end
      // records itself as in doubt and frees its lease for another replica.
      await server.shutdown();
      access.control.close();
      // Before the store closes: a reconciliation in progress writes what it found, or is cut short first.
      await stopInventory();
      await workers.stop();
      await porting.stop();
      await http.close();
      await lifecycleContext.detached.drain(settings.timeouts.purchase + DRAIN_MARGIN_MS);
      await store.close();
      if (temporaryDir !== undefined) await rm(temporaryDir, { recursive: true, force: true });
      invoker.dispose();
      health.dispose();
      await manager.close();
      await telemetry.shutdown();
      await tracing.shutdown();
      if (ownsSandbox) await sandbox?.stop();
    },
  };
}

/** Beyond a money call's budget, time for its answer to be written before shutdown cuts it. */
const DRAIN_MARGIN_MS = 2_000;

function loadPriceTable(config: NumbergateConfig, logger: Logger): PriceTable {
  if (config.priceTablePath) return PriceTable.fromFile(config.priceTablePath);
  if (config.mode === "sandbox") return PriceTable.fromFile(fileURLToPath(SAMPLE_PRICE_TABLE_PATH));
  const unpriced = CARRIERS.filter((carrier) => carrier.priceSource === "table").map((carrier) => carrier.displayName);
  logger.warn({ carriers: unpriced }, `NUMBERGATE_PRICE_TABLE is not set: offers of ${unpriced.join(", ")} will have no price, and max_monthly_rate_cents excludes them`);
  return new PriceTable();
}
