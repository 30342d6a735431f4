import type { CarrierOperation } from "../domain/carrier-operation.js";
import type { CarrierId } from "../domain/numbers.js";
import type { CarrierRegistration } from "./carrier-registry.js";
import type { HedgeDelay } from "./hedging.js";
import type { ReadDeadline, TimeAllowance } from "./read-deadline.js";

/** How one carrier's read ended. */
export type ReadOutcome<Answer> =
  | { readonly kind: "answered"; readonly answer: Answer; readonly fromCache: boolean; readonly durationMs: number }
  | { readonly kind: "failed"; readonly error: unknown; readonly durationMs: number };

/** Why a carrier that was asked was not waited for. */
export type CutOffReason =
  /** Enough had come from other carriers and its hedge delay ran out. */
  | { readonly kind: "hedge_delay"; readonly hedgeDelayMs: number }
  /** It was slow, a later tier was asked as a hedge, and that answer made enough. */
  | { readonly kind: "superseded"; readonly by: CarrierId }
  /** It was asked early as a hedge, and the carriers before it made enough. */
  | { readonly kind: "hedge_not_needed" };

/** What became of one carrier in a read. */
export type CarrierTurn<Answer> =
  | { readonly kind: "settled"; readonly outcome: ReadOutcome<Answer> }
  | { readonly kind: "cut_off"; readonly waitedMs: number; readonly reason: CutOffReason }
  | { readonly kind: "not_asked"; readonly reason: "served" | "no_time" };

/** What a read does with the answers as they arrive (merge offers, find the number). */
export interface ReadCollector<Answer> {
  /**
   * Prepares to take in one carrier's answer (reading what that needs, such as the held numbers) and returns
   * the step that takes it in, which the route runs only while the read is still going.
   */
  accept(registration: CarrierRegistration, answer: Answer): Promise<() => void>;
  /** Whether what was taken in so far serves the request (enough numbers, the number found). */
  served(): boolean;
}

export interface ReadRouteOptions<Answer> {
  /** Carriers in tiers, best tier first; a tier's carriers are asked together. */
  readonly tiers: readonly (readonly CarrierRegistration[])[];
  readonly operation: CarrierOperation;
  readonly deadline: ReadDeadline;
  readonly hedgeDelay: HedgeDelay;
  readonly now: () => number;
  /**
   * Reads at one carrier (the cache first) under the signal of its time allowance, which `allowance` makes on
   * first use: a read the cache serves needs none (no controller, timer or listener). Never rejects.
   */
  readonly read: (registration: CarrierRegistration, allowance: () => AbortSignal) => Promise<ReadOutcome<Answer>>;
}

interface StartedRead<Answer> {
  readonly registration: CarrierRegistration;
  readonly tier: number;
  readonly startedAt: number;
  /** Its hedge delay when it was asked (undefined: no latency history), kept so hedge and cut-off agree. */
  readonly hedgeDelayMs: number | undefined;
  /** Its outcome is in and being taken in: no longer cut off, waited for a moment more. */
  arrived: boolean;
  cutOffScheduled: boolean;
  turn: CarrierTurn<Answer> | undefined;
}

/**
 * A read (search, availability) across carriers in priority tiers. The carriers of a tier are asked at once,
 * each within its allowance of the caller's deadline (a share while later tiers remain); the next tier is
 * asked when the tier is done and the request is not served. Hedging: when a carrier of the tier being
 * waited for has not answered within its hedge delay, the next tier is asked too. Once the request is served,
 * a carrier still working is waited for only until its own hedge delay (from when it was asked) runs out and
 * is then cut off; one asked early as a hedge is not waited for at all. A read started here is never
 * cancelled because the route moved on: it runs until it answers or its allowance ends, so a carrier that
 * hangs is judged by the time it was given, and a late answer still fills the cache.
 */
export class ReadRoute<Answer> {
  readonly #options: ReadRouteOptions<Answer>;
  readonly #reads = new Map<CarrierId, StartedRead<Answer>>();
  readonly #notAskedForTime = new Set<CarrierId>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #collector: ReadCollector<Answer> | undefined;
  /** Re-judges the tier being waited for; called whenever an answer was taken in. */
  #wake: (() => void) | undefined;
  #failure: { readonly error: unknown } | undefined;
  #finished = false;
  /** The read whose answer made the request served. */
  #servedBy: StartedRead<Answer> | undefined;

  constructor(options: ReadRouteOptions<Answer>) {
    this.#options = options;
  }

