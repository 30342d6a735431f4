import { positiveInteger, stringOption, type CommandDefinition } from "../command-definition.js";
import { UsageError } from "../exit-codes.js";
import { enumChoices, formatTime, parseEnum, shortEnum } from "../formatting.js";
import type { GetPortingOrderResponse, ListPortingOrdersResponse, PortingOrder } from "../messages.js";
import { collectPages } from "../paging.js";
import { renderFields } from "../table.js";

const STATE_PREFIX = "PORTING_ORDER_STATE_";
const state = (value: string): string => shortEnum(value, STATE_PREFIX);

export const portCommand: CommandDefinition = {
  name: "port",
  usage: "port <porting_order_id>",
  summary: "one porting order, with its documents and state transitions",
  help: ["GetPortingOrder."],
  options: {},
  arguments: ["porting_order_id"],
  async run({ rpc, output, arguments: [portingOrderId = ""] }) {
    const { portingOrder: port } = await rpc.unary<GetPortingOrderResponse>("GetPortingOrder", { portingOrderId });
    if (output.json) return output.document(port);
    if (!port) return output.lines([`${portingOrderId}: the server sent no porting order`]);
    output.lines(
      renderFields([
        ["porting order", port.portingOrderId],
        ["state", state(port.state)],
        ["numbers", port.phoneNumbers.join(", ")],
        ["carrier", port.providerId],
        ["losing carrier", port.currentProvider],
        ["carrier order", port.carrierOrderId],
        ["carrier status", port.carrierStatus],
        ["firm order date", formatTime(port.focTime)],
        ["request id", port.requestId],
        ["created", formatTime(port.createTime)],
        ["updated", formatTime(port.updateTime)],
        ["detail", port.detail],
      ]),
    );
    if (port.documents.length > 0) {
      output.lines(["", "documents:"]);
      output.table(
        ["TYPE", "FILE", "BYTES", "CARRIER DOCUMENT"],
        port.documents.map((document) => [shortEnum(document.documentType, "PORTING_DOCUMENT_TYPE_"), document.fileName, document.sizeBytes, document.carrierDocumentId]),
      );
    }
    output.lines(["", "transitions:"]);
    output.table(
      ["TIME", "FROM", "TO", "SOURCE", "CARRIER STATUS", "DETAIL"],
      port.transitions.map((transition) => [formatTime(transition.time), state(transition.fromState), state(transition.toState), transition.source, transition.carrierStatus, transition.detail]),
    );
  },
};

export const portsCommand: CommandDefinition = {
  name: "ports",
  usage: "ports [--state STATE] [--provider ID] [--limit N]",
  summary: "porting orders",
  help: [
    "--state STATE   pending, awaiting_documents, submitted, foc_scheduled, action_required, completed, cancelled or failed",
    "--provider ID   only this carrier's ports",
    "--limit N       at most this many (default 50); pages are followed until then",
  ],
  options: { state: { type: "string" }, provider: { type: "string" }, limit: { type: "string" } },
  arguments: [],
  async run({ rpc, output, options, contract }) {
    const values = contract.enumValues("numbergate.v1.PortingOrderState");
    const wanted = stringOption(options, "state");
    const parsed = wanted === undefined ? `${STATE_PREFIX}UNSPECIFIED` : parseEnum(wanted, STATE_PREFIX, values);
    if (parsed === undefined) throw new UsageError(`--state must be one of ${enumChoices(STATE_PREFIX, values)}, not "${wanted ?? ""}"`, "ports");
    const limit = positiveInteger(options, "limit", 50, "ports");
    const providerId = stringOption(options, "provider") ?? "";
    const ports = await collectPages<PortingOrder>(limit, async (pageSize, pageToken) => {
      const page = await rpc.unary<ListPortingOrdersResponse>("ListPortingOrders", { pageSize, pageToken, providerId, state: parsed });
      return { items: page.portingOrders, nextPageToken: page.nextPageToken };
    });
    if (output.json) return output.document({ portingOrders: ports });
    if (ports.length === 0) return output.lines(["no porting orders"]);
    output.table(
      ["PORTING ORDER", "STATE", "CARRIER", "NUMBERS", "FIRM ORDER DATE", "UPDATED", "DETAIL"],
      ports.map((port) => [port.portingOrderId, state(port.state), port.providerId, port.phoneNumbers.join(","), formatTime(port.focTime), formatTime(port.updateTime), port.detail]),
    );
  },
};
