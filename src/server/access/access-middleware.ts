import type { CallContext, Metadata, ServerMiddlewareCall } from "nice-grpc";
import { AccessDeniedError } from "../../domain/service-errors.js";
import type { AuditEntry } from "../../store/audit-store.js";
import type { Logger } from "../../telemetry/logger.js";
import { actorOf } from "../caller.js";
import type { AccessControl } from "./access-control.js";
import { CALLER_KEY, peerCertificateCn } from "./peer-certificate.js";
import { requiredRole } from "./rpc-roles.js";

export interface DenialAudit {
  record(entry: AuditEntry): Promise<void>;
}

/** The token of `authorization: Bearer <token>`; undefined when the header is absent or another scheme. */
function bearerToken(metadata: Metadata): string | undefined {
  const value = metadata.get("authorization");
  if (typeof value !== "string") return undefined;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(value);
  return match ? match[1] : "";
}

/**
 * Authenticates every TelecomService call (bearer token or client certificate) and checks the role its RPC takes
 * (rpc-roles.ts). A refusal is UNAUTHENTICATED or PERMISSION_DENIED with ErrorInfo (the error mapping sits
 * outside) and an `auth.denied` audit entry; repeated identical refusals collapse into one row. An accepted
 * call reaches its handler with the caller's proven name, which the audit log records instead of the
 * self-declared x-numbergate-client. Open access (sandbox, or NUMBERGATE_ALLOW_UNAUTHENTICATED) lets every call
 * through as before.
 */
export function accessMiddleware(access: AccessControl, audit: DenialAudit | undefined, logger: Logger) {
  return async function* checkAccess<Request, Response>(call: ServerMiddlewareCall<Request, Response>, context: CallContext): AsyncGenerator<Response, Response | void, undefined> {
    if (access.open) return yield* call.next(call.request, context);
    const path = call.method.path;
    const role = requiredRole(path);
    const authentication = access.authenticate({ bearerToken: bearerToken(context.metadata), certificateCn: peerCertificateCn(context.metadata) });
    if (authentication.kind === "unauthenticated") {
      await recordDenial(audit, logger, { actor: actorOf(context), operation: "auth.denied", outcome: "unauthenticated", resourceType: "rpc", resourceId: path, detail: authentication.why });
      throw new AccessDeniedError("unauthenticated", `unauthenticated: ${authentication.why}`);
    }
    const { identity } = authentication;
    if (role === undefined || !identity.roles.has(role)) {
      const needed = role ?? "none";
      await recordDenial(audit, logger, { actor: `${identity.name}@${context.peer}`, operation: "auth.denied", outcome: "permission_denied", resourceType: "rpc", resourceId: path, detail: `needs role ${needed}; has ${[...identity.roles].join(", ")}` });
      throw new AccessDeniedError("permission_denied", `${identity.name} may not call ${path}: it takes the ${needed} role`, { required_role: needed, caller: identity.name });
    }
    // Set on the call's own metadata, not a copy: the RPC's log line, written outside, names the proven caller too.
    context.metadata.set(CALLER_KEY, identity.name);
    return yield* call.next(call.request, context);
  };
}

async function recordDenial(audit: DenialAudit | undefined, logger: Logger, entry: AuditEntry): Promise<void> {
  logger.warn({ rpc: entry.resourceId, actor: entry.actor, outcome: entry.outcome }, "call refused");
  // The refusal stands even when the audit log cannot take it: access control never fails open.
  await audit?.record(entry).catch((error: unknown) => logger.error({ err: error }, "could not audit a refused call"));
}
