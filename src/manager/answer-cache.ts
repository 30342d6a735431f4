import { LRUCache } from "lru-cache";

export interface AnswerCacheOptions<Value = unknown> {
  /** Answers are served from cache this long; 0: never (identical concurrent loads still share one call). */
  readonly ttlMs: number;
  /** The last good answer is kept this long, to be served flagged stale when every carrier fails; 0: not kept. */
  readonly staleTtlMs: number;
  readonly maxEntries: number;
  /** The clock of both TTLs (lru-cache's `perf`), injected so tests can move time. */
  readonly now: () => number;
  /**
   * Whether a fresh answer already kept should stay rather than give way to one a sized flight just loaded
   * (a search keeps the answer that asked for more numbers: it serves more later searches). Default: never.
   */
  readonly keepOver?: (kept: Value, incoming: Value) => boolean;
}

/** What the first caller of a load hands lru-cache's fetchMethod: how to load, and the key its answer is kept under. */
interface LoadContext<Value> {
  readonly load: (signal: AbortSignal) => Promise<Value>;
  readonly key: string;
}

export interface LoadOptions {
  readonly signal?: AbortSignal;
  /** Load even over a fresh answer (one that does not cover the request). */
  readonly replace?: boolean;
  /**
   * How big a load this caller starts (a search's limit): loads of one key but different sizes run as separate
   * flights, and a caller joins a running flight only when `accepts` its size. Without it, every load of the key
   * is one flight.
   */
  readonly size?: number;
  readonly accepts?: (size: number) => boolean;
}

/**
 * One carrier call shared by every caller waiting for the same key. It runs under its own signal, not any
 * caller's: a caller that leaves (cancelled, or its share of the deadline ran out) never cancels the call for
 * the others. Only when nobody waits any more is it aborted, with the reason the last waiter left for, so
 * the pipeline can tell "the time ran out" (a timeout against the carrier) from "the caller went away".
 */
class Flight {
  readonly controller = new AbortController();
  waiters = 0;
  settled = false;
  constructor(
    readonly key: string,
    readonly size: number | undefined,
  ) {}
}

/** lru-cache's key of a sized flight; the answer is kept under the plain key. */
const flightKeyOf = (key: string, size: number | undefined): string => (size === undefined ? key : `${key}\u0000${size}`);

/**
 * Carrier answers keyed by a normalized request, on lru-cache: `ttl` decides freshness, `fetch` gives
 * single-flight loading (N identical concurrent misses make one carrier call), and a second cache holds the
 * last good answer for the stale TTL so it can be served, flagged, when every carrier fails.
 *
 * lru-cache links only the first caller's `signal` to a shared fetch, and its `ignoreFetchAbort` /
 * `allowStaleOnFetchAbort` only choose between "every waiter fails" and "nobody can stop it": so each fetch
 * gets a flight signal that this class aborts once the last waiter has left, and each caller races its own
 * signal against the shared result.
 */
export class AnswerCache<Value extends object> {
  readonly #fresh: LRUCache<string, Value, LoadContext<Value>>;
  readonly #lastGood: LRUCache<string, Value> | undefined;
  readonly #flights = new Map<string, Flight>();
  readonly #servesFresh: boolean;

