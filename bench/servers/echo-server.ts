import { createServer } from "nice-grpc";
import { PurchaseNumberResponse, SearchNumbersResponse } from "../../generated/numbergate/v1/numbers.js";
import { TelecomServiceDefinition } from "../../generated/numbergate/v1/telecom_service.js";
import { cpuMicros, serveCommands, type Command, type ReadyMessage } from "../lib/protocol.js";

/**
 * The floor for a numbergate RPC: a bare nice-grpc server with numbergate's own method definitions that answers
 * every call with a response captured from numbergate (setResponses, base64 of the encoded message), decoded
 * once. What it costs per call is gRPC, HTTP/2 and protobuf encoding of the same bytes, nothing else.
 */
const EchoDefinition = {
  name: TelecomServiceDefinition.name,
  fullName: TelecomServiceDefinition.fullName,
  methods: {
    searchNumbers: TelecomServiceDefinition.methods.searchNumbers,
    purchaseNumber: TelecomServiceDefinition.methods.purchaseNumber,
  },
} as const;

let search = SearchNumbersResponse.create();
let purchase = PurchaseNumberResponse.create();

const server = createServer();
server.add(EchoDefinition, {
  searchNumbers: async () => search,
  purchaseNumber: async () => purchase,
});
const port = await server.listen("127.0.0.1:0");

function handle(command: Command): number {
  if (command.cmd === "cpu") return cpuMicros();
  if (command.cmd === "rss") return process.memoryUsage().rss;
  if (command.cmd !== "setResponses") throw new Error(`echo server: ${command.cmd} not supported`);
  const { searchNumbers, purchaseNumber } = command.responses;
  if (searchNumbers !== undefined) search = SearchNumbersResponse.decode(Buffer.from(searchNumbers, "base64"));
  if (purchaseNumber !== undefined) purchase = PurchaseNumberResponse.decode(Buffer.from(purchaseNumber, "base64"));
  return 0;
}

serveCommands(handle);
process.once("SIGTERM", () => void server.shutdown().then(() => process.exit(0)));
process.send?.({ type: "ready", address: `127.0.0.1:${port}`, environment: {} } satisfies ReadyMessage);
