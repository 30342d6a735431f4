import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { ORDER_CUSTOMER_INFO, OWNED_NUMBER_CUSTOMER_INFO, RESERVATION_CUSTOMER_INFO } from "../../src/store/encrypted-columns.js";
import { FieldCipher, FieldDecryptionError, keyIdOf, NoEncryptionKeyError } from "../../src/store/field-cipher.js";

const SECRET_TEXT = JSON.stringify({ customerId: "c-1", name: "Ada Planted", email: "planted-7f3a@example.test", company: "", address: undefined });

/** Replaces one character of part `index` (0 key id, 1 iv, 2 ciphertext, 3 tag) of an envelope, in its middle. */
function tamper(envelope: string, index: number): string {
  const prefix = "enc:v1:";
  const parts = envelope.slice(prefix.length).split(":");
  const part = parts[index] ?? "";
  const middle = Math.floor(part.length / 2);
  parts[index] = `${part.slice(0, middle)}${part[middle] === "A" ? "B" : "A"}${part.slice(middle + 1)}`;
  return `${prefix}${parts.join(":")}`;
}

describe("FieldCipher", () => {
  const key = randomBytes(32);
  const cipher = FieldCipher.withKeys(key);

  it("round-trips a value through a versioned envelope naming its key, with a fresh IV each time", () => {
    const sealed = cipher.seal(ORDER_CUSTOMER_INFO, SECRET_TEXT) ?? "";
    expect(sealed).toMatch(/^enc:v1:[0-9a-f]{8}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+:[A-Za-z0-9_-]{22}$/);
    expect(sealed.split(":")[2]).toBe(keyIdOf(key));
    expect(cipher.activeKeyId).toBe(keyIdOf(key));
    expect(sealed).not.toContain("planted");
    expect(cipher.open(ORDER_CUSTOMER_INFO, "ord_1", sealed)).toBe(SECRET_TEXT);
    expect(cipher.seal(ORDER_CUSTOMER_INFO, SECRET_TEXT)).not.toBe(sealed);
    expect(cipher.seal(ORDER_CUSTOMER_INFO, null)).toBeNull();
    expect(cipher.open(ORDER_CUSTOMER_INFO, "ord_1", null)).toBeNull();
  });

  it("reads legacy plain JSON as it is, and marks it (and only it, or another key's values) for resealing", () => {
    expect(cipher.open(RESERVATION_CUSTOMER_INFO, "res_1", SECRET_TEXT)).toBe(SECRET_TEXT);
    expect(cipher.needsReseal(SECRET_TEXT)).toBe(true);
    expect(cipher.needsReseal(cipher.seal(RESERVATION_CUSTOMER_INFO, SECRET_TEXT))).toBe(false);
    expect(cipher.needsReseal(FieldCipher.withKeys(randomBytes(32)).seal(RESERVATION_CUSTOMER_INFO, SECRET_TEXT))).toBe(true);
    expect(cipher.needsReseal(null)).toBe(false);
  });

  it.each([
    ["iv", 1],
    ["ciphertext", 2],
    ["tag", 3],
  ])("refuses a value whose %s was altered, naming the row and never the content", (_part, index) => {
    const sealed = cipher.seal(ORDER_CUSTOMER_INFO, SECRET_TEXT) ?? "";
    const read = () => cipher.open(ORDER_CUSTOMER_INFO, "ord_tampered", tamper(sealed, index));
    expect(read).toThrow(FieldDecryptionError);
    expect(read).toThrow(/^cannot decrypt number_orders\.customer_info of row ord_tampered: authentication failed/);
    expect(() => read()).not.toThrow(/planted|Ada/);
  });

  it("refuses a value moved to another column", () => {
    const sealed = cipher.seal(RESERVATION_CUSTOMER_INFO, SECRET_TEXT);
    expect(() => cipher.open(OWNED_NUMBER_CUSTOMER_INFO, "num_1", sealed)).toThrow(/^cannot decrypt owned_numbers\.customer_info of row num_1: authentication failed/);
    // Sealing it again for the other column is how a value legitimately moves.
    const moved = cipher.reseal(RESERVATION_CUSTOMER_INFO, "res_1", sealed, OWNED_NUMBER_CUSTOMER_INFO);
    expect(cipher.open(OWNED_NUMBER_CUSTOMER_INFO, "num_1", moved)).toBe(SECRET_TEXT);
  });

  it("refuses a truncated tag, a broken envelope and an unknown version", () => {
    const sealed = cipher.seal(ORDER_CUSTOMER_INFO, SECRET_TEXT) ?? "";
    const shortTag = sealed.slice(0, sealed.lastIndexOf(":") + 1) + (sealed.split(":").at(-1) ?? "").slice(0, 11);
    for (const broken of [shortTag, sealed.replace("enc:v1:", "enc:v2:"), `${sealed}:extra`, "plain text"]) {
      expect(() => cipher.open(ORDER_CUSTOMER_INFO, "ord_2", broken)).toThrow(FieldDecryptionError);
    }
  });

  it("opens values of previous keys and seals new ones with the active key", () => {
    const old = randomBytes(32);
    const sealedOld = FieldCipher.withKeys(old).seal(ORDER_CUSTOMER_INFO, SECRET_TEXT);
    const rotated = FieldCipher.withKeys(key, [old]);
    expect(rotated.open(ORDER_CUSTOMER_INFO, "ord_3", sealedOld)).toBe(SECRET_TEXT);
    expect(rotated.needsReseal(sealedOld)).toBe(true);
    expect(rotated.seal(ORDER_CUSTOMER_INFO, SECRET_TEXT)?.split(":")[2]).toBe(keyIdOf(key));
  });

  it("a wrong key fails with an error that names the key id, the table, column and row, and no content", () => {
    const sealed = FieldCipher.withKeys(randomBytes(32)).seal(ORDER_CUSTOMER_INFO, SECRET_TEXT) ?? "";
    let error: unknown;
    try {
      cipher.open(ORDER_CUSTOMER_INFO, "ord_4", sealed);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FieldDecryptionError);
    const message = (error as Error).message;
    expect(message).toBe(
      `cannot decrypt number_orders.customer_info of row ord_4: it was sealed with key ${sealed.split(":")[2]}, which is neither NUMBERGATE_ENCRYPTION_KEY nor among NUMBERGATE_ENCRYPTION_PREVIOUS_KEYS`,
    );
    expect(inspect(error)).not.toMatch(/planted|Ada/);
  });

  it("without keys: legacy values read, sealed ones and writes are refused; keys never print", () => {
    const none = FieldCipher.withoutKeys();
    expect(none.open(ORDER_CUSTOMER_INFO, "ord_5", SECRET_TEXT)).toBe(SECRET_TEXT);
    expect(() => none.open(ORDER_CUSTOMER_INFO, "ord_5", cipher.seal(ORDER_CUSTOMER_INFO, SECRET_TEXT))).toThrow(FieldDecryptionError);
    expect(() => none.seal(ORDER_CUSTOMER_INFO, SECRET_TEXT)).toThrow(NoEncryptionKeyError);
    for (const text of [inspect(cipher, { showHidden: true, depth: 5 }), JSON.stringify(cipher), String(cipher)]) {
      expect(text).not.toContain(key.toString("hex"));
      expect(text).not.toContain(key.toString("base64"));
    }
  });
});
