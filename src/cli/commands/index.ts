import type { CommandDefinition } from "../command-definition.js";
import { auditCommand } from "./audit.js";
import { healthCommand } from "./health.js";
import { orderCommand, ordersCommand } from "./orders.js";
import { portCommand, portsCommand } from "./ports.js";
import { drainCommand, enableCommand } from "./provider-state.js";
import { providersCommand } from "./providers.js";
import { searchCommand } from "./search.js";
import { tokenCommand } from "./token.js";

/** Every command, in the order the help lists them. */
export const COMMANDS: readonly CommandDefinition[] = [
  providersCommand,
  healthCommand,
  searchCommand,
  drainCommand,
  enableCommand,
  orderCommand,
  ordersCommand,
  portCommand,
  portsCommand,
  auditCommand,
  tokenCommand,
];

export function findCommand(name: string): CommandDefinition | undefined {
  return COMMANDS.find((command) => command.name === name);
}
