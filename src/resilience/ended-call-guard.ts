import { Module, type Circuit, type CircuitFunction } from "mollitia";

/** A retry of a call that already ended (its caller left or its time ran out): nothing was sent. */
export class CallEndedError extends Error {
  constructor() {
    super("the call already ended; this attempt was not made");
    this.name = "CallEndedError";
  }
}

/**
 * A mollitia module placed right inside the bulkhead, before the breaker: it refuses an attempt whose call
 * has already ended. mollitia's retry sleeps through its backoff with no way to cancel it, and the bulkhead
 * may grant a queued attempt its slot after its caller left; without this guard such a late attempt would
 * pass through the breaker, which records every call it sees (a refused late attempt would count as a
 * success and dilute the failure rate of a carrier that is in fact failing).
 */
export class EndedCallGuard extends Module {
  readonly #hasEnded: (call: unknown) => boolean;

  constructor(hasEnded: (call: unknown) => boolean) {
    super({ name: "ended-call-guard" });
    this.#hasEnded = hasEnded;
  }

  // mollitia's signature: the circuit, the inner chain, then the caller's arguments (the invocation last).
  override async execute<T>(_circuit: Circuit, promise: CircuitFunction, ...params: unknown[]): Promise<T> {
    if (this.#hasEnded(params.at(-1))) throw new CallEndedError();
    return (await promise(...params)) as T;
  }
}
