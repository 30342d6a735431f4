import type { AuditEvent } from "../../generated/numbergate/v1/audit.js";
import type { TelecomServiceImplementation } from "../../generated/numbergate/v1/telecom_service.js";
import { AuditStore, type AuditRecord } from "../store/audit-store.js";
import { decodeKeysetToken, encodeKeysetToken } from "./page-token.js";
import { toTimestamp } from "./provider-mapping.js";
import { millisecondsToDuration } from "./proto-mapping.js";
import type { TerminatorContext } from "./terminator-middleware.js";
import { FieldViolations, checkLength } from "./validation/field-checks.js";

type AuditHandlers = Pick<TelecomServiceImplementation<TerminatorContext>, "listAuditEvents">;

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;
const MAX_RESOURCE_ID_LENGTH = 200;

export function auditToProto(record: AuditRecord): AuditEvent {
  return {
    eventId: record.id,
    time: toTimestamp(record.at),
    actor: record.actor,
    requestId: record.requestId ?? "",
    providerId: record.carrierId ?? "",
    operation: record.operation,
    outcome: record.outcome,
    latency: record.latencyMs === undefined ? undefined : millisecondsToDuration(record.latencyMs),
    resourceType: record.resourceType ?? "",
    resourceId: record.resourceId ?? "",
    detail: record.detail ?? "",
    repeatCount: record.repeatCount,
    lastTime: toTimestamp(record.lastAt),
  };
}

/**
 * ListAuditEvents: the audit log, paged oldest or newest first, optionally about one resource and after an
 * event id (to follow it). `services` is what the composition root hands the server (it carries `audit`).
 */
export function createAuditHandlers(services: object | undefined): AuditHandlers {
  const required = (): AuditStore => {
    const audit = services && "audit" in services ? services.audit : undefined;
    if (!(audit instanceof AuditStore)) throw new Error("the audit log needs the store, which this server was started without");
    return audit;
  };

  return {
    async listAuditEvents(request) {
      const violations = new FieldViolations();
      if (request.pageSize < 0) violations.add("page_size", "must not be negative");
      if (request.afterEventId < 0) violations.add("after_event_id", "must not be negative");
      const limit = request.pageSize <= 0 ? DEFAULT_PAGE_SIZE : Math.min(request.pageSize, MAX_PAGE_SIZE);
      const resourceId = request.resourceId === "" ? undefined : request.resourceId;
      if (resourceId !== undefined) checkLength(violations, "resource_id", resourceId, MAX_RESOURCE_ID_LENGTH);
      // A token continues the listing it came from: same filters, same order.
      const tokenKind = `audit:${JSON.stringify([resourceId ?? "", request.afterEventId, request.newestFirst])}`;
      const cursor = request.pageToken === "" ? undefined : decodeKeysetToken(request.pageToken, tokenKind);
      if (request.pageToken !== "" && !cursor) violations.add("page_token", "is not a page token this server issued for this list with these filters");
      violations.throwIfAny();
      // One more than asked, to know whether another page follows.
      const records = await required().page({ afterId: request.afterEventId, resourceId, newestFirst: request.newestFirst, cursorId: cursor?.at, limit: limit + 1 });
      const page = records.slice(0, limit);
      const last = page.at(-1);
      return { events: page.map(auditToProto), nextPageToken: records.length > limit && last ? encodeKeysetToken({ at: last.id, id: String(last.id) }, tokenKind) : "" };
    },
  };
}
