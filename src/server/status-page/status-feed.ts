import type { IncomingMessage, ServerResponse } from "node:http";
import type { CarrierHealthSnapshot, HealthMonitor } from "../../manager/carrier-health.js";
import type { CarrierCallsReading } from "../../telemetry/metrics.js";
import { OPEN_PORTING_STATES } from "../../store/porting-rows.js";
import type { StateCounts } from "../../store/state-counts.js";
import type { Logger } from "../../telemetry/logger.js";
import { StatusHistory, type CarrierSample, type OrderSample } from "../../telemetry/status-history.js";
import { bucketDelta, histogramQuantileMs, parseCarrierHistograms, type CarrierHistograms } from "./latency-histogram.js";

/** Between two samples of error rate, latency and order counts. */
export const SAMPLE_INTERVAL_MS = 5_000;
/** How much history the page draws, and the server keeps. */
export const RETENTION_MS = 60 * 60 * 1000;
/** A comment line on every stream this often, so proxies and the browser see the connection alive. */
export const HEARTBEAT_MS = 15_000;
/** Streams open at once; more are refused with 503 (the page retries later). */
export const MAX_STREAMS = 100;
/** What EventSource waits before reconnecting, sent as the stream's `retry:` field. */
export const RECONNECT_MS = 2_000;
/** A client this far behind in reading (bytes queued) is cut off rather than buffered without end. */
const MAX_QUEUED_BYTES = 1024 * 1024;

export interface StatusFeedOptions {
  readonly health: HealthMonitor;
  /**
   * One reading of the carrier-call instruments (the figures /metrics shows): their totals, for each interval's
   * requests and errors, and the Prometheus text, for latency percentiles. Without it, both are null.
   */
  readonly carrierCalls?: () => Promise<CarrierCallsReading>;
  /** Orders by state (Store.counts: cached a few seconds, shared with the metrics gauges). */
  readonly counts: () => Promise<StateCounts>;
  /** Wall-clock epoch ms. */
  readonly now: () => number;
  readonly logger: Logger;
  readonly sampleIntervalMs?: number;
  readonly retentionMs?: number;
  readonly heartbeatMs?: number;
  readonly maxStreams?: number;
}

/** What the page shows of a carrier's health: no error message (it may carry carrier text or numbers). */
export interface CarrierHealthView {
  readonly carrierId: string;
  readonly status: CarrierHealthSnapshot["status"];
  readonly breakerState: CarrierHealthSnapshot["breakerState"];
  readonly trafficWeight: number;
  readonly uptime: number;
  readonly statusChangedAt: number;
}

export type StatusEvent =
  | {
      readonly type: "snapshot";
      readonly serverTime: number;
      readonly sampleIntervalMs: number;
      readonly retentionMs: number;
      readonly carriers: readonly { readonly health: CarrierHealthView; readonly samples: readonly CarrierSample[] }[];
      readonly orders: readonly OrderSample[];
    }
  | { readonly type: "health"; readonly serverTime: number; readonly health: CarrierHealthView }
  | {
      readonly type: "sample";
      readonly serverTime: number;
      readonly carriers: readonly { readonly carrierId: string; readonly sample: CarrierSample }[];
      readonly orders: OrderSample;
    };

function view(snapshot: CarrierHealthSnapshot): CarrierHealthView {
  return {
    carrierId: snapshot.carrierId,
    status: snapshot.status,
    breakerState: snapshot.breakerState,
    trafficWeight: snapshot.trafficWeight,
    uptime: snapshot.uptime,
    statusChangedAt: snapshot.statusChangedAt,
  };
}

