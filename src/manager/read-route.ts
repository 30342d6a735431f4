import type { CarrierOperation } from "../domain/carrier-operation.js";
import type { CarrierId } from "../domain/numbers.js";
import type { CarrierRegistration } from "./carrier-registry.js";
import type { HedgeDelay } from "./hedging.js";
import type { ReadDeadline } from "./read-deadline.js";

/** How one carrier's read ended. */
export type ReadOutcome<Answer> =
  | { readonly kind: "answered"; readonly answer: Answer; readonly fromCache: boolean; readonly durationMs: number }
  | { readonly kind: "failed"; readonly error: unknown; readonly durationMs: number };

/** A carrier's turn: its read settled, or a hedged read at the next carrier served the request first. */
export type ReadStep<Answer> =
  | { readonly kind: "settled"; readonly outcome: ReadOutcome<Answer> }
  | { readonly kind: "superseded"; readonly waitedMs: number; readonly by: CarrierId };

interface StartedRead<Answer> {
  readonly startedAt: number;
  readonly outcome: Promise<ReadOutcome<Answer>>;
}

export interface ReadRouteOptions<Answer> {
  /** Carriers in the order to ask them. */
  readonly carriers: readonly CarrierRegistration[];
  readonly operation: CarrierOperation;
  readonly deadline: ReadDeadline;
  readonly hedgeDelay: HedgeDelay;
  readonly now: () => number;
  /** Reads at one carrier (the cache first) under the signal of its time allowance. Never rejects. */
  readonly read: (registration: CarrierRegistration, signal: AbortSignal) => Promise<ReadOutcome<Answer>>;
}

/**
 * Asks carriers for a read (search, availability) in order, each within its allowance of the caller's
 * deadline, and hedges: when a carrier has not answered within its hedge delay, the next carrier is asked
 * too. A read started here is never cancelled because the route moved on: it runs until it answers or its
 * allowance ends, so a carrier that hangs is judged by the time it was given, and a late answer still fills
 * the cache.
 */
export class ReadRoute<Answer> {
  readonly #options: ReadRouteOptions<Answer>;
  readonly #started = new Map<number, StartedRead<Answer>>();

  constructor(options: ReadRouteOptions<Answer>) {
    this.#options = options;
  }

  /** Whether the carrier at `index` was asked (a hedge may have asked it before its turn). */
  asked(index: number): boolean {
    return this.#started.has(index);
  }

  /**
   * The carrier at `index` takes its turn: asked now unless a hedge already asked it, then waited for. After
   * its hedge delay the next carrier is asked too, and if that answer alone `serves` the request, the turn
   * ends without waiting any longer.
   */
  step(index: number, serves: (answer: Answer) => boolean | Promise<boolean>): Promise<ReadStep<Answer>> {
    const current = this.#start(index);
    const carrierId = this.#carrierId(index);
    const nextIndex = index + 1 < this.#options.carriers.length ? index + 1 : undefined;
    return new Promise<ReadStep<Answer>>((resolve) => {
      let done = false;
      let hedgeTimer: NodeJS.Timeout | undefined;
      const finish = (step: ReadStep<Answer>) => {
        if (done) return;
        done = true;
        clearTimeout(hedgeTimer);
        resolve(step);
      };
      void current.outcome.then((outcome) => finish({ kind: "settled", outcome }));
      if (nextIndex === undefined) return;
      const watch = (hedged: StartedRead<Answer>) =>
        void hedged.outcome
          .then(async (outcome) => {
            if (done || outcome.kind !== "answered" || !(await serves(outcome.answer))) return;
            finish({ kind: "superseded", waitedMs: this.#options.now() - current.startedAt, by: this.#carrierId(nextIndex) });
          })
          // Could not tell whether the hedged answer serves (the holds snapshot failed): keep waiting for this one.
          .catch(() => undefined);
      const alreadyAsked = this.#started.get(nextIndex);
      if (alreadyAsked) {
        watch(alreadyAsked);
        return;
      }
      const delay = this.#options.hedgeDelay(carrierId, this.#options.operation);
      if (delay === undefined) return;
      hedgeTimer = setTimeout(
        () => {
          if (!done && !this.#options.deadline.over) watch(this.#start(nextIndex));
        },
        Math.max(0, current.startedAt + delay - this.#options.now()),
      );
    });
  }

  #start(index: number): StartedRead<Answer> {
    const existing = this.#started.get(index);
    if (existing) return existing;
    const registration = this.#options.carriers[index];
    if (!registration) throw new Error(`no carrier at routing position ${index}`);
    const usualLatencyMs = this.#options.hedgeDelay(registration.adapter.descriptor.id, this.#options.operation);
    const allowance = this.#options.deadline.allowance(this.#options.carriers.length - index - 1, usualLatencyMs);
    const startedAt = this.#options.now();
    const outcome = this.#options.read(registration, allowance.signal).finally(() => allowance.dispose());
    const started = { startedAt, outcome };
    this.#started.set(index, started);
    return started;
  }

  #carrierId(index: number): CarrierId {
    const registration = this.#options.carriers[index];
    if (!registration) throw new Error(`no carrier at routing position ${index}`);
    return registration.adapter.descriptor.id;
  }
}
