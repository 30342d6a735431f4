import type { NumbergateConfig } from "../config/config-types.js";
import type { ProviderManager } from "../manager/provider-manager.js";
import { startHttpEndpoint, type HttpEndpoint, type Readiness } from "../server/http-endpoint.js";
import { StatusFeed } from "../server/status-page/status-feed.js";
import { loadStatusPage, statusPageRoutes } from "../server/status-page/status-page.js";
import type { Store } from "../store/store.js";
import { observeReadiness } from "../telemetry/metrics-gauges.js";
import type { NumbergateMetrics } from "../telemetry/metrics.js";
import type { Logger } from "../telemetry/logger.js";
import { listenFailure } from "./startup-failure.js";

/** How long /readyz waits for the database before calling it unreachable. */
const STORE_CHECK_MS = 2_000;

/**
 * numbergate's HTTP port (NUMBERGATE_HTTP_ADDR): carrier callbacks, the health probes, the metrics and the status page.
 * Ready means the store answers and at least one carrier can serve, and the replica is not shutting down.
 */
export async function startHttpPort(options: {
  readonly config: NumbergateConfig;
  readonly store: Store;
  readonly manager: ProviderManager;
  readonly logger: Logger;
  readonly now: () => number;
  readonly stopping: () => boolean;
  /** GET /metrics (the Prometheus text format), and the status page's figures from the same instruments. */
  readonly metrics: Pick<NumbergateMetrics, "scrape" | "carrierCalls" | "meter">;
}): Promise<HttpEndpoint> {
  const { config, store, manager } = options;
  const { httpAddress, publicUrl } = config.porting;
  const readiness = async (): Promise<Readiness> => {
    const storeCheck = await withinTime(store.ping(), STORE_CHECK_MS).then(
      () => "reachable",
      (error: unknown) => `unreachable: ${error instanceof Error ? error.message : String(error)}`,
    );
    const serving = manager.health.snapshots().filter((snapshot) => snapshot.status === "healthy" || snapshot.status === "degraded").map((snapshot) => snapshot.carrierId);
    const checks = {
      store: storeCheck,
      carriers: serving.length > 0 ? `can serve: ${serving.join(", ")}` : "none can serve",
      ...(options.stopping() ? { shutdown: "in progress" } : {}),
    };
    return { ready: storeCheck === "reachable" && serving.length > 0 && !options.stopping(), checks };
  };
  observeReadiness(options.metrics.meter, async () => (await readiness()).ready);
  // The page is read (and its CSP hashes computed) once, here: a missing file stops start-up, not a request.
  const page = loadStatusPage();
  const feed = new StatusFeed({ health: manager.health, carrierCalls: () => options.metrics.carrierCalls(), counts: () => store.counts(), now: options.now, logger: options.logger });
  feed.start();
  return startHttpEndpoint({
    address: httpAddress,
    // Sandbox: the emulators reach this port directly; live: carriers reach it only through NUMBERGATE_PUBLIC_URL.
    publicUrl: (port) => publicUrl ?? `http://${hostOf(httpAddress)}:${port}`,
    readiness,
    metrics: () => options.metrics.scrape(),
    statusPage: statusPageRoutes(feed, page),
    logger: options.logger,
    now: options.now,
  }).catch((error: unknown) => {
    feed.close();
    throw listenFailure(error, httpAddress, "NUMBERGATE_HTTP_ADDR");
  });
}

function withinTime<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function hostOf(address: string): string {
  const host = address.slice(0, address.lastIndexOf(":"));
  return host === "0.0.0.0" || host === "[::]" ? "127.0.0.1" : host;
}
