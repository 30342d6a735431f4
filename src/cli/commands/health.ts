import { flagOption, stringList, type CommandDefinition } from "../command-definition.js";
import { formatPercent, formatTime } from "../formatting.js";
import type { GetProviderHealthResponse, ProviderHealth, WatchProviderHealthResponse } from "../messages.js";
import { breakerName, HEALTH_HEADERS, healthRow, statusName } from "./health-cells.js";

/** "2025-03-01T12:00:05Z  vonage  healthy -> disabled  breaker closed  weight 100%  <last error>". */
function changeLine(health: ProviderHealth, previous: ProviderHealth | undefined): string {
  const status = previous && previous.status !== health.status ? `${statusName(previous.status)} -> ${statusName(health.status)}` : statusName(health.status);
  const breaker = previous && previous.breakerState !== health.breakerState ? `${breakerName(previous.breakerState)} -> ${breakerName(health.breakerState)}` : breakerName(health.breakerState);
  // A drain changes the status without a probe: the status change time says when, the last check does not.
  const when = formatTime(health.statusChangeTime) || formatTime(health.lastCheckTime) || formatTime({ seconds: String(Math.floor(Date.now() / 1000)), nanos: 0 });
  return [when, health.providerId, status, `breaker ${breaker}`, `weight ${formatPercent(health.trafficWeight * 100)}`, health.lastError].filter((part) => part !== "").join("  ");
}

export const healthCommand: CommandDefinition = {
  name: "health",
  usage: "health [--watch] [--provider ID...]",
  summary: "carrier health now, or live with --watch",
  help: [
    "--watch          WatchProviderHealth: the snapshot, then one line per change until Ctrl-C",
    "--provider ID    only these carriers (repeat it, or separate with commas)",
  ],
  options: { watch: { type: "boolean" }, provider: { type: "string", multiple: true } },
  arguments: [],
  async run({ rpc, output, options }) {
    const providerIds = stringList(options, "provider");
    if (!flagOption(options, "watch")) {
      // GetProviderHealth takes one carrier or all of them.
      const answers = providerIds.length === 0 ? [await rpc.unary<GetProviderHealthResponse>("GetProviderHealth", { providerId: "" })] : await Promise.all(providerIds.map((providerId) => rpc.unary<GetProviderHealthResponse>("GetProviderHealth", { providerId })));
      const providers = answers.flatMap((answer) => answer.providers);
      if (output.json) output.document({ providers });
      else output.table(HEALTH_HEADERS, providers.map(healthRow));
      return;
    }
    const latest = new Map<string, ProviderHealth>();
    for await (const message of rpc.stream<WatchProviderHealthResponse>("WatchProviderHealth", { providerIds })) {
      if (output.json) output.jsonLine(message);
      else if (message.snapshot) output.table(HEALTH_HEADERS, message.providers.map(healthRow));
      else output.lines(message.providers.map((health) => changeLine(health, latest.get(health.providerId))));
      for (const health of message.providers) latest.set(health.providerId, health);
    }
  },
};
