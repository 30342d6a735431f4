import { randomBytes } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { decodeEncryptionKey, ENCRYPTION_KEY_BYTES, keyBytes } from "../config/encryption-keys.js";
import type { NumbergateConfig } from "../config/load-config.js";
import { FieldCipher } from "../store/field-cipher.js";
import { StartupError } from "./startup-failure.js";

/** The sandbox key file's name inside the data directory. */
export const KEY_FILE_NAME = "encryption.key";

/** Whether a missing sandbox key file may be made (the server, reencrypt) or must not (commands that only read). */
export type KeyFileUse = "create" | "read-only";

/**
 * The cipher customer data is sealed with: NUMBERGATE_ENCRYPTION_KEY when set (live mode has checked it is), else
 * the sandbox key file in `dataDir`, made on first start. NUMBERGATE_ENCRYPTION_PREVIOUS_KEYS still open values in
 * both cases. Undefined only for a read-only use that finds no key file: nothing was ever sealed there.
 */
export function resolveCipher(config: NumbergateConfig, dataDir: string | undefined, use: KeyFileUse): FieldCipher | undefined {
  const previous = config.encryption.previousKeys.map(keyBytes);
  if (config.encryption.key !== undefined) return FieldCipher.withKeys(keyBytes(config.encryption.key), previous);
  // loadConfig refuses live mode without a key, and sandbox mode on PostgreSQL without a data directory.
  if (dataDir === undefined) throw new StartupError("no encryption key: set NUMBERGATE_ENCRYPTION_KEY");
  const file = join(dataDir, KEY_FILE_NAME);
  const key = use === "create" ? readOrCreateKeyFile(dataDir) : readKeyFileIfPresent(file);
  return key === undefined ? undefined : FieldCipher.withKeys(key, previous);
}

/** The key in `dataDir`'s key file, which is made (0600) when there is none; two processes starting at once agree on one. */
export function readOrCreateKeyFile(dataDir: string): Buffer {
  const file = join(dataDir, KEY_FILE_NAME);
  const existing = readKeyFileIfPresent(file);
  if (existing) return existing;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // Written whole under a private name, then linked into place: link never replaces a file, so a process racing
  // this one either wins or reads the winner's complete key, never a half-written one.
  const draft = join(dataDir, `.${KEY_FILE_NAME}.${process.pid}.${randomBytes(4).toString("hex")}`);
  writeFileSync(draft, `${randomBytes(ENCRYPTION_KEY_BYTES).toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  try {
    linkSync(draft, file);
  } catch (error) {
    if ((error as { code?: unknown }).code !== "EEXIST") throw keyFileFailure(file, error);
  } finally {
    unlinkSync(draft);
  }
  const key = readKeyFileIfPresent(file);
  if (!key) throw new StartupError(`the encryption key file ${file} vanished while it was being created`);
  return key;
}

function readKeyFileIfPresent(file: string): Buffer | undefined {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (error) {
    if ((error as { code?: unknown }).code === "ENOENT") return undefined;
    throw keyFileFailure(file, error);
  }
  // Anyone who can read the key can read the customer data it protects.
  if ((mode & 0o077) !== 0) {
    throw new StartupError(`refusing to use the encryption key file ${file}: group or others have access to it (mode ${(mode & 0o777).toString(8).padStart(4, "0")}); chmod 600 ${file}`);
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw keyFileFailure(file, error);
  }
  const key = decodeEncryptionKey(text);
  if (!key) throw new StartupError(`the encryption key file ${file} does not hold ${ENCRYPTION_KEY_BYTES} bytes in base64`);
  return key;
}

/** File system errors name paths and codes, never contents: their first line is safe to show. */
function keyFileFailure(file: string, error: unknown): StartupError {
  const reason = (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
  return new StartupError(`cannot use the encryption key file ${file}: ${reason}`, { cause: error });
}
