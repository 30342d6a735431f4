import type { ReservationStore } from "../store/reservation-store.js";

/**
 * Which numbers are not for sale to numbergate's clients (held: reserved or being bought; or owned), for
 * hiding them from search and availability answers. Read from a snapshot of the shared store that is at most
 * `maxAgeMs` old, so searches cost no database round trip each: this replica's own changes invalidate it at
 * once, another replica's show up within `maxAgeMs`. Exclusivity never depends on it: the hold's primary key
 * refuses a second holder regardless.
 */
export class HeldNumbers {
  #snapshot: ReadonlySet<string> = new Set();
  /** When the query behind the snapshot started: the store may have changed since, never before. */
  #takenAt = Number.NEGATIVE_INFINITY;
  /** Bumped by every invalidation; a load started under an older generation is not trusted as current. */
  #generation = 0;
  #loading: { readonly generation: number; readonly snapshot: Promise<ReadonlySet<string>> } | undefined;

  constructor(
    private readonly reservations: ReservationStore,
    private readonly now: () => number,
    private readonly maxAgeMs = 500,
  ) {}

  /** This replica changed a hold or an owned number: the next read loads a snapshot taken after the change. */
  invalidate(): void {
    this.#generation += 1;
    this.#takenAt = Number.NEGATIVE_INFINITY;
  }

  /**
   * Every held or owned number, as one snapshot object: the same object until a newer snapshot replaces it, so
   * an answer computed from it can be reused while it is current (see SearchMemo).
   */
  snapshot(): Promise<ReadonlySet<string>> {
    if (this.now() - this.#takenAt < this.maxAgeMs) return Promise.resolve(this.#snapshot);
    // A load that started before the last invalidation may not show that change: start a new one.
    if (this.#loading?.generation === this.#generation) return this.#loading.snapshot;
    const generation = this.#generation;
    const startedAt = this.now();
    const snapshot = this.reservations.allHeld(startedAt).then((held) => {
      // An older load landing after a newer one (or after an invalidation) must not overwrite it.
      if (generation === this.#generation && startedAt >= this.#takenAt) {
        this.#snapshot = held;
        this.#takenAt = startedAt;
      }
      return held;
    });
    const loading = { generation, snapshot };
    this.#loading = loading;
    const done = () => {
      if (this.#loading === loading) this.#loading = undefined;
    };
    snapshot.then(done, done);
    return snapshot;
  }
}
