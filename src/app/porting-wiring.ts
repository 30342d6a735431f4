import { isPortingNotifier } from "../carriers/emulator-kit/carrier-emulator.js";
import type { SpanStarter } from "../telemetry/tracing-noop.js";
import type { NumbergateConfig } from "../config/config-types.js";
import type { ProviderManager } from "../manager/provider-manager.js";
import { PortabilityChecker } from "../porting/portability-check.js";
import { receivePortingNotification } from "../porting/porting-callbacks.js";
import { DEFAULT_PORTING_SETTINGS, type PortingContext } from "../porting/porting-context.js";
import { PortingEvents } from "../porting/porting-events.js";
import { PortingPoller } from "../porting/porting-poller.js";
import { PortingService } from "../porting/porting-service.js";
import type { HttpEndpoint } from "../server/http-endpoint.js";
import type { PortingServices } from "../server/porting-handlers.js";
import type { Store } from "../store/store.js";
import type { Logger } from "../telemetry/logger.js";
import type { SandboxCarriers } from "./sandbox-carriers.js";

export interface StartedPorting extends PortingServices {
  readonly poller: PortingPoller;
  /** Stops following ports; ports in flight are picked up again at the next start. */
  stop(): Promise<void>;
}

export function callbackPath(carrierId: string): string {
  return `/callbacks/${carrierId}/porting`;
}

/**
 * Port-ins: the service behind the porting RPCs, the poller that follows open ports, and the receiver of the
 * notifications carriers post to the HTTP port. In sandbox mode the emulators are pointed at that port, as an
 * operator would set up each carrier's notifications in its console.
 */
export async function startPorting(options: {
  readonly config: NumbergateConfig;
  readonly store: Store;
  readonly manager: ProviderManager;
  readonly logger: Logger;
  readonly now: () => number;
  readonly sandbox: SandboxCarriers | undefined;
  readonly http: HttpEndpoint;
  readonly tracer: SpanStarter;
}): Promise<StartedPorting> {
  const { config, store, manager, logger, now, http, tracer } = options;
  const { porting } = config;
  let publicUrl: string | undefined = porting.publicUrl;
  const context: PortingContext = {
    store,
    manager,
    logger,
    now,
    replicaId: config.store.replicaId,
    settings: {
      ...DEFAULT_PORTING_SETTINGS,
      pollIntervalMs: porting.pollIntervalMs,
      maxPollIntervalMs: porting.maxPollIntervalMs,
      leaseMs: config.store.leaseMs,
      // The same margin as a purchase's: how late a carrier may still act on a request whose answer was lost.
      submissionGraceMs: config.store.inDoubtGraceMs,
    },
    events: new PortingEvents(),
    notificationUrl: (carrierId) => (publicUrl === undefined ? undefined : `${publicUrl}${callbackPath(carrierId)}`),
    tracer,
  };
  http.takePortingCallbacks((carrierId, notification) => receivePortingNotification(context, carrierId, notification));
  if (config.mode === "sandbox") publicUrl = http.publicUrl;
  else if (publicUrl === undefined) logger.warn("NUMBERGATE_PUBLIC_URL is not set: carriers are not told where to send porting notifications; ports are followed by polling alone");
  for (const [carrierId, emulator] of options.sandbox?.emulators ?? []) {
    if (isPortingNotifier(emulator)) emulator.deliverPortingNotificationsTo(`${http.publicUrl}${callbackPath(carrierId)}`);
  }

  const portability = new PortabilityChecker(manager, { now });
  const service = new PortingService(context, portability);
  const stopping = new AbortController();
  const poller = new PortingPoller(context, config.store.sweepIntervalMs, stopping.signal);
  poller.start();
  return {
    service,
    context,
    portability,
    poller,
    async stop() {
      stopping.abort();
      await poller.stop();
    },
  };
}
