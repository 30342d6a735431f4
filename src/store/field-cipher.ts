import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * Encryption at rest of single column values (customer data): AES-256-GCM, a fresh 12-byte IV per value, the
 * 16-byte tag checked on every read. The associated data names the table and column, so a value copied into
 * another column does not decrypt. A value is stored as
 *
 *   enc:v1:<keyId>:<iv>:<ciphertext>:<tag>     (base64url parts; keyId: first 8 hex digits of SHA-256 of the key)
 *
 * so that, after a key rotation, each value says which key opens it. Values written before encryption at rest
 * are plain JSON ("{..."): they are read as they are until `npm run admin -- reencrypt` seals them.
 */

/** A column holding encrypted values. */
export interface EncryptedColumn {
  readonly table: string;
  readonly column: string;
}

export const ENVELOPE_PREFIX = "enc:v1:";
export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ALGORITHM = "aes-256-gcm";

/** The id an envelope names its key by: not secret (a 32-bit digest of a 256-bit random key). */
export function keyIdOf(key: Uint8Array): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 8);
}

/** A stored value that could not be opened; says where it is and why, never what it holds. */
export class FieldDecryptionError extends Error {
  constructor(
    readonly location: { readonly table: string; readonly column: string; readonly rowId: string },
    reason: string,
  ) {
    super(`cannot decrypt ${location.table}.${location.column} of row ${location.rowId}: ${reason}`);
    this.name = "FieldDecryptionError";
  }
}

/** A value that cannot be written because no key is configured (a store opened only to read other data). */
export class NoEncryptionKeyError extends Error {
  constructor(column: EncryptedColumn) {
    super(`cannot write ${column.table}.${column.column}: no encryption key is configured (NUMBERGATE_ENCRYPTION_KEY, or the sandbox key file)`);
    this.name = "NoEncryptionKeyError";
  }
}

interface Key {
  readonly id: string;
  readonly bytes: Buffer;
}

export class FieldCipher {
  // Private fields: util.inspect, JSON and loggers never see the keys.
  readonly #active: Key | undefined;
  readonly #keys: readonly Key[];

  private constructor(active: Uint8Array | undefined, previous: readonly Uint8Array[]) {
    for (const key of [...(active ? [active] : []), ...previous]) {
      if (key.length !== KEY_BYTES) throw new Error(`an encryption key must be ${KEY_BYTES} bytes`);
    }
    this.#active = active ? { id: keyIdOf(active), bytes: Buffer.from(active) } : undefined;
    // Values name their key by id alone: a previous key under the active key's id would never be re-encrypted.
    const activeId = this.#active?.id;
    if (active && previous.some((key) => keyIdOf(key) === activeId && !Buffer.from(key).equals(active))) {
      throw new Error("a previous encryption key has the same key id as the active one: generate another active key");
    }
    this.#keys = [...(this.#active ? [this.#active] : []), ...previous.map((key) => ({ id: keyIdOf(key), bytes: Buffer.from(key) }))];
  }

  /** New values are sealed with `active`; `previous` keys (older ones, during a rotation) still open values. */
  static withKeys(active: Uint8Array, previous: readonly Uint8Array[] = []): FieldCipher {
    return new FieldCipher(active, previous);
  }

  /**
   * For a store opened only to read what is not encrypted (audit log, drifts, orders without customer data):
   * plain legacy values still read, sealed ones fail with FieldDecryptionError, writing one fails.
   */
  static withoutKeys(): FieldCipher {
    return new FieldCipher(undefined, []);
  }

  /** The id of the key new values are sealed with; undefined without keys. */
  get activeKeyId(): string | undefined {
    return this.#active?.id;
  }

  toString(): string {
    return `FieldCipher(active ${this.activeKeyId ?? "none"})`;
  }

