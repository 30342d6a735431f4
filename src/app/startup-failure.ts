import type { Secret } from "../config/secret.js";

/**
 * numbergate could not start. The message is one line for the operator: what failed, why, and what to change;
 * never a secret. The original error is kept as `cause` for a debug log.
 */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StartupError";
  }
}

/** Why the gRPC server could not listen. grpc-js reports it only as text ("... [listen EADDRINUSE: ...]"). */
export function listenFailure(error: unknown, address: string, variable = "NUMBERGATE_GRPC_ADDR"): StartupError {
  const text = messageOf(error);
  const reason = /EADDRINUSE/.test(text)
    ? "the address is already in use (another numbergate or another program is listening there)"
    : /EACCES/.test(text)
      ? "permission denied (ports below 1024 need privileges)"
      : /EADDRNOTAVAIL/.test(text)
        ? "no network interface of this machine has that address"
        : /name resolution failed/i.test(text)
          ? "the host name does not resolve"
          : text;
  return new StartupError(`cannot listen on ${address}: ${reason}; set ${variable} to a free host:port`, { cause: error });
}

/** Error codes of the drivers (node-postgres, better-sqlite3) and of Node's sockets, in the operator's words. */
const DATABASE_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused (is PostgreSQL running and listening on that host and port?)",
  ENOTFOUND: "the host name does not resolve",
  EAI_AGAIN: "the host name does not resolve (DNS is not answering)",
  ETIMEDOUT: "the connection timed out",
  EHOSTUNREACH: "the host is unreachable",
  ECONNRESET: "the server closed the connection",
  // PostgreSQL SQLSTATEs: invalid_password, invalid_authorization_specification, invalid_catalog_name.
  "28P01": "password authentication failed (check the user and password in DATABASE_URL)",
  "28000": "the server refused this user (check pg_hba.conf and the user in DATABASE_URL)",
  "3D000": "the database does not exist",
  EACCES: "permission denied (check the owner and mode of NUMBERGATE_DATA_DIR)",
  EROFS: "the file system is read-only",
  SQLITE_CANTOPEN: "the database file cannot be created or opened",
  SQLITE_NOTADB: "the file is not a SQLite database",
  SQLITE_CORRUPT: "the database file is corrupt",
};

/** Why the database could not be opened, naming which one (never with its password). */
export function databaseFailure(error: unknown, where: string, secrets: readonly (Secret | undefined)[]): StartupError {
  const code = errorCode(error);
  const reason = (code !== undefined ? DATABASE_REASONS[code] : undefined) ?? redact(messageOf(error), secrets);
  return new StartupError(`cannot open ${where}: ${reason}`, { cause: error });
}

/** Anything else that stopped start-up, as one line with known secrets and URL passwords blanked out. */
export function unexpectedFailure(error: unknown, secrets: readonly (Secret | undefined)[]): StartupError {
  return new StartupError(`start-up failed: ${redact(messageOf(error), secrets)}`, { cause: error });
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0] ?? "";
}

/** The first error code on the error, its `cause` chain, or the first of an AggregateError (both address families refused). */
function errorCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current !== null && typeof current === "object" && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && code !== "") return code;
    const inner = (current as { errors?: unknown }).errors;
    if (Array.isArray(inner) && inner.length > 0) {
      current = inner[0];
      continue;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Blanks out the given secrets (raw and percent-encoded) and any password in a URL (`scheme://user:password@`). */
export function redact(text: string, secrets: readonly (Secret | undefined)[]): string {
  let redacted = text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, "$1[redacted]@");
  for (const secret of secrets) {
    const value = secret?.reveal();
    if (!value) continue;
    for (const form of new Set([value, encodeURIComponent(value)])) redacted = redacted.split(form).join("[redacted]");
  }
  return redacted;
}
