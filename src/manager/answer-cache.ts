import { LRUCache } from "lru-cache";

export interface CachedAnswer<Value> {
  readonly value: Value;
  /** False once older than the TTL but still within the stale TTL. */
  readonly fresh: boolean;
}

interface Entry<Value> {
  value: Value;
  storedAt: number;
}

export interface AnswerCacheOptions {
  readonly ttlMs: number;
  /** Entries stay this long to be served as stale when carriers fail; at least ttlMs. */
  readonly staleTtlMs: number;
  readonly maxEntries: number;
  readonly now: () => number;
}

/**
 * Carrier answers keyed by a normalized request, with single-flight loading: N identical concurrent misses
 * make one carrier call. Entries past the TTL are kept (up to the stale TTL) for when carriers fail.
 */
export class AnswerCache<Value extends object> {
  readonly #entries: LRUCache<string, Entry<Value>>;
  readonly #loading = new Map<string, Promise<Value>>();
  readonly #options: AnswerCacheOptions;

  constructor(options: AnswerCacheOptions) {
    this.#options = options;
    this.#entries = new LRUCache({ max: options.maxEntries });
  }

  get(key: string): CachedAnswer<Value> | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    const age = this.#options.now() - entry.storedAt;
    if (age >= Math.max(this.#options.staleTtlMs, this.#options.ttlMs)) {
      this.#entries.delete(key);
      return undefined;
    }
    return { value: entry.value, fresh: age < this.#options.ttlMs };
  }

  set(key: string, value: Value): void {
    if (this.#options.ttlMs > 0 || this.#options.staleTtlMs > 0) this.#entries.set(key, { value, storedAt: this.#options.now() });
  }

  /**
   * Loads through `load` unless an identical load (same `flightKey`) is already running, and stores the
   * result under `key`. The flight key can be narrower than the key (a search for 20 numbers and one for 50
   * share a cache entry but not a flight).
   */
  load(key: string, load: () => Promise<Value>, flightKey: string = key): Promise<Value> {
    const running = this.#loading.get(flightKey);
    if (running) return running;
    const loading = load()
      .then((value) => {
        this.set(key, value);
        return value;
      })
      .finally(() => this.#loading.delete(flightKey));
    this.#loading.set(flightKey, loading);
    return loading;
  }

  /** Rewrites every entry (for example to drop a number that was just bought); undefined deletes. */
  rewrite(update: (value: Value) => Value | undefined): void {
    for (const [key, entry] of this.#entries.entries()) {
      const updated = update(entry.value);
      if (updated === undefined) this.#entries.delete(key);
      else if (updated !== entry.value) entry.value = updated;
    }
  }

  /** The first stored value matching, fresh or not. */
  find(predicate: (value: Value) => boolean): Value | undefined {
    for (const entry of this.#entries.values()) if (predicate(entry.value)) return entry.value;
    return undefined;
  }

  clear(): void {
    this.#entries.clear();
  }
}
