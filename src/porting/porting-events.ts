import { EventEmitter } from "node:events";
import type { PortingOrderRecord } from "../store/porting-records.js";

export type PortingOrderListener = (order: PortingOrderRecord) => void;

/**
 * Changes to porting orders applied by this replica, for WatchPortingOrder. Each listener hears every change of
 * its order in the order they were committed; changes applied by other replicas are found by the watch's own
 * periodic re-read of the store (see watchPortingOrder).
 */
export class PortingEvents {
  readonly #emitter = new EventEmitter();

  constructor() {
    // Any number of watchers per order: each is a listener, and none is a leak.
    this.#emitter.setMaxListeners(0);
  }

  publish(order: PortingOrderRecord): void {
    this.#emitter.emit(order.id, order);
  }

  subscribe(orderId: string, listener: PortingOrderListener): () => void {
    this.#emitter.on(orderId, listener);
    return () => this.#emitter.off(orderId, listener);
  }

  listenerCount(orderId: string): number {
    return this.#emitter.listenerCount(orderId);
  }
}
