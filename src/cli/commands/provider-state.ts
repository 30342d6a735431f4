import { stringOption, type CommandDefinition, type CommandContext } from "../command-definition.js";
import type { SetProviderEnabledResponse } from "../messages.js";
import { providerState } from "./providers.js";

/** SetProviderEnabled: `drain` stops new calls to a carrier (in-flight ones finish), `enable` undoes it. */
async function setEnabled({ rpc, output, options, arguments: [providerId = ""] }: CommandContext, enabled: boolean): Promise<void> {
  const reason = stringOption(options, "reason") ?? "";
  const response = await rpc.unary<SetProviderEnabledResponse>("SetProviderEnabled", { providerId, enabled, reason });
  if (output.json) return output.document(response);
  const state = response.provider ? providerState(response.provider) : enabled ? "enabled" : "drained";
  output.lines([`${providerId}: ${state}${reason === "" ? "" : ` (${reason})`}`]);
}

const REASON_HELP = "--reason TEXT   why, for the audit log";

export const drainCommand: CommandDefinition = {
  name: "drain",
  usage: "drain <provider> [--reason TEXT]",
  summary: "stop sending new calls to a carrier; in-flight calls finish",
  help: [REASON_HELP],
  options: { reason: { type: "string" } },
  arguments: ["provider"],
  run: (context) => setEnabled(context, false),
};

export const enableCommand: CommandDefinition = {
  name: "enable",
  usage: "enable <provider> [--reason TEXT]",
  summary: "send calls to a drained carrier again",
  help: [REASON_HELP],
  options: { reason: { type: "string" } },
  arguments: ["provider"],
  run: (context) => setEnabled(context, true),
};
