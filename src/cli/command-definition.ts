import type { ParseArgsConfig } from "node:util";
import type { Rpc } from "./connection.js";
import type { Contract } from "./contract.js";
import { UsageError } from "./exit-codes.js";
import type { Output } from "./output.js";

export type OptionSpecs = NonNullable<ParseArgsConfig["options"]>;

/** What node:util parseArgs hands back for options. */
export type OptionValues = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

export interface CommandContext {
  readonly rpc: Rpc;
  readonly output: Output;
  readonly contract: Contract;
  readonly options: OptionValues;
  /** The positional arguments after the command's name, as many as `arguments` names. */
  readonly arguments: readonly string[];
  /** Aborted on SIGINT or SIGTERM: streams and polls end cleanly. */
  readonly signal: AbortSignal;
}

/** One command: how it is called, what its help says, and what it does. */
export interface CommandDefinition {
  readonly name: string;
  /** After "numbergate": "drain <provider> [--reason TEXT]". */
  readonly usage: string;
  readonly summary: string;
  /** Help lines for the command's own options and arguments. */
  readonly help: readonly string[];
  readonly options: OptionSpecs;
  /** Names of the required positional arguments, in order. */
  readonly arguments: readonly string[];
  run(context: CommandContext): Promise<void>;
}

export function stringOption(options: OptionValues, name: string): string | undefined {
  const value = options[name];
  return typeof value === "string" ? value : undefined;
}

export function requiredString(options: OptionValues, name: string, command: string): string {
  const value = stringOption(options, name);
  if (value === undefined) throw new UsageError(`${command} needs --${name}`, command);
  return value;
}

/** A repeatable option, each occurrence also split at commas: --provider a,b --provider c. */
export function stringList(options: OptionValues, name: string): string[] {
  const value = options[name];
  const occurrences = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return occurrences.flatMap((occurrence) => (typeof occurrence === "string" ? occurrence.split(",") : [])).map((item) => item.trim()).filter((item) => item !== "");
}

export function flagOption(options: OptionValues, name: string): boolean {
  return options[name] === true;
}

/** A whole number of at least 1, or `fallback` when the option is absent. */
export function positiveInteger(options: OptionValues, name: string, fallback: number, command: string): number {
  const value = stringOption(options, name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--${name} must be a whole number of at least 1, not "${value}"`, command);
  return Number(value);
}
