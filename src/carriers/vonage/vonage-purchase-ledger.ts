import { LRUCache } from "lru-cache";

/** What this process did for one number of one order. */
export type VonageBuyProgress =
  /** doPurchase started: the ownership check is running, or ended without sending a buy. */
  | "checking"
  /** POST /number/buy was (or is about to be) sent. */
  | "sent";

/** Orders remembered; a lookup normally follows its purchase within minutes (NUMBERGATE_IN_DOUBT_GRACE). */
const MAX_ENTRIES = 10_000;

/**
 * This process's memory of the buys it sent, per order reference and number. Vonage lets a purchase carry no
 * reference (vonage.md, Buy), so this is the only record that a given order did, or did not, send its buy. It can
 * only make a lookup more conservative: an entry that says "checking" turns a number found on the account into
 * "this order did not buy it". A lookup it has no entry for (after a restart, or on another replica) falls back
 * to the rule in vonage-lifecycle.ts.
 */
export class VonagePurchaseLedger {
  readonly #entries = new LRUCache<string, VonageBuyProgress>({ max: MAX_ENTRIES });

  checking(orderReference: string, e164: string): void {
    const key = keyOf(orderReference, e164);
    // A buy once sent stays sent: a later attempt of the same call cannot unsend it.
    if (this.#entries.get(key) !== "sent") this.#entries.set(key, "checking");
  }

  sent(orderReference: string, e164: string): void {
    this.#entries.set(keyOf(orderReference, e164), "sent");
  }

  /** What this process did for the number under this order; undefined when it has no memory of it. */
  progress(orderReference: string, e164: string): VonageBuyProgress | undefined {
    return this.#entries.get(keyOf(orderReference, e164));
  }
}

function keyOf(orderReference: string, e164: string): string {
  return `${orderReference}\u0000${e164}`;
}
