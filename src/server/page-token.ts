/**
 * AIP-158 page tokens for keyset paging: the last row's sort time and id, tagged with what they page (so a
 * token from one list is refused by another), opaque to clients. The number list's tokens predate the tag and
 * carry none.
 */
export interface KeysetCursor {
  readonly at: number;
  readonly id: string;
}

export function encodeKeysetToken(cursor: KeysetCursor, kind?: string): string {
  const fields: unknown[] = kind === undefined ? [cursor.at, cursor.id] : [kind, cursor.at, cursor.id];
  return Buffer.from(JSON.stringify(fields)).toString("base64url");
}

/** The cursor in a token this server issued for `kind`; undefined for anything else. */
export function decodeKeysetToken(token: string, kind?: string): KeysetCursor | undefined {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (!Array.isArray(decoded)) return undefined;
  const fields = kind === undefined ? decoded : decoded[0] === kind ? decoded.slice(1) : [];
  const [at, id] = fields as unknown[];
  return fields.length === 2 && typeof at === "number" && typeof id === "string" ? { at, id } : undefined;
}
