import type { ServerCredentials } from "@grpc/grpc-js";
import { createServer, type Server } from "nice-grpc";
import { HealthDefinition, HealthServiceImpl, HealthState } from "nice-grpc-server-health";
import { TelecomServiceDefinition } from "../../generated/numbergate/v1/telecom_service.js";
import type { HealthMonitor } from "../manager/carrier-health.js";
import type { HealthProber } from "../manager/health-prober.js";
import type { ProviderManager } from "../manager/provider-manager.js";
import type { Logger } from "../telemetry/logger.js";
import type { NumbergateMetrics } from "../telemetry/metrics.js";
import type { AccessControl } from "./access/access-control.js";
import { accessMiddleware, type DenialAudit } from "./access/access-middleware.js";
import { peerCertificateInterceptor } from "./access/peer-certificate.js";
import { deadlineInterceptor } from "./call-deadline.js";
import { DEFAULT_SERVER_LIMITS, type ServerLimits } from "./server-limits.js";
import { errorMappingMiddleware } from "./errors/error-mapping-middleware.js";
import { addReflection } from "./reflection.js";
import type { LifecycleServices } from "./lifecycle-handlers.js";
import type { PortingServices } from "./porting-handlers.js";
import { metricsMiddleware } from "./metrics-middleware.js";
import { tracingMiddleware } from "./tracing-middleware.js";
import { NOOP_TRACER, type SpanStarter } from "../telemetry/tracing-noop.js";
import { guardRequestDecoding, rejectUndecodableRequests } from "./request-decoding.js";
import { shareResponseEncoding } from "./shared-encoding.js";
import { createTelecomService } from "./telecom-service.js";
import { createTerminator } from "./terminator-middleware.js";

export { DEFAULT_SERVER_LIMITS, type ServerLimits } from "./server-limits.js";

export const TELECOM_SERVICE_NAME = "numbergate.v1.TelecomService";
const HEALTH_SERVICE_NAME = "grpc.health.v1.Health";

export interface NumbergateServer {
  readonly server: Server;
  /** grpc.health.v1 state: "" (the whole server) and numbergate.v1.TelecomService. */
  readonly healthState: HealthState;
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  /** Stops taking calls, lets in-flight calls finish, then closes. */
  shutdown(): Promise<void>;
}

export interface StartServerOptions {
  readonly address: string;
  readonly manager: ProviderManager;
  readonly prober?: HealthProber;
  readonly lifecycle?: LifecycleServices;
  readonly porting?: PortingServices;
  readonly logger: Logger;
  /** Where the RPC duration histogram and the watcher count go; without it, nothing is measured. */
  readonly metrics?: NumbergateMetrics;
  /** Where each call's SERVER span goes (see tracing-middleware.ts); without it, the no-op tracer. */
  readonly tracer?: SpanStarter;
  /** How long shutdown waits for in-flight calls before cutting them. Defaults to 10000 ms. */
  readonly shutdownGraceMs?: number;
  /** Who may call TelecomService (grpc.health.v1 and reflection stay open); without it, everyone. */
  readonly access?: AccessControl;
  /** TLS (and client certificates) for the gRPC port; without it, plaintext. */
  readonly credentials?: ServerCredentials;
  /** Overrides of DEFAULT_SERVER_LIMITS (tests use small values). */
  readonly limits?: Partial<ServerLimits>;
}

/** Builds the gRPC server with TelecomService, grpc.health.v1 and reflection, and starts listening. */
export async function startServer(options: StartServerOptions): Promise<NumbergateServer> {
  const { logger } = options;
  const limits = { ...DEFAULT_SERVER_LIMITS, ...options.limits };
  const server = createServer({
    "grpc.max_receive_message_length": limits.maxReceiveMessageBytes,
    "grpc.max_send_message_length": limits.maxSendMessageBytes,
    "grpc.keepalive_time_ms": limits.keepaliveTimeMs,
    "grpc.keepalive_timeout_ms": limits.keepaliveTimeoutMs,
    "grpc.keepalive_permit_without_calls": 1,
    "grpc.max_connection_idle_ms": limits.maxConnectionIdleMs,
    "grpc.max_connection_age_ms": limits.maxConnectionAgeMs,
    "grpc.max_connection_age_grace_ms": limits.maxConnectionAgeGraceMs,
    interceptors: [deadlineInterceptor, peerCertificateInterceptor],
  });
  const terminator = createTerminator();
  // Outermost first: call metrics and the call's span (they see the final status), shutdown handling, then the one
  // error mapping, then refusing requests that did not decode.
  // The span outermost, so the RPC's log line (written by the metrics middleware) carries its trace and span ids.
  const traced = server.with(tracingMiddleware(options.tracer ?? NOOP_TRACER));
  const measured = options.metrics ? traced.with(metricsMiddleware(options.metrics.meter, logger)) : traced;
  const edge = () => measured.with(terminator.middleware).with(errorMappingMiddleware(logger)).with(rejectUndecodableRequests);
  // Access control inside the error mapping (refusals get their ErrorInfo) and only for TelecomService: health
  // checks and reflection stay open, as load balancers and grpcurl expect.
  const audit = options.lifecycle && "audit" in options.lifecycle ? (options.lifecycle.audit as DenialAudit) : undefined;
  // Open access (sandbox) adds no middleware layer at all: each layer is an async generator on every call.
  const secured = options.access && !options.access.open ? edge().with(accessMiddleware(options.access, audit, logger)) : edge();
  secured.add(
    shareResponseEncoding(guardRequestDecoding(TelecomServiceDefinition), "watchProviderHealth"),
    createTelecomService({ manager: options.manager, prober: options.prober, lifecycle: options.lifecycle, porting: options.porting, logger, watchers: options.metrics?.watchers, totals: options.metrics }),
  );
  const healthState = HealthState();
  edge().add(guardRequestDecoding(HealthDefinition), HealthServiceImpl(healthState));
  // Reflection's definitions are grpc-js style, decoded by its own library: not guarded (see README, Errors).
  addReflection(server, [TELECOM_SERVICE_NAME, HEALTH_SERVICE_NAME]);

  const port = await server.listen(options.address, options.credentials);
  const stopFollowing = followCarrierHealth(options.manager.health, healthState);

  return {
    server,
    healthState,
    port,
    async shutdown() {
      stopFollowing();
      healthState.setStatus("unhealthy");
      healthState.setStatus("unhealthy", TELECOM_SERVICE_NAME);
      terminator.terminate();
      // In-flight unary calls finish; whatever is still open after the grace period (streams) is cut.
      let timer: NodeJS.Timeout | undefined;
      const graceExpired = new Promise<"expired">((resolve) => {
        timer = setTimeout(() => resolve("expired"), options.shutdownGraceMs ?? 10_000);
      });
      const outcome = await Promise.race([server.shutdown().then(() => "drained" as const), graceExpired]);
      clearTimeout(timer);
      if (outcome === "expired") server.forceShutdown();
    },
  };
}

/**
 * grpc.health.v1 says SERVING while at least one carrier can take traffic, NOT_SERVING when none can (all
 * disabled, drained or unhealthy), for the whole server ("") and for numbergate.v1.TelecomService.
 */
function followCarrierHealth(health: HealthMonitor, healthState: HealthState): () => void {
  const update = () => {
    const status = health.anyCarrierCanServe ? "healthy" : "unhealthy";
    if (healthState.getStatus(TELECOM_SERVICE_NAME) === status) return;
    healthState.setStatus(status);
    healthState.setStatus(status, TELECOM_SERVICE_NAME);
  };
  update();
  health.on("change", update);
  return () => health.off("change", update);
}
