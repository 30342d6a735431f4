import { setTimeout as sleep } from "node:timers/promises";
import { flagOption, positiveInteger, stringOption, type CommandContext, type CommandDefinition } from "../command-definition.js";
import { formatTime } from "../formatting.js";
import type { AuditEvent, ListAuditEventsResponse } from "../messages.js";
import { collectPages } from "../paging.js";
import { ColumnLayout, type Cell } from "../table.js";

/** How often --follow asks for entries after the last one seen. */
const POLL_INTERVAL_MS = 1000;
/** The most ListAuditEvents returns in one page. */
const AUDIT_PAGE_SIZE = 1000;

const HEADERS = ["ID", "TIME", "ACTOR", "OPERATION", "OUTCOME", "CARRIER", "RESOURCE", "DETAIL"];

function auditRow(event: AuditEvent): Cell[] {
  const resource = event.resourceType === "" ? event.resourceId : `${event.resourceType}/${event.resourceId}`;
  const repeated = event.repeatCount > 1 ? ` (x${event.repeatCount})` : "";
  const tone = /fail|denied|error/.test(event.outcome) ? "bad" : undefined;
  return [event.eventId, formatTime(event.time), event.actor, event.operation, { text: event.outcome, tone }, event.providerId, resource, `${event.detail}${repeated}`];
}

/** The newest `limit` entries, returned oldest first as a log reads. */
async function latestEvents({ rpc }: CommandContext, resourceId: string, limit: number): Promise<AuditEvent[]> {
  const newestFirst = await collectPages<AuditEvent>(limit, async (pageSize, pageToken) => {
    const page = await rpc.unary<ListAuditEventsResponse>("ListAuditEvents", { pageSize, pageToken, resourceId, afterEventId: "0", newestFirst: true });
    return { items: page.events, nextPageToken: page.nextPageToken };
  });
  return newestFirst.reverse();
}

/** Every entry after `afterEventId`, oldest first, all pages. */
async function eventsAfter({ rpc }: CommandContext, resourceId: string, afterEventId: bigint): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let pageToken = "";
  do {
    const page = await rpc.unary<ListAuditEventsResponse>("ListAuditEvents", { pageSize: AUDIT_PAGE_SIZE, pageToken, resourceId, afterEventId: String(afterEventId), newestFirst: false });
    events.push(...page.events);
    pageToken = page.events.length === 0 ? "" : page.nextPageToken;
  } while (pageToken !== "");
  return events;
}

const largestId = (events: readonly AuditEvent[], floor: bigint): bigint => events.reduce((largest, event) => (BigInt(event.eventId) > largest ? BigInt(event.eventId) : largest), floor);

export const auditCommand: CommandDefinition = {
  name: "audit",
  usage: "audit [--resource ID] [--limit N] [--follow]",
  summary: "the audit log: who did what to which order, port or carrier",
  help: [
    "--resource ID   only entries about this order, reservation, porting order or carrier",
    "--limit N       the last N entries (default 20), printed oldest first",
    "--follow        then print new entries as they are written (polled every second) until Ctrl-C",
  ],
  options: { resource: { type: "string" }, limit: { type: "string" }, follow: { type: "boolean" } },
  arguments: [],
  async run(context) {
    const { output, options, signal } = context;
    const resourceId = stringOption(options, "resource") ?? "";
    const limit = positiveInteger(options, "limit", 20, "audit");
    const follow = flagOption(options, "follow");
    const first = await latestEvents(context, resourceId, limit);
    const layout = new ColumnLayout(HEADERS, output.colour);
    const print = (events: readonly AuditEvent[]): void => {
      if (output.json) for (const event of events) output.jsonLine(event);
      else output.lines(events.map((event) => layout.row(auditRow(event))));
    };

    if (!follow) {
      if (output.json) return output.document({ events: first });
      if (first.length === 0) return output.lines(["no audit entries"]);
      return output.table(HEADERS, first.map(auditRow));
    }
    // Following: the header (humans) comes at once, so the operator sees the command is live.
    layout.fit(first.map(auditRow));
    if (!output.json) output.lines([layout.header()]);
    print(first);
    let lastSeen = largestId(first, 0n);
    while (!signal.aborted) {
      try {
        await sleep(POLL_INTERVAL_MS, undefined, { signal });
      } catch {
        return; // Ctrl-C while waiting.
      }
      let events: AuditEvent[];
      try {
        events = await eventsAfter(context, resourceId, lastSeen);
      } catch (error) {
        // Ctrl-C during a poll cancels it: the follow ends as cleanly as between polls.
        if (signal.aborted) return;
        throw error;
      }
      print(events);
      lastSeen = largestId(events, lastSeen);
    }
  },
};
