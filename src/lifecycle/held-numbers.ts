import type { ReservationStore } from "../store/reservation-store.js";

/**
 * Which numbers are held (reserved or being bought), for hiding them from search and availability answers.
 * Read from a snapshot of the holds table that is at most `maxAgeMs` old, so searches cost no database round
 * trip each. This replica's own holds invalidate the snapshot at once; another replica's show up within
 * `maxAgeMs`. Exclusivity never depends on it: the hold's primary key refuses a second holder regardless.
 */
export class HeldNumbers {
  #snapshot: ReadonlySet<string> = new Set();
  #takenAt = Number.NEGATIVE_INFINITY;
  #loading: Promise<ReadonlySet<string>> | undefined;

  constructor(
    private readonly reservations: ReservationStore,
    private readonly now: () => number,
    private readonly maxAgeMs = 500,
  ) {}

  async among(e164s: readonly string[]): Promise<ReadonlySet<string>> {
    if (e164s.length === 0) return new Set();
    const held = await this.#current();
    return new Set(e164s.filter((e164) => held.has(e164)));
  }

  /** This replica changed a hold: the next read loads a fresh snapshot. */
  invalidate(): void {
    this.#takenAt = Number.NEGATIVE_INFINITY;
  }

  async #current(): Promise<ReadonlySet<string>> {
    if (this.now() - this.#takenAt < this.maxAgeMs) return this.#snapshot;
    this.#loading ??= this.reservations
      .allHeld(this.now())
      .then((held) => {
        this.#snapshot = held;
        this.#takenAt = this.now();
        return held;
      })
      .finally(() => (this.#loading = undefined));
    return this.#loading;
  }
}
