import { randomBytes } from "node:crypto";

/** A fixed NUMBERGATE_ENCRYPTION_KEY for tests that start live mode (which refuses to start without one). */
export const TEST_ENCRYPTION_KEY = Buffer.from("numbergate-test-encryption-key-1").toString("base64");

/** A new random key, base64, as an operator makes one (openssl rand -base64 32). */
export function newEncryptionKey(): string {
  return randomBytes(32).toString("base64");
}
