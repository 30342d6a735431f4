import { z } from "zod";
import { Secret } from "./secret.js";

/** An AES-256 key: 32 bytes. */
export const ENCRYPTION_KEY_BYTES = 32;

export const ENCRYPTION_KEY_VARIABLE = "NUMBERGATE_ENCRYPTION_KEY";

const KEY_FORMAT = `${ENCRYPTION_KEY_BYTES} bytes in base64 (such as the output of openssl rand -base64 32)`;

/** The keys customer data is encrypted at rest with, as configured; absent keys are resolved at start (sandbox key file). */
export interface EncryptionSettings {
  /** NUMBERGATE_ENCRYPTION_KEY: new values are sealed with it. */
  readonly key: Secret | undefined;
  /** NUMBERGATE_ENCRYPTION_PREVIOUS_KEYS: keys being rotated out, which still open what they sealed. */
  readonly previousKeys: readonly Secret[];
}

/** The 32 bytes of a base64 key; undefined when it is not exactly that (padding optional, whitespace around ignored). */
export function decodeEncryptionKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  // Buffer.from skips characters that are not base64: check the alphabet first, so typos are refused, not dropped.
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) return undefined;
  const bytes = Buffer.from(trimmed, "base64");
  return bytes.length === ENCRYPTION_KEY_BYTES ? bytes : undefined;
}

/** NUMBERGATE_ENCRYPTION_KEY: unset, or one key. Messages never echo the value. */
export const encryptionKeyVariable = z
  .string()
  .optional()
  .transform((value, context) => {
    if (value === undefined || value.trim() === "") return undefined;
    if (decodeEncryptionKey(value) !== undefined) return new Secret(value.trim());
    context.addIssue({ code: "custom", message: `must be ${KEY_FORMAT}` });
    return z.NEVER;
  });

/** NUMBERGATE_ENCRYPTION_PREVIOUS_KEYS: comma-separated keys; a bad one is named by its position, never its value. */
export const previousKeysVariable = z
  .string()
  .optional()
  .transform((value, context) => {
    if (value === undefined || value.trim() === "") return [];
    const entries = value.split(",").map((entry) => entry.trim()).filter((entry) => entry !== "");
    const bad = entries.flatMap((entry, index) => (decodeEncryptionKey(entry) === undefined ? [index + 1] : []));
    if (bad.length === 0) return entries.map((entry) => new Secret(entry));
    context.addIssue({ code: "custom", message: `must be comma-separated keys of ${KEY_FORMAT}; ${bad.length === 1 ? "key" : "keys"} ${bad.join(", ")} of ${entries.length} ${bad.length === 1 ? "is" : "are"} not` });
    return z.NEVER;
  });

/** The bytes of configured keys (each was checked when the configuration was loaded). */
export function keyBytes(secret: Secret): Buffer {
  const bytes = decodeEncryptionKey(secret.reveal());
  if (!bytes) throw new Error("an encryption key that passed configuration no longer decodes");
  return bytes;
}
