import type { LifecycleContext } from "./lifecycle-context.js";

/**
 * Waits, within the RPC's wait budget (NUMBERGATE_PURCHASE_WAIT) and the caller's deadline, for a record to
 * reach a final state; answers with it as it is when time runs out. Work running on this replica wakes the
 * wait when it settles, handing over the record as it wrote it (no read back); another replica's is seen by
 * reading again shortly.
 */
export async function waitUntilFinal<Record>(
  context: Pick<LifecycleContext, "now" | "settings">,
  options: {
    readonly read: () => Promise<Record>;
    /** The record as the caller already knows it (one it just created): the first read is skipped. */
    readonly initial?: Record;
    readonly isFinal: (record: Record) => boolean;
    /** This replica's work on the record, resolving with the record as the work left it (or undefined). */
    readonly running: () => Promise<Record | undefined> | undefined;
    readonly signal: AbortSignal | undefined;
  },
): Promise<Record> {
  const { now, settings } = context;
  const deadline = now() + settings.purchaseWaitMs;
  let record = options.initial ?? (await options.read());
  for (;;) {
    const remaining = deadline - now();
    if (options.isFinal(record) || remaining <= 0 || options.signal?.aborted) return record;
    const pause = new AbortController();
    const nothing = (): undefined => undefined;
    const settled = await Promise.race([
      options.running() ?? sleep(Math.min(100, settings.orderCheckIntervalMs), pause.signal).then(nothing),
      sleep(remaining, pause.signal).then(nothing),
      abortPromise(options.signal, pause.signal).then(nothing),
    ]);
    pause.abort();
    record = settled ?? (await options.read());
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
