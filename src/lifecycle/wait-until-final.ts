import type { LifecycleContext } from "./lifecycle-context.js";

/**
 * Waits, within the RPC's wait budget (NUMBERGATE_PURCHASE_WAIT) and the caller's deadline, for a record to
 * reach a final state; answers with it as it is when time runs out. Work running on this replica wakes the
 * wait when it settles; another replica's is seen by reading again shortly.
 */
export async function waitUntilFinal<Record>(
  context: Pick<LifecycleContext, "now" | "settings">,
  options: {
    readonly read: () => Promise<Record>;
    readonly isFinal: (record: Record) => boolean;
    readonly running: () => Promise<void> | undefined;
    readonly signal: AbortSignal | undefined;
  },
): Promise<Record> {
  const { now, settings } = context;
  const deadline = now() + settings.purchaseWaitMs;
  for (;;) {
    const record = await options.read();
    const remaining = deadline - now();
    if (options.isFinal(record) || remaining <= 0 || options.signal?.aborted) return record;
    const pause = new AbortController();
    await Promise.race([
      options.running() ?? sleep(Math.min(100, settings.orderCheckIntervalMs), pause.signal),
      sleep(remaining, pause.signal),
      abortPromise(options.signal, pause.signal),
    ]);
    pause.abort();
  }
}

/** Resolves after `milliseconds`, or at once when `cancel` aborts (so no timer outlives the race). */
function sleep(milliseconds: number, cancel: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, milliseconds);
    cancel.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

/** Resolves when the caller's signal aborts, or when `cancel` does. */
function abortPromise(signal: AbortSignal | undefined, cancel: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      signal?.removeEventListener("abort", done);
      resolve();
    };
    signal?.addEventListener("abort", done, { once: true });
    cancel.addEventListener("abort", done, { once: true });
  });
}
