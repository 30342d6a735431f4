import type { CommandDefinition } from "./command-definition.js";
import { COMMANDS } from "./commands/index.js";
import { GLOBAL_HELP } from "./global-options.js";

export const GLOBAL_USAGE = "usage: numbergate [options] <command> [arguments]";

export const EXIT_CODE_HELP: readonly string[] = [
  "0  success",
  "1  the server answered with an error status (printed with its decoded details)",
  "2  usage error: unknown command or option, missing or malformed argument",
  "3  the server could not be reached (UNAVAILABLE before any answer, or the deadline ran out connecting)",
];

const indent = (lines: readonly string[]): string[] => lines.map((line) => `  ${line}`);

export function commandUsage(command: CommandDefinition): string {
  return `usage: numbergate [options] ${command.usage}`;
}

export function globalHelp(): string[] {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return [
    "numbergate: the operator CLI of the numbergate gRPC service (numbergate.v1.TelecomService)",
    "",
    GLOBAL_USAGE,
    "",
    "commands:",
    ...indent(COMMANDS.map((command) => `${command.name.padEnd(width)}  ${command.summary}`)),
    "",
    "options:",
    ...indent(GLOBAL_HELP),
    "",
    "exit codes:",
    ...indent(EXIT_CODE_HELP),
    "",
    "`numbergate <command> --help` describes a command.",
  ];
}

export function commandHelp(command: CommandDefinition): string[] {
  return [
    commandUsage(command),
    "",
    command.summary,
    ...(command.help.length === 0 ? [] : ["", ...indent(command.help)]),
    "",
    "options of every command:",
    ...indent(GLOBAL_HELP),
    "",
    "exit codes:",
    ...indent(EXIT_CODE_HELP),
  ];
}