  /** Runs the read; what became of each carrier, in tier order. Rejects when the caller leaves before the end. */
  async run(collector: ReadCollector<Answer>): Promise<ReadonlyMap<CarrierId, CarrierTurn<Answer>>> {
    this.#collector = collector;
    const { tiers, deadline } = this.#options;
    try {
      for (const [tier, carriers] of tiers.entries()) {
        this.#throwIfFailed();
        if (collector.served()) break;
        if (!this.#tierStarted(tier) && deadline.over) {
          deadline.throwIfCallerLeft();
          for (const registration of carriers) this.#notAskedForTime.add(registration.adapter.descriptor.id);
          continue;
        }
        this.#startTier(tier);
        await this.#waitForTier(tier);
      }
      this.#throwIfFailed();
      return this.#turns();
    } finally {
      this.#finished = true;
      this.#wake = undefined;
      for (const timer of this.#timers) clearTimeout(timer);
      this.#timers.clear();
    }
  }

  #turns(): Map<CarrierId, CarrierTurn<Answer>> {
    const turns = new Map<CarrierId, CarrierTurn<Answer>>();
    const now = this.#options.now();
    for (const registration of this.#options.tiers.flat()) {
      const carrierId = registration.adapter.descriptor.id;
      const read = this.#reads.get(carrierId);
      if (read?.turn) turns.set(carrierId, read.turn);
      // Still working when the read ended: only a hedge asked before its turn can be (see #waitForTier).
      else if (read) turns.set(carrierId, { kind: "cut_off", waitedMs: now - read.startedAt, reason: { kind: "hedge_not_needed" } });
      else turns.set(carrierId, { kind: "not_asked", reason: this.#notAskedForTime.has(carrierId) ? "no_time" : "served" });
    }
    return turns;
  }

  #tierStarted(tier: number): boolean {
    return (this.#options.tiers[tier] ?? []).some((registration) => this.#reads.has(registration.adapter.descriptor.id));
  }

  #startTier(tier: number): void {
    for (const registration of this.#options.tiers[tier] ?? []) {
      if (!this.#reads.has(registration.adapter.descriptor.id)) this.#start(registration, tier);
    }
  }

  #start(registration: CarrierRegistration, tier: number): void {
    const { deadline, hedgeDelay, operation, tiers, now } = this.#options;
    const carrierId = registration.adapter.descriptor.id;
    const hedgeDelayMs = hedgeDelay(carrierId, operation);
    let allowance: TimeAllowance | undefined;
    const signal = () => (allowance ??= deadline.allowance(tiers.length - tier - 1, hedgeDelayMs)).signal;
    const read: StartedRead<Answer> = { registration, tier, startedAt: now(), hedgeDelayMs, arrived: false, cutOffScheduled: false, turn: undefined };
    this.#reads.set(carrierId, read);
    void this.#options
      .read(registration, signal)
      .finally(() => allowance?.dispose())
      .then((outcome) => this.#arrive(read, outcome));
  }

  /** Takes in an outcome as it arrives, unless the read is over or the carrier was already cut off. */
  async #arrive(read: StartedRead<Answer>, outcome: ReadOutcome<Answer>): Promise<void> {
    const collector = this.#collector;
    if (this.#finished || read.turn || !collector) return;
    read.arrived = true;
    try {
      if (outcome.kind === "answered") {
        const takeIn = await collector.accept(read.registration, outcome.answer);
        if (this.#finished) return;
        const wasServed = collector.served();
        takeIn();
        if (!wasServed && collector.served()) this.#servedBy = read;
      }
      read.turn = { kind: "settled", outcome };
    } catch (error) {
      this.#failure ??= { error };
    }
    this.#wake?.();
  }

  /**
   * Waits until every carrier of the tier has settled or been cut off. Meanwhile a carrier slower than its
   * hedge delay makes the next tier be asked too (once), and answers from any tier are taken in as they come.
   */
  #waitForTier(tier: number): Promise<void> {
    const { tiers, now } = this.#options;
    const members = (tiers[tier] ?? []).flatMap((registration) => this.#reads.get(registration.adapter.descriptor.id) ?? []);
    for (const read of members) this.#scheduleHedge(read);
    return new Promise<void>((resolve, reject) => {
      const judge = () => {
        if (this.#failure) {
          this.#wake = undefined;
          reject(this.#failure.error);
          return;
        }
        const served = this.#collector?.served() === true;
        let waiting = false;
        for (const read of members) {
          if (read.turn) continue;
          const delayMs = read.hedgeDelayMs;
          // Not served yet, an answer being taken in, or no latency history to judge it by: wait for it.
          if (!served || read.arrived || delayMs === undefined) {
            waiting = true;
            continue;
          }
          const remainingMs = read.startedAt + delayMs - now();
          if (remainingMs > 0) {
            waiting = true;
            if (!read.cutOffScheduled) {
              read.cutOffScheduled = true;
              this.#after(remainingMs, () => this.#wake?.());
            }
            continue;
          }
          const by = this.#servedBy;
          const reason: CutOffReason = by && by.tier > tier ? { kind: "superseded", by: by.registration.adapter.descriptor.id } : { kind: "hedge_delay", hedgeDelayMs: delayMs };
          read.turn = { kind: "cut_off", waitedMs: now() - read.startedAt, reason };
        }
        if (waiting) return;
        this.#wake = undefined;
        resolve();
      };
      this.#wake = judge;
      judge();
    });
  }

  /** After the carrier's hedge delay, asks the next tier too, unless the carrier answered or the request is served. */
  #scheduleHedge(read: StartedRead<Answer>): void {
    const { tiers, deadline, now } = this.#options;
    const next = read.tier + 1;
    if (next >= tiers.length || read.hedgeDelayMs === undefined) return;
    this.#after(read.startedAt + read.hedgeDelayMs - now(), () => {
      if (read.turn || read.arrived || this.#collector?.served() || deadline.over || this.#tierStarted(next)) return;
      this.#startTier(next);
    });
  }

  #after(delayMs: number, action: () => void): void {
    if (this.#finished) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.#finished) action();
    }, Math.max(0, delayMs));
    this.#timers.add(timer);
  }

  #throwIfFailed(): void {
    if (this.#failure) throw this.#failure.error;
  }
}
