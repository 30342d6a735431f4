import { readFileSync } from "node:fs";
import type { OptionSpecs, OptionValues } from "./command-definition.js";
import { flagOption, stringOption } from "./command-definition.js";
import type { ConnectionSettings, TlsSettings } from "./connection.js";
import { UsageError } from "./exit-codes.js";

export const DEFAULT_ADDRESS = "127.0.0.1:50051";
export const DEFAULT_TIMEOUT_SECONDS = 10;

/** Options every command takes, before or after its name. */
export const GLOBAL_OPTIONS: OptionSpecs = {
  address: { type: "string" },
  token: { type: "string" },
  "token-file": { type: "string" },
  tls: { type: "boolean" },
  ca: { type: "string" },
  cert: { type: "string" },
  key: { type: "string" },
  "server-name": { type: "string" },
  json: { type: "boolean" },
  timeout: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
};

export const GLOBAL_HELP: readonly string[] = [
  "--address HOST:PORT   numbergate's gRPC address (default: $NUMBERGATE_ADDRESS, else 127.0.0.1:50051)",
  "--token TOKEN         sent as `authorization: Bearer TOKEN` (default: $NUMBERGATE_TOKEN); never printed",
  "--token-file FILE     read the token from FILE instead",
  "--tls                 TLS with the system's root certificates",
  "--ca FILE             TLS, trusting the PEM roots in FILE",
  "--cert FILE           TLS with this client certificate (mTLS), with --key",
  "--key FILE            the client certificate's private key",
  "--server-name NAME    check the server's certificate against NAME instead of the address's host",
  "--json                machine output: one JSON document per result, one JSON object per line for streams;",
  "                      errors as JSON on stderr",
  "--timeout SECONDS     deadline of each call (default 10, 0 for none); watch and follow streams have none",
  "--help, -h            this help, or a command's with `numbergate <command> --help`",
  "--version             the CLI's version",
];

function readOptionFile(options: OptionValues, name: string): Buffer | undefined {
  const path = stringOption(options, name);
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (error) {
    throw new UsageError(`cannot read --${name} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

function tokenOf(options: OptionValues, environment: NodeJS.ProcessEnv): string | undefined {
  const direct = stringOption(options, "token");
  const file = readOptionFile(options, "token-file");
  if (direct !== undefined && file !== undefined) throw new UsageError("give --token or --token-file, not both");
  // A token file usually ends with a newline that is not part of the token.
  const token = direct ?? file?.toString("utf8").trim() ?? environment["NUMBERGATE_TOKEN"];
  return token === undefined || token === "" ? undefined : token;
}

function tlsOf(options: OptionValues): TlsSettings | undefined {
  const ca = readOptionFile(options, "ca");
  const cert = readOptionFile(options, "cert");
  const key = readOptionFile(options, "key");
  const serverName = stringOption(options, "server-name");
  if ((cert === undefined) !== (key === undefined)) throw new UsageError("--cert and --key go together");
  // Any TLS setting means TLS: a CA file without --tls must not silently fall back to plaintext.
  if (!flagOption(options, "tls") && ca === undefined && cert === undefined && serverName === undefined) return undefined;
  return { ca, cert, key, serverName };
}

function timeoutOf(options: OptionValues): number | undefined {
  const value = stringOption(options, "timeout");
  if (value === undefined) return DEFAULT_TIMEOUT_SECONDS;
  const seconds = Number(value);
  if (value.trim() === "" || !Number.isFinite(seconds) || seconds < 0) throw new UsageError(`--timeout must be a number of seconds, not "${value}"`);
  return seconds === 0 ? undefined : seconds;
}

export function connectionSettings(options: OptionValues, environment: NodeJS.ProcessEnv): ConnectionSettings {
  const address = stringOption(options, "address") ?? (environment["NUMBERGATE_ADDRESS"] || DEFAULT_ADDRESS);
  if (address.trim() === "") throw new UsageError("--address must not be empty");
  return { address, token: tokenOf(options, environment), tls: tlsOf(options), timeoutSeconds: timeoutOf(options) };
}
