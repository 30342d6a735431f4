import { ServerError, Status, type CallContext } from "nice-grpc";
import type { TelecomServiceImplementation } from "../../generated/numbergate/v1/telecom_service.js";
import type { CarrierId } from "../domain/numbers.js";
import type { HealthProber } from "../manager/health-prober.js";
import type { ProviderManager } from "../manager/provider-manager.js";
import type { AuditEntry } from "../store/audit-store.js";
import type { Logger } from "../telemetry/logger.js";
import { NO_TOTALS, type CarrierTotals } from "../telemetry/carrier-totals.js";
import type { WatcherGauge } from "../telemetry/metrics.js";
import { HealthBroadcast } from "./health-broadcast.js";
import { watchProviderHealth } from "./provider-health-stream.js";
import { healthToProto, metricsToProto, providerToProto } from "./provider-mapping.js";
import type { TerminatorContext } from "./terminator-middleware.js";
import { FieldViolations, checkPlaceName, checkProviderId } from "./validation/field-checks.js";
import { actorOf } from "./caller.js";

export interface ProviderHandlerDependencies {
  readonly manager: ProviderManager;
  readonly prober: HealthProber | undefined;
  readonly logger: Logger;
  /**
   * The store-backed services; the composition root puts the audit log among them, and drains and re-enables are
   * written to it (create-server forwards `lifecycle` as it is).
   */
  readonly lifecycle?: object & { readonly audit?: { record(entry: AuditEntry): Promise<void> } };
  /** Counts the WatchProviderHealth streams open (numbergate.health.watchers). */
  readonly watchers?: WatcherGauge;
  /** The carrier-call instruments' totals (GetProviderMetrics since start); all zero without them. */
  readonly totals?: CarrierTotalsSource;
}

export interface CarrierTotalsSource {
  carrierTotals(): Promise<ReadonlyMap<string, CarrierTotals>>;
  /** When the totals started counting (epoch ms). */
  readonly startedAt: number;
}

type ProviderHandlers = Pick<
  TelecomServiceImplementation<TerminatorContext>,
  "listProviders" | "getProviderHealth" | "getProviderMetrics" | "watchProviderHealth" | "setProviderEnabled"
>;

/** The carriers RPCs: list, health (read and watch), metrics, drain and re-enable. */
export function createProviderHandlers({ manager, prober, logger, lifecycle, watchers, totals }: ProviderHandlerDependencies): ProviderHandlers {
  // One subscription to the monitor for every stream of this server (see health-broadcast.ts).
  const broadcast = new HealthBroadcast(manager.health);
  const knownIds = (): readonly string[] => manager.registrations.map((registration) => registration.adapter.descriptor.id);
  const toProvider = (carrierId: CarrierId) => {
    const registration = manager.registrations.find((candidate) => candidate.adapter.descriptor.id === carrierId);
    if (!registration) throw new Error(`unknown carrier ${carrierId}`);
    return providerToProto(registration, manager.health.isDrained(carrierId), manager.offeredFeatures(carrierId));
  };
  /** One carrier when provider_id is set (validated), else all. */
  const selected = (providerId: string): readonly CarrierId[] => {
    if (providerId === "") return manager.health.carrierIds;
    const violations = new FieldViolations();
    checkProviderId(violations, "provider_id", providerId, knownIds());
    violations.throwIfAny();
    return [providerId as CarrierId];
  };

  return {
    async listProviders() {
      return { providers: manager.registrations.map((registration) => toProvider(registration.adapter.descriptor.id)) };
    },

    async getProviderHealth(request) {
      const carrierIds = selected(request.providerId);
      // A probe result younger than the health cache TTL is reused; older ones are refreshed first.
      await Promise.all(carrierIds.map((carrierId) => prober?.refreshIfStale(carrierId)));
      return { providers: carrierIds.flatMap((carrierId) => manager.health.snapshot(carrierId) ?? []).map(healthToProto) };
    },

    async getProviderMetrics(request) {
      const carrierIds = selected(request.providerId);
      const counted = (await totals?.carrierTotals()) ?? new Map<string, CarrierTotals>();
      const sinceMs = totals ? Date.now() - totals.startedAt : 0;
      return {
        providers: carrierIds.map((carrierId) =>
          metricsToProto(carrierId, counted.get(carrierId) ?? NO_TOTALS, sinceMs, manager.metrics.window(carrierId), manager.health.snapshot(carrierId)?.uptime ?? 100),
        ),
      };
    },

    // Not a generator itself: it checks the request and hands the stream over, one suspended generator fewer for
    // every message to pass through and every open stream to keep (thousands of watchers).
    watchProviderHealth(request, context: CallContext & TerminatorContext) {
      const violations = new FieldViolations();
      request.providerIds.forEach((providerId, index) => checkProviderId(violations, `provider_ids[${index}]`, providerId, knownIds()));
      violations.throwIfAny();
      context.abortOnTerminate();
      return watchProviderHealth(broadcast, request.providerIds, context.signal, watchers);
    },

    async setProviderEnabled(request, context: CallContext) {
      const violations = new FieldViolations();
      const carrierId = checkProviderId(violations, "provider_id", request.providerId, knownIds()) as CarrierId | undefined;
      const reason = checkPlaceName(violations, "reason", request.reason, 256);
      violations.throwIfAny();
      const registration = carrierId ? manager.setEnabled(carrierId, request.enabled) : undefined;
      if (!registration || !carrierId) throw new Error("unreachable: provider_id validated without a carrier");
      if (!registration.enabled) {
        throw new ServerError(Status.FAILED_PRECONDITION, `${carrierId} is ${registration.disabledReason ?? "disabled by configuration"}; SetProviderEnabled only drains and re-enables configured carriers`);
      }
      logger.warn({ audit: "provider_enabled_changed", provider: carrierId, enabled: request.enabled, reason }, `${carrierId} ${request.enabled ? "re-enabled" : "drained"}`);
      const outcome = request.enabled ? "enabled" : "drained";
      const actor = actorOf(context);
      // The change has taken effect: a failed audit write is logged, not turned into an error that would say otherwise.
      await lifecycle?.audit
        ?.record({ actor, carrierId, operation: `provider.${outcome}`, outcome, resourceType: "provider", resourceId: carrierId, detail: reason ?? "" })
        .catch((error: unknown) => logger.error({ err: error, provider: carrierId }, "could not write the audit row of SetProviderEnabled"));
      return { provider: toProvider(carrierId) };
    },
  };
}
