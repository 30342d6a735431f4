import { parseArgs } from "node:util";
import type { CommandDefinition, OptionSpecs, OptionValues } from "./command-definition.js";
import { COMMANDS, findCommand } from "./commands/index.js";
import { UsageError } from "./exit-codes.js";
import { GLOBAL_OPTIONS } from "./global-options.js";

/** What the command line asks for. */
export type Invocation =
  | { readonly kind: "help"; readonly command: CommandDefinition | undefined }
  | { readonly kind: "version" }
  | { readonly kind: "run"; readonly command: CommandDefinition; readonly options: OptionValues; readonly arguments: readonly string[] };

/** Every option any command knows: enough to tell option values from the command's name in a first pass. */
const EVERY_OPTION: OptionSpecs = Object.assign({}, GLOBAL_OPTIONS, ...COMMANDS.map((command) => command.options));

/** The first word that is not an option or an option's value. */
function commandName(argv: readonly string[]): { name: string | undefined; options: OptionValues; rest: readonly string[] } {
  const { values, positionals } = parseArgs({ args: [...argv], options: EVERY_OPTION, strict: false, allowPositionals: true });
  return { name: positionals[0], options: values, rest: positionals.slice(1) };
}

/** node:util's parse errors, shortened to what an operator needs. */
function usageProblem(error: unknown, command: string): UsageError {
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return new UsageError(`unknown option ${/'([^']+)'/.exec(message)?.[1] ?? message}`, command);
  return new UsageError(message, command);
}

export function parseCommandLine(argv: readonly string[]): Invocation {
  const first = commandName(argv);
  if (first.name === undefined) {
    if (first.options["version"] === true) return { kind: "version" };
    if (first.options["help"] === true) return { kind: "help", command: undefined };
    throw new UsageError("no command given");
  }
  if (first.name === "help") {
    const topic = first.rest[0];
    if (topic === undefined) return { kind: "help", command: undefined };
    const command = findCommand(topic);
    if (!command) throw new UsageError(`unknown command "${topic}"`);
    return { kind: "help", command };
  }
  const command = findCommand(first.name);
  if (!command) throw new UsageError(`unknown command "${first.name}"`);

  let parsed: { values: OptionValues; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options: { ...GLOBAL_OPTIONS, ...command.options }, strict: true, allowPositionals: true });
  } catch (error) {
    throw usageProblem(error, command.name);
  }
  if (parsed.values["help"] === true) return { kind: "help", command };
  if (parsed.values["version"] === true) return { kind: "version" };
  // positionals[0] is the command's own name.
  const given = parsed.positionals.slice(1);
  const missing = command.arguments[given.length];
  if (missing !== undefined) throw new UsageError(`${command.name} needs <${missing}>`, command.name);
  const extra = given[command.arguments.length];
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, command.name);
  return { kind: "run", command, options: parsed.values, arguments: given };
}
