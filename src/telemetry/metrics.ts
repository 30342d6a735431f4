import type { Meter, UpDownCounter } from "@opentelemetry/api";
import { PrometheusExporter, PrometheusSerializer } from "@opentelemetry/exporter-prometheus";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import { carrierTotals, type CarrierTotals } from "./carrier-totals.js";
import type { Logger } from "./logger.js";

/** The content type of the Prometheus text exposition format that GET /metrics answers with. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/**
 * Bucket boundaries of every duration histogram, in seconds: the ones OpenTelemetry's semantic conventions
 * advise for rpc.server.call.duration (5 ms to 10 s), which also cover carrier calls up to their timeouts' scale.
 */
export const DURATION_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30];

/** One collection of the instruments, as the Prometheus text and as every carrier's totals. */
export interface CarrierCallsReading {
  readonly scrape: string;
  readonly totals: ReadonlyMap<string, CarrierTotals>;
}

/** What the server needs to count the WatchProviderHealth streams open (an UpDownCounter fits). */
export interface WatcherGauge {
  add(delta: number): void;
}

/**
 * The metrics of one running numbergate: its own MeterProvider (never the global one, so several numbergates
 * in one process, as in tests, keep their figures apart), read on demand by a Prometheus exporter whose own
 * HTTP server is never started: GET /metrics on numbergate's HTTP port serves `scrape()`.
 */
export interface NumbergateMetrics {
  readonly meter: Meter;
  /** Open WatchProviderHealth streams (numbergate.health.watchers). */
  readonly watchers: UpDownCounter & WatcherGauge;
  /** Collects every instrument (observable gauges call back now) and renders the Prometheus text format. */
  scrape(): Promise<string>;
  /** Every carrier's totals since start, read from the same instruments /metrics shows (carrier-totals.ts). */
  carrierTotals(): Promise<ReadonlyMap<string, CarrierTotals>>;
  /** The scrape and the carriers' totals from one collection (the status page samples both). */
  carrierCalls(): Promise<CarrierCallsReading>;
  /** When the instruments started counting (epoch ms): the period of the totals. */
  readonly startedAt: number;
  shutdown(): Promise<void>;
}

export const METER_NAME = "numbergate";

export function createMetrics(logger: Logger): NumbergateMetrics {
  // Read only through collect(): preventServerStart keeps the exporter from opening its own port (9464).
  const exporter = new PrometheusExporter({ preventServerStart: true });
  // No target_info series: the resource would only say "unknown_service" (numbergate sets no OTel resource).
  const serializer = new PrometheusSerializer("", false, undefined, true, false);
  const provider = new MeterProvider({ readers: [exporter] });
  const meter = provider.getMeter(METER_NAME);
  const watchers = meter.createUpDownCounter("numbergate.health.watchers", {
    description: "WatchProviderHealth streams open now",
    unit: "{watcher}",
  });
  let shutDown = false;
  const collect = async () => {
    const { resourceMetrics, errors } = await exporter.collect();
    // A failing callback (say, the database down for the state counts) loses its own series, not the collection.
    if (errors.length > 0) logger.warn({ errors: errors.map((error) => (error instanceof Error ? error.message : String(error))) }, "some metrics could not be collected");
    return resourceMetrics;
  };
  return {
    meter,
    watchers,
    startedAt: Date.now(),
    scrape: async () => serializer.serialize(await collect()),
    carrierTotals: async () => carrierTotals(await collect()),
    async carrierCalls() {
      const collected = await collect();
      return { scrape: serializer.serialize(collected), totals: carrierTotals(collected) };
    },
    async shutdown() {
      if (shutDown) return;
      shutDown = true;
      await provider.shutdown();
    },
  };
}
