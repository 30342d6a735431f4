import { pino, type Logger } from "pino";
import pretty from "pino-pretty";

export type { Logger } from "pino";

/**
 * Field names that may hold secrets anywhere in a log object. Secrets are also wrapped in
 * config/secret.ts, so this is the second fence, not the first.
 */
const REDACTED_PATHS = [
  "password",
  "*.password",
  "authorization",
  "*.authorization",
  "*.headers.authorization",
  "pin",
  "*.pin",
  "account_number",
  "accountNumber",
  "*.accountNumber",
  "*.account_number",
  "authToken",
  "*.authToken",
  "apiSecret",
  "*.apiSecret",
  // Porting: what a port-in carries to the losing carrier, and the customer's e-mail, under any carrier's name.
  "pin_passcode",
  "*.pin_passcode",
  "*.*.pin_passcode",
  "*.PinNumber",
  "*.AccountNumber",
  "email",
  "*.email",
  "authorizedEmail",
  "*.authorizedEmail",
  "*.authorized_representative_email",
  "customerInfo",
  "*.customerInfo",
];

/**
 * Where log lines go when the caller names no destination: JSON on stdout for machines (a log shipper, a file,
 * a pipe), readable colored lines only when a person watches a terminal.
 */
export function defaultLogDestination(isTerminal: boolean = process.stdout.isTTY === true, terminal: NodeJS.WritableStream | number = 1): pino.DestinationStream | undefined {
  return isTerminal ? pretty({ colorize: typeof terminal === "number", sync: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname,service,name", destination: terminal }) : undefined;
}

export function createLogger(level: string, destination: pino.DestinationStream | undefined = defaultLogDestination()): Logger {
  return pino(
    {
      name: "numbergate",
      level,
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      base: { service: "numbergate" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/** A logger that drops everything, for tests and tools. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
