import { join } from "node:path";
import type { NumbergateConfig } from "../config/load-config.js";
import { Secret } from "../config/secret.js";
import { SQLITE_FILE_NAME } from "../store/database.js";

/** Where numbergate keeps its SQLite data when NUMBERGATE_DATA_DIR is not set in live mode. */
export const DEFAULT_DATA_DIR = "./data";

export { SQLITE_FILE_NAME } from "../store/database.js";

/** Where a configuration's database is, worked out without creating anything. */
export type StoreLocation =
  | { readonly kind: "postgres"; readonly databaseUrl: Secret; readonly description: string }
  | { readonly kind: "sqlite"; readonly dataDir: string; readonly description: string }
  /** Sandbox mode without NUMBERGATE_DATA_DIR: a fresh temporary directory per run, removed at shutdown. */
  | { readonly kind: "throwaway"; readonly description: string };

export function storeLocation(config: NumbergateConfig): StoreLocation {
  const { databaseUrl, dataDir } = config.store;
  if (databaseUrl !== undefined) return { kind: "postgres", databaseUrl, description: describePostgres(databaseUrl) };
  if (dataDir !== undefined) return { kind: "sqlite", dataDir, description: describeSqlite(dataDir) };
  if (config.mode === "sandbox") return { kind: "throwaway", description: "a throwaway SQLite database (sandbox mode without NUMBERGATE_DATA_DIR)" };
  return { kind: "sqlite", dataDir: DEFAULT_DATA_DIR, description: describeSqlite(DEFAULT_DATA_DIR) };
}

export function describeSqlite(dataDir: string): string {
  return `the SQLite database ${join(dataDir, SQLITE_FILE_NAME)}`;
}

/**
 * "the PostgreSQL database ngdev on 127.0.0.1:5432 as user ngdev": enough for an operator to recognise it, and
 * never the password (DATABASE_URL was checked to be a URL at start).
 */
export function describePostgres(databaseUrl: Secret): string {
  let url: URL;
  try {
    url = new URL(databaseUrl.reveal());
  } catch {
    return "the PostgreSQL database of DATABASE_URL";
  }
  const host = url.searchParams.get("host") ?? url.hostname;
  const port = url.searchParams.get("port") ?? (url.port || "5432");
  const user = safeDecode(url.username);
  const database = safeDecode(url.pathname.slice(1)) || user;
  return `the PostgreSQL database ${database || "(default)"} on ${host}:${port}${user ? ` as user ${user}` : ""}`;
}

/** The password inside DATABASE_URL, so that error text quoting it alone can be blanked out too. */
export function postgresPassword(databaseUrl: Secret | undefined): Secret | undefined {
  if (databaseUrl === undefined) return undefined;
  try {
    const password = new URL(databaseUrl.reveal()).password;
    return password ? new Secret(safeDecode(password)) : undefined;
  } catch {
    return undefined;
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
