/**
 * Work that outlives the RPC that started it (a purchase or release keeps going when its caller leaves).
 * Shutdown waits for it before the store closes, then cuts what is left so it records itself as in doubt
 * and frees its lease for another replica.
 */
export class DetachedWork {
  readonly #running = new Map<string, Promise<unknown>>();
  readonly #stop = new AbortController();

  /** Aborted when shutdown gives up waiting: carrier calls in flight end and are recorded as in doubt. */
  get signal(): AbortSignal {
    return this.#stop.signal;
  }

  get stopping(): boolean {
    return this.#stop.signal.aborted;
  }

  /** The work running under this key, if any (callers wait on it instead of polling). */
  get(key: string): Promise<unknown> | undefined {
    return this.#running.get(key);
  }

  run<Result>(key: string, work: () => Promise<Result>): Promise<Result> {
    const running = work().finally(() => this.#running.delete(key));
    this.#running.set(key, running);
    return running;
  }

  /** Waits up to graceMs for running work, then aborts the rest and waits for it to record its state. */
  async drain(graceMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.allSettled(this.#running.values()), expired]);
    clearTimeout(timer);
    this.#stop.abort(new Error("numbergate is shutting down"));
    await Promise.allSettled(this.#running.values());
  }
}
