import { readFile } from "node:fs/promises";
import { z } from "zod";

/** What a caller may do: reader (search, check, get, list, watch), buyer (reserve, buy, release, port), admin (operate carriers, inventory, audit). */
export const ROLES = ["reader", "buyer", "admin"] as const;
export type Role = (typeof ROLES)[number];

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex digits (the SHA-256 of the token)");

const callerSchema = z
  .object({
    name: z.string().regex(/^[\x21-\x7e]{1,100}$/, "must be 1-100 printable characters without spaces"),
    // Several hashes let a token be rotated without a gap: add the new one, move the client, remove the old.
    token_sha256: z.union([sha256Hex, z.array(sha256Hex).min(1)]).optional(),
    certificate_cn: z.string().min(1).max(200).optional(),
    roles: z.array(z.enum(ROLES)).min(1, "must name at least one role"),
  })
  .strict()
  .refine((caller) => caller.token_sha256 !== undefined || caller.certificate_cn !== undefined, "needs token_sha256 or certificate_cn (how it proves who it is)");

const fileSchema = z.object({ callers: z.array(callerSchema) }).strict();

/** A caller numbergate knows, as the tokens file describes it. */
export interface KnownCaller {
  readonly name: string;
  /** SHA-256 digests of its tokens (the tokens themselves are never stored). */
  readonly tokenDigests: readonly Buffer[];
  /** The common name of its client certificate, for mTLS. */
  readonly certificateCn: string | undefined;
  readonly roles: ReadonlySet<Role>;
}

/** A tokens file that cannot be used; the message names the file and what is wrong, never a value from it. */
export class AccessFileError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "AccessFileError";
  }
}

/**
 * Reads NUMBERGATE_TOKENS_FILE: JSON `{"callers": [{"name", "token_sha256" (one or a list), "certificate_cn",
 * "roles"}]}`. Names, token digests and certificate names must each be unique.
 */
export async function readAccessFile(path: string): Promise<KnownCaller[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new AccessFileError(`cannot read the tokens file ${path}: ${(error as NodeJS.ErrnoException).code ?? "unreadable"}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AccessFileError(`the tokens file ${path} is not JSON`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(top level)"} ${issue.message}`);
    throw new AccessFileError(`the tokens file ${path} is not valid: ${problems.join("; ")}`);
  }
  const callers = parsed.data.callers.map(
    (caller): KnownCaller => ({
      name: caller.name,
      tokenDigests: (caller.token_sha256 === undefined ? [] : [caller.token_sha256].flat()).map((digest) => Buffer.from(digest, "hex")),
      certificateCn: caller.certificate_cn,
      roles: new Set(caller.roles),
    }),
  );
  assertUnique(path, "name", callers.map((caller) => caller.name));
  assertUnique(path, "token_sha256", callers.flatMap((caller) => caller.tokenDigests.map((digest) => digest.toString("hex"))));
  assertUnique(path, "certificate_cn", callers.flatMap((caller) => caller.certificateCn ?? []));
  return callers;
}

function assertUnique(path: string, field: string, values: readonly string[]): void {
  const seen = new Set<string>();
  for (const value of values) {
    // The repeated value is not printed: for token_sha256 it is a credential's digest.
    if (seen.has(value)) throw new AccessFileError(`the tokens file ${path} gives the same ${field} to two entries`);
    seen.add(value);
  }
}
