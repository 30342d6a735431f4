import { randomBytes } from "node:crypto";

/** A fixed NUMBERGATE_ENCRYPTION_KEY for tests that start live mode (which refuses to start without one). */
export const TEST_ENCRYPTION_KEY = Buffer.from("numbergate-test-encryption-key-1").toString("base64");

/** The variable live-mode environments in tests spread in. */
export const LIVE_ENCRYPTION: Readonly<Record<string, string>> = { NUMBERGATE_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY };

/** A new random key, base64, as an operator makes one (openssl rand -base64 32). */
export function newEncryptionKey(): string {
  return randomBytes(32).toString("base64");
}
