/**
 * At most one run of something at a time in this process. A periodic caller skips while a run is in progress;
 * a caller that wants a fresh answer gets a run that starts after the one in progress ends, shared with every
 * other caller that asked meanwhile (so ten callers during one run cause one more run, not ten).
 */
export class CoalescedRun<Result> {
  #running: Promise<Result> | undefined;
  #queued: Promise<Result> | undefined;

  /** The run in progress, and the one queued after it. */
  get pending(): readonly Promise<Result>[] {
    return [this.#running, this.#queued].filter((run): run is Promise<Result> => run !== undefined);
  }

  /** Starts a run, unless one is in progress: then undefined. */
  startIfIdle(run: () => Promise<Result>): Promise<Result> | undefined {
    return this.#running ? undefined : this.#start(run);
  }

  /** A run that starts now, or as soon as the one in progress has ended. */
  startFresh(run: () => Promise<Result>): Promise<Result> {
    const running = this.#running;
    if (!running) return this.#start(run);
    this.#queued ??= running.then(
      () => this.#afterRunning(run),
      () => this.#afterRunning(run),
    );
    return this.#queued;
  }

  #afterRunning(run: () => Promise<Result>): Promise<Result> {
    this.#queued = undefined;
    // A periodic run may have started in between: it began after these callers asked, so it is fresh enough.
    return this.#running ?? this.#start(run);
  }

  #start(run: () => Promise<Result>): Promise<Result> {
    const running = run().finally(() => {
      if (this.#running === running) this.#running = undefined;
    });
    this.#running = running;
    return running;
  }
}
