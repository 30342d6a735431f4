/**
 * A fixed-size ring of the latest values: pushing into a full ring drops the oldest. Memory is bounded by
 * the capacity whatever the uptime (the status page keeps an hour of samples this way).
 */
export class RingBuffer<T> {
  readonly capacity: number;
  readonly #slots: (T | undefined)[];
  /** Index of the oldest value. */
  #start = 0;
  #size = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, not ${capacity}`);
    this.capacity = capacity;
    this.#slots = new Array<T | undefined>(capacity).fill(undefined);
  }

  get size(): number {
    return this.#size;
  }

  push(value: T): void {
    if (this.#size < this.capacity) {
      this.#slots[(this.#start + this.#size) % this.capacity] = value;
      this.#size += 1;
      return;
    }
    this.#slots[this.#start] = value;
    this.#start = (this.#start + 1) % this.capacity;
  }

  /** Oldest first. */
  toArray(): T[] {
    const values: T[] = [];
    for (let index = 0; index < this.#size; index += 1) {
      const value = this.#slots[(this.#start + index) % this.capacity];
      if (value !== undefined) values.push(value);
    }
    return values;
  }

  latest(): T | undefined {
    return this.#size === 0 ? undefined : this.#slots[(this.#start + this.#size - 1) % this.capacity];
  }
}

/** One carrier over one sampling interval. */
export interface CarrierSample {
  /** Wall-clock epoch ms at the end of the interval. */
  readonly at: number;
  /** Attempts at the carrier during the interval. */
  readonly requests: number;
  /** Percent of those attempts that failed (0-100); null without attempts. */
  readonly errorRate: number | null;
  /** Attempt duration percentiles over the interval, ms; null without attempts (or without the histogram). */
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

/** The orders an operator watches, at one moment. */
export interface OrderSample {
  readonly at: number;
  /** Number orders in doubt; null when the database did not answer. */
  readonly inDoubt: number | null;
  /** Porting orders not yet accepted by their carrier (state pending); null when the database did not answer. */
  readonly portsPending: number | null;
  /** Porting orders still open (any open state); null when the database did not answer. */
  readonly portsOpen: number | null;
}

/**
 * The last `retentionMs` of samples, per carrier and for the orders, each in its own bounded ring: a status
 * page opened late still draws the last hour, and memory never grows with uptime.
 */
export class StatusHistory {
  readonly retentionMs: number;
  readonly sampleIntervalMs: number;
  readonly #capacity: number;
  readonly #carriers = new Map<string, RingBuffer<CarrierSample>>();
  readonly #orders: RingBuffer<OrderSample>;

  constructor(options: { readonly retentionMs: number; readonly sampleIntervalMs: number }) {
    this.retentionMs = options.retentionMs;
    this.sampleIntervalMs = options.sampleIntervalMs;
    this.#capacity = Math.max(1, Math.ceil(options.retentionMs / options.sampleIntervalMs));
    this.#orders = new RingBuffer<OrderSample>(this.#capacity);
  }

  /** How many samples each ring holds at most. */
  get capacity(): number {
    return this.#capacity;
  }

  recordCarrier(carrierId: string, sample: CarrierSample): void {
    let ring = this.#carriers.get(carrierId);
    if (!ring) this.#carriers.set(carrierId, (ring = new RingBuffer<CarrierSample>(this.#capacity)));
    ring.push(sample);
  }

  recordOrders(sample: OrderSample): void {
    this.#orders.push(sample);
  }

  /** Oldest first, only those younger than the retention (a pause in sampling leaves no stale points). */
  carrierSamples(carrierId: string, now: number): CarrierSample[] {
    return (this.#carriers.get(carrierId)?.toArray() ?? []).filter((sample) => now - sample.at <= this.retentionMs);
  }

  orderSamples(now: number): OrderSample[] {
    return this.#orders.toArray().filter((sample) => now - sample.at <= this.retentionMs);
  }

  latestOrders(): OrderSample | undefined {
    return this.#orders.latest();
  }
}
