import { pino, type Logger } from "pino";

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

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
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