  constructor(options: AnswerCacheOptions<Value>) {
    // ttlResolution 0: read the injected clock on every check rather than caching it behind a timer.
    const clock = { perf: { now: options.now }, ttlResolution: 0 };
    this.#servesFresh = options.ttlMs > 0;
    this.#fresh = new LRUCache<string, Value, LoadContext<Value>>({
      max: options.maxEntries,
      // lru-cache reads ttl 0 as "never expires"; when caching is off nothing is read from here anyway.
      ttl: options.ttlMs,
      ...clock,
      fetchMethod: async (fetchKey, _stale, { signal, context }) => {
        const value = await context.load(signal);
        // A sized flight's answer is kept under the plain key, where fresh() and lastGood() look.
        if (fetchKey !== context.key && this.#servesFresh) {
          const kept = this.#fresh.get(context.key);
          if (!kept || !options.keepOver?.(kept, value)) this.#fresh.set(context.key, value);
        }
        this.#lastGood?.set(context.key, value);
        return value;
      },
    });
    const staleTtlMs = Math.max(options.staleTtlMs, options.ttlMs);
    this.#lastGood = options.staleTtlMs > 0 ? new LRUCache<string, Value>({ max: options.maxEntries, ttl: staleTtlMs, ...clock }) : undefined;
  }

  /** The answer while fresh (younger than the TTL). */
  fresh(key: string): Value | undefined {
    return this.#servesFresh ? this.#fresh.get(key) : undefined;
  }

  /** The last good answer while younger than the stale TTL, fresh or not. */
  lastGood(key: string): Value | undefined {
    return this.#lastGood?.get(key);
  }

  /**
   * Loads through `load` unless a load of the same key (of a size this caller accepts) is already running, which
   * this caller then joins. `replace` loads even over a fresh answer (one that does not cover the request). Rejects
   * with the signal's reason as soon as it aborts; the shared load goes on while anyone else waits for it.
   */
  async load(key: string, load: (signal: AbortSignal) => Promise<Value>, options: LoadOptions = {}): Promise<Value> {
    for (let attempt = 0; ; attempt += 1) {
      options.signal?.throwIfAborted();
      const joinable = this.#joinableFlight(key, options);
      const size = joinable ? joinable.size : options.size;
      const flightKey = flightKeyOf(key, size);
      const candidate = new Flight(key, size);
      const status: LRUCache.Status<string, Value, LoadContext<Value>> = {};
      // lru-cache decides whether this call starts a fetch or joins the running one (and then ignores the signal).
      const result = this.#fresh.fetch(flightKey, {
        context: { load, key },
        forceRefresh: options.replace === true || !this.#servesFresh || flightKey !== key,
        signal: candidate.controller.signal,
        status,
      });
      if (status.fetchDispatched) {
        this.#track(flightKey, candidate, result);
        return this.#wait(candidate, result, options.signal);
      }
      const running = this.#flights.get(flightKey);
      if (status.fetch === "hit" || attempt >= 2) return this.#wait(running ?? candidate, result, options.signal);
      if (running && !running.controller.signal.aborted) return this.#wait(running, result, options.signal);
      // A flight aborted a moment ago stays in lru-cache until its rejection is handled: wait that out.
      await result.catch(() => undefined);
    }
  }

  /** A running, unaborted flight of the key whose size the caller accepts (the smallest such). */
  #joinableFlight(key: string, options: LoadOptions): Flight | undefined {
    if (options.size === undefined) return undefined;
    let best: Flight | undefined;
    for (const flight of this.#flights.values()) {
      if (flight.key !== key || flight.size === undefined || flight.controller.signal.aborted) continue;
      if (flight.size !== options.size && !options.accepts?.(flight.size)) continue;
      if (!best || flight.size < (best.size ?? 0)) best = flight;
    }
    return best;
  }

  /** The first kept answer (fresh or last good) matching. */
  find(predicate: (value: Value) => boolean): Value | undefined {
    for (const value of this.#fresh.values()) if (predicate(value)) return value;
    for (const value of this.#lastGood?.values() ?? []) if (predicate(value)) return value;
    return undefined;
  }

  #track(flightKey: string, flight: Flight, result: Promise<Value | undefined>): void {
    this.#flights.set(flightKey, flight);
    const land = () => {
      flight.settled = true;
      if (this.#flights.get(flightKey) === flight) this.#flights.delete(flightKey);
      // Caching off, or a sized flight (its answer is kept under the plain key): the flight's entry served its
      // waiters and is not kept (no other flight has started under it since).
      if ((!this.#servesFresh || flightKey !== flight.key) && !this.#flights.has(flightKey)) this.#fresh.delete(flightKey);
    };
    result.then(land, land);
  }

  #wait(flight: Flight, result: Promise<Value | undefined>, signal: AbortSignal | undefined): Promise<Value> {
    flight.waiters += 1;
    return new Promise<Value>((resolve, reject) => {
      let left = false;
      const leave = (): boolean => {
        if (left) return false;
        left = true;
        flight.waiters -= 1;
        signal?.removeEventListener("abort", onAbort);
        return true;
      };
      const onAbort = () => {
        if (!leave()) return;
        if (flight.waiters === 0 && !flight.settled) flight.controller.abort(signal?.reason);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      result.then(
        (value) => {
          if (!leave()) return;
          if (value === undefined) reject(new Error("the shared carrier call ended without an answer"));
          else resolve(value);
        },
        (error: unknown) => {
          if (leave()) reject(error);
        },
      );
    });
  }
}
