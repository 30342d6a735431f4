import { createHash, randomBytes } from "node:crypto";
import { stringList, type CommandContext, type CommandDefinition } from "../command-definition.js";
import { UsageError } from "../exit-codes.js";

const ROLES = ["reader", "buyer", "admin"];

/**
 * Mints a bearer token on this machine (nothing is sent anywhere): 32 random bytes, base64url, and the entry that
 * gives it to a caller in NUMBERGATE_TOKENS_FILE, which holds only the token's SHA-256. The token is printed once;
 * give it to the caller and keep no other copy.
 */
async function mintToken({ output, options, arguments: [name = ""] }: CommandContext): Promise<void> {
  const roles = stringList(options, "role");
  if (roles.length === 0) throw new UsageError("token needs at least one --role (reader, buyer, admin)", "token");
  const unknown = roles.filter((role) => !ROLES.includes(role));
  if (unknown.length > 0) throw new UsageError(`unknown role ${unknown.join(", ")}: roles are ${ROLES.join(", ")}`, "token");
  if (!/^[\x21-\x7e]{1,100}$/.test(name)) throw new UsageError("the caller's name must be 1-100 printable characters without spaces", "token");
  const token = `ngt_${randomBytes(32).toString("base64url")}`;
  const entry = { name, token_sha256: createHash("sha256").update(token).digest("hex"), roles: [...new Set(roles)] };
  if (output.json) return output.document({ token, entry });
  output.lines([
    `token (give it to ${name}; it is not shown again): ${token}`,
    `add to the "callers" of NUMBERGATE_TOKENS_FILE (numbergate re-reads it on change or SIGHUP):`,
    `  ${JSON.stringify(entry)}`,
  ]);
}

export const tokenCommand: CommandDefinition = {
  name: "token",
  usage: "token <caller-name> --role ROLE [--role ROLE]",
  summary: "mint a bearer token and its tokens-file entry (local: contacts no server)",
  help: ["--role ROLE     reader, buyer or admin; repeat or comma-separate for several"],
  options: { role: { type: "string", multiple: true } },
  arguments: ["caller-name"],
  run: mintToken,
};
