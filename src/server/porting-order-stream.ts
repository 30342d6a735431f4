import { ServerError, Status } from "nice-grpc";
import type { PortingOrderRecord } from "../store/porting-records.js";
import type { PortingContext } from "../porting/porting-context.js";
import { isFinalPortingState } from "../porting/porting-state.js";

/** Whether `next` says something `previous` did not: a later transition, or newer carrier words. */
function isNews(previous: PortingOrderRecord | undefined, next: PortingOrderRecord): boolean {
  if (!previous) return true;
  if (next.transitions.length !== previous.transitions.length) return next.transitions.length > previous.transitions.length;
  return next.updatedAt > previous.updatedAt;
}

/**
 * WatchPortingOrder: the order as it is now, then every change in the order it happened, ending after a final
 * state. Changes applied by this replica arrive as they commit; a periodic re-read catches those applied by
 * other replicas (each answer carries the whole transition list, so a re-read that skips a step loses nothing).
 */
/** Changes a watcher may fall behind by before it is cut off (it can watch again and get the order as it is). */
const MAX_PENDING_CHANGES = 1000;

export async function* watchPortingOrder(context: PortingContext, first: PortingOrderRecord, signal: AbortSignal): AsyncGenerator<PortingOrderRecord, void, undefined> {
  const pending: PortingOrderRecord[] = [];
  let wake: (() => void) | undefined;
  let overflowed = false;
  const push = (order: PortingOrderRecord) => {
    if (pending.length >= MAX_PENDING_CHANGES) overflowed = true;
    else pending.push(order);
    wake?.();
  };
  const unsubscribe = context.events.subscribe(first.id, push);
  const refresh = setInterval(() => {
    context.store.portingOrders.get(first.id).then(
      (order) => order && push(order),
      (error: unknown) => context.logger.warn({ err: error, portingOrderId: first.id }, "could not re-read a watched porting order; trying again"),
    );
  }, context.settings.watchRefreshMs);
  refresh.unref();
  const onAbort = () => wake?.();
  signal.addEventListener("abort", onAbort);
  try {
    // Read again after subscribing: a change committed between the caller's read and the subscription is not lost.
    const current = (await context.store.portingOrders.get(first.id)) ?? first;
    let last: PortingOrderRecord = isNews(first, current) ? current : first;
    yield last;
    while (!isFinalPortingState(last.state) && !signal.aborted) {
      if (overflowed) throw new ServerError(Status.RESOURCE_EXHAUSTED, "watcher fell too far behind; watch again for the order as it is");
      const next = pending.shift();
      if (!next) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      if (!isNews(last, next)) continue;
      last = next;
      yield next;
    }
  } finally {
    clearInterval(refresh);
    signal.removeEventListener("abort", onAbort);
    unsubscribe();
  }
}
