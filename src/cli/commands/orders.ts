import { positiveInteger, stringList, stringOption, type CommandDefinition } from "../command-definition.js";
import { UsageError } from "../exit-codes.js";
import { enumChoices, formatTime, parseEnum, shortEnum } from "../formatting.js";
import type { GetNumberOrderResponse, ListNumberOrdersResponse, NumberOrder } from "../messages.js";
import { collectPages } from "../paging.js";
import { renderFields, type Cell, type Tone } from "../table.js";

const STATE_PREFIX = "NUMBER_ORDER_STATE_";
const STATE_TONES: Readonly<Record<string, Tone>> = { completed: "good", pending: "warn", in_doubt: "warn", partial: "warn", failed: "bad" };

function stateCell(state: string): Cell {
  const text = shortEnum(state, STATE_PREFIX);
  return { text, tone: STATE_TONES[text] };
}

export const orderCommand: CommandDefinition = {
  name: "order",
  usage: "order <order_id>",
  summary: "one number order, with its items",
  help: ["GetNumberOrder."],
  options: {},
  arguments: ["order_id"],
  async run({ rpc, output, arguments: [orderId = ""] }) {
    const { order } = await rpc.unary<GetNumberOrderResponse>("GetNumberOrder", { orderId });
    if (output.json) return output.document(order);
    if (!order) return output.lines([`${orderId}: the server sent no order`]);
    output.lines(
      renderFields([
        ["order", order.orderId],
        ["state", shortEnum(order.state, STATE_PREFIX)],
        ["carrier", order.providerId],
        ["carrier order", order.carrierOrderId],
        ["request id", order.requestId],
        ["created", formatTime(order.createTime)],
        ["updated", formatTime(order.updateTime)],
        ["detail", order.detail],
      ]),
    );
    output.lines([""]);
    output.table(["NUMBER", "STATE", "DETAIL"], order.items.map((item) => [item.phoneNumber, shortEnum(item.state, "NUMBER_ORDER_ITEM_STATE_"), item.detail]));
  },
};

export const ordersCommand: CommandDefinition = {
  name: "orders",
  usage: "orders [--state STATE...] [--provider ID] [--limit N]",
  summary: "number orders, newest first",
  help: [
    "--state STATE   pending, completed, failed, in_doubt or partial (repeatable, or comma separated)",
    "--provider ID   only this carrier's orders",
    "--limit N       at most this many (default 50); pages are followed until then",
  ],
  options: { state: { type: "string", multiple: true }, provider: { type: "string" }, limit: { type: "string" } },
  arguments: [],
  async run({ rpc, output, options, contract }) {
    const values = contract.enumValues("numbergate.v1.NumberOrderState");
    const states = stringList(options, "state").map((state) => {
      const parsed = parseEnum(state, STATE_PREFIX, values);
      if (parsed === undefined) throw new UsageError(`--state must be one of ${enumChoices(STATE_PREFIX, values)}, not "${state}"`, "orders");
      return parsed;
    });
    const limit = positiveInteger(options, "limit", 50, "orders");
    const providerId = stringOption(options, "provider") ?? "";
    const orders = await collectPages<NumberOrder>(limit, async (pageSize, pageToken) => {
      const page = await rpc.unary<ListNumberOrdersResponse>("ListNumberOrders", { pageSize, pageToken, providerId, states, createTimeAfter: null, createTimeBefore: null });
      return { items: page.numberOrders, nextPageToken: page.nextPageToken };
    });
    if (output.json) return output.document({ numberOrders: orders });
    if (orders.length === 0) return output.lines(["no orders"]);
    output.table(
      ["ORDER", "STATE", "CARRIER", "NUMBERS", "CREATED", "DETAIL"],
      orders.map((order) => [order.orderId, stateCell(order.state), order.providerId, order.items.map((item) => item.phoneNumber).join(","), formatTime(order.createTime), order.detail]),
    );
  },
};
