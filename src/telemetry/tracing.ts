import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { ConfigError } from "../config/config-problems.js";
import { NOOP_TRACER, type SpanStarter } from "./tracing-noop.js";

export { NOOP_TRACER, type SpanStarter } from "./tracing-noop.js";

/** The instrumentation scope of every numbergate span. */
export const TRACER_NAME = "numbergate";

/** The values of OTEL_TRACES_EXPORTER numbergate understands (a comma-separated list of them). */
export const TRACES_EXPORTERS = ["otlp", "console", "none"] as const;
type TracesExporterName = (typeof TRACES_EXPORTERS)[number];

export interface TracingOptions {
  /**
   * Where spans go instead of what OTEL_TRACES_EXPORTER names (tests pass an InMemorySpanExporter); exported
   * one by one as each span ends, so a test reads them as soon as the call has returned.
   */
  readonly spanExporter?: SpanExporter;
  /** The variables to read (OTEL_TRACES_EXPORTER, OTEL_SERVICE_NAME). Defaults to process.env. */
  readonly environment?: Readonly<Record<string, string | undefined>>;
}

/**
 * The traces of one running numbergate: its own TracerProvider (never the global one, so several numbergates in
 * one process, as in tests, keep their spans apart). With no exporter (OTEL_TRACES_EXPORTER unset or `none`)
 * there is no provider at all and the tracer is the no-op one.
 */
export interface NumbergateTracing {
  readonly tracer: SpanStarter;
  /** The exporters spans go to ("otlp", "console", "injected"); empty when tracing is off. */
  readonly exporters: readonly string[];
  /** Exports every span ended so far (OTLP batches them). */
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Builds the tracing of one numbergate from OTEL_TRACES_EXPORTER: `otlp` (OTLP over HTTP/protobuf; the exporter
 * reads OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, _HEADERS and _TIMEOUT itself), `console`
 * (stdout, for a look on a workstation), `none` (the default). Throws a ConfigError naming the variable for any
 * other value. The provider's sampler follows OTEL_TRACES_SAMPLER (default: parent-based, always on).
 */
export function createTracing(options: TracingOptions = {}): NumbergateTracing {
  const environment = options.environment ?? process.env;
  const names = exporterNames(environment);
  const processors = options.spanExporter ? [new SimpleSpanProcessor(options.spanExporter)] : processorsFor(names);
  const exporters = options.spanExporter ? ["injected"] : names.filter((name) => name !== "none");
  if (processors.length === 0) return { tracer: NOOP_TRACER, exporters, forceFlush: async () => {}, shutdown: async () => {} };
  useAsyncLocalStorageContext();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": environment["OTEL_SERVICE_NAME"] || "numbergate" }),
    spanProcessors: processors,
  });
  let shutDown = false;
  return {
    tracer: provider.getTracer(TRACER_NAME),
    exporters,
    forceFlush: () => provider.forceFlush(),
    async shutdown() {
      if (shutDown) return;
      shutDown = true;
      await provider.shutdown();
    },
  };
}

function exporterNames(environment: Readonly<Record<string, string | undefined>>): TracesExporterName[] {
  const raw = environment["OTEL_TRACES_EXPORTER"]?.trim() ?? "";
  if (raw === "") return ["none"];
  const names = raw.split(",").map((name) => name.trim().toLowerCase());
  const unknown = names.filter((name) => !isExporterName(name));
  if (unknown.length > 0) throw new ConfigError(`OTEL_TRACES_EXPORTER: ${unknown.join(", ")} is not one of ${TRACES_EXPORTERS.join(", ")}`);
  const known = names.filter(isExporterName);
  // "none" alongside another exporter is a contradiction the spec settles for none.
  return known.includes("none") ? ["none"] : [...new Set(known)];
}

function isExporterName(name: string): name is TracesExporterName {
  return (TRACES_EXPORTERS as readonly string[]).includes(name);
}

function processorsFor(names: readonly TracesExporterName[]): SpanProcessor[] {
  return names.flatMap((name): SpanProcessor[] => {
    switch (name) {
      case "otlp":
        return [new BatchSpanProcessor(new OTLPTraceExporter())];
      case "console":
        return [new SimpleSpanProcessor(new ConsoleSpanExporter())];
      case "none":
        return [];
    }
  });
}

let contextManagerInstalled = false;

/**
 * Spans nest across awaits only with a context manager that follows async work, and the OpenTelemetry API keeps
 * exactly one per process (the SDK's tracers read the active context through it): installed once, by the first
 * numbergate that traces, and left in place (other numbergates of the process share it; it holds no state of
 * theirs). A context manager some other code installed first is kept, as the API does.
 */
function useAsyncLocalStorageContext(): void {
  if (contextManagerInstalled) return;
  contextManagerInstalled = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}
