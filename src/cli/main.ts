import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseCommandLine } from "./command-line.js";
import { connect } from "./connection.js";
import { loadContract } from "./contract.js";
import { createStatusDecoder } from "./error-details.js";
import { ExitCode, UsageError } from "./exit-codes.js";
import { findCommand } from "./commands/index.js";
import { connectionSettings } from "./global-options.js";
import { commandHelp, commandUsage, GLOBAL_USAGE, globalHelp } from "./help.js";
import { listenForInterruption } from "./interruption.js";
import { Output } from "./output.js";
import { RpcFailure } from "./rpc-failure.js";

/** The version in the package.json beside the contract: the CLI and the protos it reads ship together. */
function cliVersion(protoRoot: string): string {
  const manifest = JSON.parse(readFileSync(join(dirname(protoRoot), "package.json"), "utf8")) as { version?: string };
  return manifest.version ?? "unknown";
}

function reportUsage(output: Output, error: UsageError): void {
  const command = error.command === undefined ? undefined : findCommand(error.command);
  const usage = command ? commandUsage(command) : GLOBAL_USAGE;
  const hint = command ? `run \`numbergate ${command.name} --help\` for its options` : "run `numbergate --help` for the commands";
  if (output.json) output.errorDocument({ error: { code: "USAGE", message: error.message, usage } });
  else output.errorLines([`error: ${error.message}`, usage, hint]);
}

/** Runs one command line and says how the process should exit. */
export async function run(argv: readonly string[], environment: NodeJS.ProcessEnv = process.env): Promise<number> {
  // --json decides the error format even when the rest of the command line is wrong.
  const output = new Output(argv.includes("--json"));
  const interruption = listenForInterruption();
  try {
    const invocation = parseCommandLine(argv);
    const contract = loadContract();
    if (invocation.kind === "version") {
      output.lines([`numbergate ${cliVersion(contract.roots.contract)}`]);
      return ExitCode.SUCCESS;
    }
    if (invocation.kind === "help") {
      output.lines(invocation.command ? commandHelp(invocation.command) : globalHelp());
      return ExitCode.SUCCESS;
    }
    const settings = connectionSettings(invocation.options, environment);
    const rpc = connect(settings, contract, createStatusDecoder(contract.roots), interruption.signal);
    try {
      await invocation.command.run({ rpc, output, contract, options: invocation.options, arguments: invocation.arguments, signal: interruption.signal });
    } finally {
      rpc.close();
    }
    return ExitCode.SUCCESS;
  } catch (error) {
    const signal = interruption.received();
    // A call cancelled by Ctrl-C: the operator knows, and the exit code says so.
    if (signal !== undefined && error instanceof RpcFailure) return signal === "SIGINT" ? 130 : 143;
    if (error instanceof UsageError) {
      reportUsage(output, error);
      return ExitCode.USAGE;
    }
    if (error instanceof RpcFailure) {
      if (output.json) output.errorDocument(error.toJSON());
      else output.errorLines(error.describe());
      return error.exitCode;
    }
    // Not the server's answer nor the command line: a broken contract file, a bug. Said briefly, not as a stack.
    output.errorLines([`error: ${error instanceof Error ? error.message : String(error)}`]);
    return ExitCode.SERVER_ERROR;
  } finally {
    interruption.dispose();
  }
}

process.exitCode = await run(process.argv.slice(2));