/** One SSE message: the event name, and the JSON on one data line (JSON.stringify never emits a raw newline). */
function encode(event: StatusEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

interface Totals {
  readonly requests: number;
  readonly failed: number;
}

/**
 * The status page's live feed (GET /events): samples every carrier's error rate and latency, and the orders in
 * doubt and ports pending, every few seconds into a bounded history; sends each stream a snapshot (the whole
 * history) first, then every HealthMonitor change as it happens and every new sample. Each stream listens to
 * the HealthMonitor itself and stops when its connection closes.
 */
export class StatusFeed {
  readonly #options: StatusFeedOptions;
  readonly #history: StatusHistory;
  readonly #streams = new Set<ServerResponse>();
  readonly #maxStreams: number;
  /** Lifetime attempt counts at the last sample; undefined before the first (the baseline). */
  #totals: Map<string, Totals> | undefined;
  #histograms: CarrierHistograms | undefined;
  #sampling: Promise<void> | undefined;
  #sampleTimer: NodeJS.Timeout | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: StatusFeedOptions) {
    this.#options = options;
    this.#maxStreams = options.maxStreams ?? MAX_STREAMS;
    this.#history = new StatusHistory({ retentionMs: options.retentionMs ?? RETENTION_MS, sampleIntervalMs: options.sampleIntervalMs ?? SAMPLE_INTERVAL_MS });
  }

  /** Streams open now. */
  get streamCount(): number {
    return this.#streams.size;
  }

  get history(): StatusHistory {
    return this.#history;
  }

  /** Takes the baseline the first interval is measured from (in the background), then samples on a timer. */
  start(): void {
    void this.sample();
    this.#sampleTimer = setInterval(() => void this.sample(), this.#history.sampleIntervalMs);
    this.#sampleTimer.unref();
    this.#heartbeatTimer = setInterval(() => {
      for (const stream of this.#streams) this.#write(stream, ": heartbeat\n\n");
    }, this.#options.heartbeatMs ?? HEARTBEAT_MS);
    this.#heartbeatTimer.unref();
  }

  /** One sample now (the timer's work; a sample still running is not started twice). */
  sample(): Promise<void> {
    this.#sampling ??= this.#takeSample()
      .catch((error: unknown) => this.#options.logger.warn({ err: error }, "status page sample failed"))
      .finally(() => {
        this.#sampling = undefined;
      });
    return this.#sampling;
  }

  /** GET /events. */
  serve(request: IncomingMessage, response: ServerResponse): void {
    if (this.#closed || this.#streams.size >= this.#maxStreams) {
      response.writeHead(503, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", "retry-after": "10" });
      response.end("too many status streams\n");
      return;
    }
    response.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      // Tell a buffering proxy (nginx) to pass each event on at once.
      "x-accel-buffering": "no",
    });
    response.flushHeaders();
    const { health } = this.#options;
    const listener = (snapshot: CarrierHealthSnapshot): void => {
      this.#write(response, encode({ type: "health", serverTime: this.#options.now(), health: view(snapshot) }));
    };
    // Snapshot and listener in the same tick: no change can fall between them.
    this.#streams.add(response);
    this.#write(response, `retry: ${RECONNECT_MS}\n\n${encode(this.#snapshot())}`);
    health.on("change", listener);
    const stop = (): void => {
      health.off("change", listener);
      this.#streams.delete(response);
    };
    response.once("close", stop);
    request.once("close", stop);
  }

  /** Ends every stream and the timers. */
  close(): void {
    this.#closed = true;
    clearInterval(this.#sampleTimer);
    clearInterval(this.#heartbeatTimer);
    for (const stream of [...this.#streams]) stream.end();
  }

  #snapshot(): StatusEvent {
    const now = this.#options.now();
    return {
      type: "snapshot",
      serverTime: now,
      sampleIntervalMs: this.#history.sampleIntervalMs,
      retentionMs: this.#history.retentionMs,
      carriers: this.#options.health.snapshots().map((snapshot) => ({ health: view(snapshot), samples: this.#history.carrierSamples(snapshot.carrierId, now) })),
      orders: this.#history.orderSamples(now),
    };
  }

  #write(stream: ServerResponse, text: string): void {
    if (stream.destroyed || stream.writableEnded) return;
    if (stream.writableLength > MAX_QUEUED_BYTES) {
      stream.destroy();
      return;
    }
    stream.write(text);
  }

  async #takeSample(): Promise<void> {
    const { health, carrierCalls, counts } = this.#options;
    const [reading, stateCounts] = await Promise.all([
      carrierCalls ? carrierCalls().catch(() => undefined) : Promise.resolve(undefined),
      counts().then(
        (value) => value,
        () => undefined,
      ),
    ]);
    if (this.#closed) return;
    const scraped = reading ? parseCarrierHistograms(reading.scrape) : undefined;
    const counted = reading?.totals;
    const now = this.#options.now();
    const previous = this.#totals;
    const totals = new Map<string, Totals>();
    const carriers: { carrierId: string; sample: CarrierSample }[] = [];
    for (const carrierId of health.carrierIds) {
      const carrierTotals = counted?.get(carrierId);
      const current = { requests: carrierTotals?.attempts ?? 0, failed: carrierTotals?.failedAttempts ?? 0 };
      totals.set(carrierId, current);
      if (!previous) continue;
      const before = previous.get(carrierId) ?? { requests: 0, failed: 0 };
      const requests = Math.max(0, current.requests - before.requests);
      const failed = Math.max(0, current.failed - before.failed);
      const interval = scraped && this.#histograms ? bucketDelta(scraped.get(carrierId), this.#histograms.get(carrierId)) : undefined;
      const sample: CarrierSample = {
        at: now,
        requests,
        errorRate: requests === 0 ? null : (failed / requests) * 100,
        p50Ms: interval ? histogramQuantileMs(interval, 0.5) : null,
        p99Ms: interval ? histogramQuantileMs(interval, 0.99) : null,
      };
      this.#history.recordCarrier(carrierId, sample);
      carriers.push({ carrierId, sample });
    }
    this.#totals = totals;
    this.#histograms = scraped;
    const porting = stateCounts?.portingOrders;
    const orders: OrderSample = {
      at: now,
      inDoubt: stateCounts ? (stateCounts.numberOrders["in_doubt"] ?? 0) : null,
      portsPending: porting ? (porting["pending"] ?? 0) : null,
      portsOpen: porting ? OPEN_PORTING_STATES.reduce((sum, state) => sum + (porting[state] ?? 0), 0) : null,
    };
    this.#history.recordOrders(orders);
    if (!previous) return;
    const event = encode({ type: "sample", serverTime: now, carriers, orders });
    for (const stream of this.#streams) this.#write(stream, event);
  }
}
