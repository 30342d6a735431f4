import { status as GrpcStatus } from "@grpc/grpc-js";
import type { CommandDefinition } from "../command-definition.js";
import { formatDuration, formatPercent, formatTime } from "../formatting.js";
import type { GetProviderHealthResponse, GetProviderMetricsResponse, ListProvidersResponse, Provider, ProviderHealth, ProviderMetrics } from "../messages.js";
import { RpcFailure } from "../rpc-failure.js";
import { breakerCell, statusCell } from "./health-cells.js";

/** "enabled", "drained" (SetProviderEnabled) or "disabled" (configuration). */
export function providerState(provider: Provider): string {
  if (provider.enabled) return "enabled";
  // The contract has no field for why; numbergate's disabled_reason says "drained by SetProviderEnabled".
  return /drain/i.test(provider.disabledReason) ? "drained" : "disabled";
}

/** The rolling window when it saw calls (what is happening now), else the figures since start. */
function recentMetrics(metrics: ProviderMetrics | undefined): { errors: string; latency: string } {
  if (!metrics) return { errors: "", latency: "" };
  const window = metrics.rollingWindow && metrics.rollingWindow.totalRequests !== "0" ? metrics.rollingWindow : metrics;
  if (window.totalRequests === "0") return { errors: "-", latency: "-" };
  return { errors: formatPercent(window.errorRate), latency: formatDuration(window.averageResponseTime) };
}

export const providersCommand: CommandDefinition = {
  name: "providers",
  usage: "providers",
  summary: "the carriers: enabled or drained, health, breaker, traffic weight, error rate, latency",
  help: ["ListProviders joined with GetProviderHealth and GetProviderMetrics (latency is the average response time)."],
  options: {},
  arguments: [],
  async run({ rpc, output }) {
    const [listed, health, metrics] = await Promise.all([
      rpc.unary<ListProvidersResponse>("ListProviders", {}),
      rpc.unary<GetProviderHealthResponse>("GetProviderHealth", { providerId: "" }),
      // Metrics are extra columns: a server without the RPC still gets its table.
      rpc.unary<GetProviderMetricsResponse>("GetProviderMetrics", { providerId: "" }).catch((error: unknown) => {
        if (error instanceof RpcFailure && error.code === GrpcStatus.UNIMPLEMENTED) return { providers: [] };
        throw error;
      }),
    ]);
    const healthOf = new Map<string, ProviderHealth>(health.providers.map((entry) => [entry.providerId, entry]));
    const metricsOf = new Map<string, ProviderMetrics>(metrics.providers.map((entry) => [entry.providerId, entry]));

    if (output.json) {
      output.document({
        providers: listed.providers.map((provider) => ({ ...provider, health: healthOf.get(provider.providerId) ?? null, metrics: metricsOf.get(provider.providerId) ?? null })),
      });
      return;
    }
    const rows = listed.providers.map((provider) => {
      const entry = healthOf.get(provider.providerId);
      const recent = recentMetrics(metricsOf.get(provider.providerId));
      const state = providerState(provider);
      return [
        provider.providerId,
        { text: state, tone: state === "enabled" ? undefined : "warn" },
        statusCell(entry?.status),
        breakerCell(entry?.breakerState),
        entry ? formatPercent(entry.trafficWeight * 100) : "",
        recent.errors,
        recent.latency,
        formatTime(entry?.lastCheckTime),
        provider.disabledReason || entry?.lastError || "",
      ] as const;
    });
    output.table(["CARRIER", "STATE", "STATUS", "BREAKER", "WEIGHT", "ERRORS", "LATENCY", "LAST CHECK", "NOTE"], rows);
  },
};
