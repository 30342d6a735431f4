import type { CallContext } from "nice-grpc";

/**
 * Who asked, for the audit log: the x-numbergate-client metadata value when the client sets a printable one,
 * else "anonymous", at the peer address. Self-declared: the edge's authentication replaces it ([E]).
 */
export function actorOf(context: CallContext): string {
  const client = context.metadata.get("x-numbergate-client");
  const name = typeof client === "string" && /^[\x20-\x7e]{1,100}$/.test(client) ? client : "anonymous";
  return `${name}@${context.peer}`;
}
