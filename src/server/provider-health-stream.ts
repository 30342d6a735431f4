import { ServerError, Status } from "nice-grpc";
import type { WatchProviderHealthResponse } from "../../generated/numbergate/v1/providers.js";
import type { WatcherGauge } from "../telemetry/metrics.js";
import type { HealthBroadcast } from "./health-broadcast.js";
import { healthToProto } from "./provider-mapping.js";

/** Changes a watcher may fall behind by before it is cut off (it can watch again and get a fresh snapshot). */
export const MAX_PENDING_CHANGES = 1000;

/**
 * The WatchProviderHealth stream: every watched carrier at once, then each change in order. Each watcher has
 * its own queue, filled by the broadcast, so a slow watcher never delays the others. `watchers` counts the
 * streams open (numbergate.health.watchers) from the first message to the end.
 */
export async function* watchProviderHealth(
  broadcast: HealthBroadcast,
  carrierIds: readonly string[],
  signal: AbortSignal,
  watchers?: WatcherGauge,
): AsyncGenerator<WatchProviderHealthResponse, void, undefined> {
  const watched = (carrierId: string) => carrierIds.length === 0 || carrierIds.includes(carrierId);
  const pending: WatchProviderHealthResponse[] = [];
  let wake: (() => void) | undefined;
  let overflowed = false;
  const unsubscribe = broadcast.subscribe({
    watches: watched,
    deliver(message) {
      if (pending.length >= MAX_PENDING_CHANGES) overflowed = true;
      else pending.push(message);
      wake?.();
    },
  });
  const onAbort = () => wake?.();
  signal.addEventListener("abort", onAbort);
  watchers?.add(1);
  try {
    yield { providers: broadcast.monitor.snapshots().filter((snapshot) => watched(snapshot.carrierId)).map(healthToProto), snapshot: true };
    while (!signal.aborted) {
      if (overflowed) throw new ServerError(Status.RESOURCE_EXHAUSTED, "watcher fell too far behind; watch again for a fresh snapshot");
      const next = pending.shift();
      if (next) {
        yield next;
        continue;
      }
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    watchers?.add(-1);
    unsubscribe();
    signal.removeEventListener("abort", onAbort);
  }
}
