import type { SpanStarter } from "../telemetry/tracing-noop.js";
import type { CarrierPortInStatus } from "../domain/carrier-lifecycle.js";
import { blankSecrets, portInSecrets } from "../domain/port-in-secrets.js";
import type { ProviderManager } from "../manager/provider-manager.js";
import type { ApplyObservationResult, PortingTransitionSource } from "../store/porting-records.js";
import type { Store } from "../store/store.js";
import type { Logger } from "../telemetry/logger.js";
import type { PortingEvents } from "./porting-events.js";

export interface PortingSettings {
  /** First check of an open port after it changed; doubles while nothing changes, up to maxPollIntervalMs. */
  readonly pollIntervalMs: number;
  readonly maxPollIntervalMs: number;
  /**
   * How long after a port-in submission left numbergate, with no answer, the carrier may still show nothing
   * before numbergate concludes it never arrived and submits again.
   */
  readonly submissionGraceMs: number;
  /** How often a watch re-reads its order, to hear changes applied by other replicas. */
  readonly watchRefreshMs: number;
  /** How long a replica may work a port before another may take it over (renewed while it works). */
  readonly leaseMs: number;
}

/** What the porting services need. */
export interface PortingContext {
  readonly store: Store;
  readonly manager: ProviderManager;
  readonly logger: Logger;
  readonly now: () => number;
  /** This replica's name in leases. */
  readonly replicaId: string;
  readonly settings: PortingSettings;
  readonly events: PortingEvents;
  /** The URL a carrier posts its porting notifications to, when carriers can reach numbergate; else undefined. */
  readonly notificationUrl: (carrierId: string) => string | undefined;
  /** Where the poller's traces go (each linked to the RPC that created the port); no-op when untraced. */
  readonly tracer?: SpanStarter;
}

export const DEFAULT_PORTING_SETTINGS: PortingSettings = {
  pollIntervalMs: 60_000,
  maxPollIntervalMs: 30 * 60_000,
  submissionGraceMs: 10 * 60_000,
  watchRefreshMs: 2_000,
  leaseMs: 60_000,
};

/**
 * Applies what the carrier says about a port through the one state machine (in the store, with its transition
 * and audit rows), and tells this replica's watchers. Every path that learns a port's status comes here: the
 * answer to a request, a poll, a callback.
 */
export async function recordPortStatus(
  context: PortingContext,
  orderId: string,
  status: CarrierPortInStatus,
  source: PortingTransitionSource,
  actor: string,
): Promise<ApplyObservationResult> {
  const now = context.now();
  // Carriers' words are kept (order, transitions, audit) and returned: a losing carrier's rejection may quote
  // what it was sent, so the port's own secrets are blanked out of them here, whatever the carrier.
  const secrets = await context.store.portingOrders.secrets(orderId);
  const blank = (text: string) => (secrets ? blankSecrets(text, portInSecrets(secrets)) : text);
  const result = await context.store.portingOrders.applyObservation(orderId, {
    state: status.state,
    carrierOrderId: status.carrierOrderId,
    carrierStatus: blank(status.carrierStatus),
    detail: blank(status.detail),
    focAt: status.focDate?.getTime(),
    observedAt: status.statusTime?.getTime() ?? now,
    source,
    actor,
    now,
  });
  if (result.kind === "transition" || result.kind === "unchanged") context.events.publish(result.order);
  if (result.kind === "transition") {
    context.logger.info({ portingOrderId: orderId, carrierId: result.order.carrierId, from: result.transition.fromState, to: result.transition.toState, source }, "porting order moved");
  }
  return result;
}