  /** The envelope of `plaintext` for `column`; null stays null. */
  seal(column: EncryptedColumn, plaintext: string | null): string | null {
    if (plaintext === null) return null;
    const active = this.#active;
    if (!active) throw new NoEncryptionKeyError(column);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, active.bytes, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(column));
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return `${ENVELOPE_PREFIX}${active.id}:${iv.toString("base64url")}:${ciphertext.toString("base64url")}:${cipher.getAuthTag().toString("base64url")}`;
  }

  /** The plaintext of a stored value of `column` in row `rowId`; a legacy plain JSON value as it is; null stays null. */
  open(column: EncryptedColumn, rowId: string, stored: string | null): string | null {
    if (stored === null) return null;
    if (isPlainJson(stored)) return stored;
    const location = { table: column.table, column: column.column, rowId };
    const envelope = parseEnvelope(stored);
    if (!envelope) throw new FieldDecryptionError(location, "the value is neither an enc:v1 envelope nor plain JSON");
    const candidates = this.#keys.filter((key) => key.id === envelope.keyId);
    if (candidates.length === 0) {
      throw new FieldDecryptionError(location, `it was sealed with key ${envelope.keyId}, which is neither NUMBERGATE_ENCRYPTION_KEY nor among NUMBERGATE_ENCRYPTION_PREVIOUS_KEYS`);
    }
    // Two keys may share an 8-digit id; the tag tells which one sealed the value.
    for (const key of candidates) {
      const opened = tryDecrypt(key.bytes, column, envelope);
      if (opened !== undefined) return opened;
    }
    throw new FieldDecryptionError(location, `authentication failed with key ${envelope.keyId} (the value was altered, or belongs to another column)`);
  }

  /** Whether a stored value is plain or sealed with another key than the active one (what reencrypt rewrites). */
  needsReseal(stored: string | null): boolean {
    const active = this.#active;
    return stored !== null && (active === undefined || !stored.startsWith(`${ENVELOPE_PREFIX}${active.id}:`));
  }

  /** A value of one column, opened and sealed again for another (an order's customer data copied to its number). */
  reseal(from: EncryptedColumn, rowId: string, stored: string | null, to: EncryptedColumn): string | null {
    return this.seal(to, this.open(from, rowId, stored));
  }
}

function associatedData(column: EncryptedColumn): Buffer {
  return Buffer.from(`${ENVELOPE_PREFIX}${column.table}.${column.column}`, "utf8");
}

/** Legacy rows hold JSON objects; an envelope never starts with "{". */
function isPlainJson(stored: string): boolean {
  return stored.startsWith("{");
}

interface Envelope {
  readonly keyId: string;
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

function parseEnvelope(stored: string): Envelope | undefined {
  if (!stored.startsWith(ENVELOPE_PREFIX)) return undefined;
  const parts = stored.slice(ENVELOPE_PREFIX.length).split(":");
  if (parts.length !== 4) return undefined;
  const [keyId = "", iv = "", ciphertext = "", tag = ""] = parts;
  if (!/^[0-9a-f]{8}$/.test(keyId) || ![iv, ciphertext, tag].every((part) => BASE64URL.test(part))) return undefined;
  const envelope = { keyId, iv: Buffer.from(iv, "base64url"), ciphertext: Buffer.from(ciphertext, "base64url"), tag: Buffer.from(tag, "base64url") };
  // A shortened tag would weaken the check GCM makes: only the full 16 bytes are accepted.
  if (envelope.iv.length !== IV_BYTES || envelope.tag.length !== TAG_BYTES) return undefined;
  return envelope;
}

function tryDecrypt(key: Buffer, column: EncryptedColumn, envelope: Envelope): string | undefined {
  try {
    const decipher = createDecipheriv(ALGORITHM, key, envelope.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(column));
    decipher.setAuthTag(envelope.tag);
    return Buffer.concat([decipher.update(envelope.ciphertext), decipher.final()]).toString("utf8");
  } catch {
    return undefined;
  }
}
