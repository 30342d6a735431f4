import type { WatchProviderHealthResponse } from "../../generated/numbergate/v1/providers.js";
import type { CarrierHealthSnapshot, HealthMonitor } from "../manager/carrier-health.js";
import { healthToProto } from "./provider-mapping.js";

/** One WatchProviderHealth stream's end of the broadcast. */
export interface HealthSubscriber {
  /** Whether the stream watches this carrier. */
  watches(carrierId: string): boolean;
  /** A change for it; the message object is shared by every subscriber (never change it). */
  deliver(message: WatchProviderHealthResponse): void;
}

/** Subscribers served per turn of the event loop, so other work (the admin call that caused it) runs between. */
const DELIVERIES_PER_TURN = 1000;

/**
 * Carries health changes from the monitor to every WatchProviderHealth stream. The monitor tells one listener
 * (this), synchronously; the fan-out happens on later turns of the event loop, in chunks, so the call that
 * caused the change (SetProviderEnabled) does not wait for ten thousand watchers. Each change becomes one
 * message object shared by every stream, which the server encodes once (sharedResponseEncoding) and writes to
 * each as the same bytes.
 */
export class HealthBroadcast {
  readonly #subscribers = new Set<HealthSubscriber>();
  #pending: CarrierHealthSnapshot[] = [];
  #flushing = false;
  readonly #onChange = (snapshot: CarrierHealthSnapshot) => {
    this.#pending.push(snapshot);
    if (!this.#flushing) {
      this.#flushing = true;
      setImmediate(() => this.#flush());
    }
  };

  constructor(readonly monitor: HealthMonitor) {
    monitor.on("change", this.#onChange);
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /** Starts delivering changes to `subscriber`; the returned function stops it. */
  subscribe(subscriber: HealthSubscriber): () => void {
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }

  close(): void {
    this.monitor.off("change", this.#onChange);
    this.#subscribers.clear();
  }

  /** Delivers the pending changes in order, a chunk of subscribers per turn; changes arriving meanwhile follow. */
  async #flush(): Promise<void> {
    while (this.#pending.length > 0) {
      const changes = this.#pending;
      this.#pending = [];
      for (const snapshot of changes) {
        const message: WatchProviderHealthResponse = { providers: [healthToProto(snapshot)], snapshot: false };
        let delivered = 0;
        for (const subscriber of [...this.#subscribers]) {
          if (!subscriber.watches(snapshot.carrierId)) continue;
          subscriber.deliver(message);
          delivered += 1;
          if (delivered % DELIVERIES_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
        }
      }
    }
    this.#flushing = false;
  }
}
