import type { CallContext } from "nice-grpc";
import { CALLER_KEY } from "./access/peer-certificate.js";

/**
 * Who asked, for the audit log, at the peer address: the caller access control proved (its name in the tokens
 * file, or its certificate's); with open access, the x-numbergate-client metadata value when the client sets a
 * printable one (self-declared), else "anonymous".
 */
export function actorOf(context: CallContext): string {
  const proven = context.metadata.get(CALLER_KEY);
  if (typeof proven === "string" && proven !== "") return `${proven}@${context.peer}`;
  const client = context.metadata.get("x-numbergate-client");
  const name = typeof client === "string" && /^[\x20-\x7e]{1,100}$/.test(client) ? client : "anonymous";
  return `${name}@${context.peer}`;
}
