import { createServer } from "nice-grpc";
import { PurchaseNumberResponse, SearchNumbersResponse } from "../../generated/numbergate/v1/numbers.js";
import { SetProviderEnabledResponse, WatchProviderHealthResponse } from "../../generated/numbergate/v1/providers.js";
import { TelecomServiceDefinition } from "../../generated/numbergate/v1/telecom_service.js";
import { cpuMicros, serveCommands, type Command, type ReadyMessage } from "../lib/protocol.js";

/**
 * The floor for a numbergate RPC: a bare nice-grpc server with numbergate's own method definitions that answers
 * every call with a response captured from numbergate (setResponses, base64 of the encoded message), decoded
 * once. What it costs per call is gRPC, HTTP/2 and protobuf encoding of the same bytes, nothing else.
 *
 * WatchProviderHealth streams get the captured snapshot, then the captured change each time SetProviderEnabled is
 * called: a plain loop over the open streams, each with a queue, which is the least a server-streaming fan-out
 * over nice-grpc can do.
 */
const EchoDefinition = {
  name: TelecomServiceDefinition.name,
  fullName: TelecomServiceDefinition.fullName,
  methods: {
    searchNumbers: TelecomServiceDefinition.methods.searchNumbers,
    purchaseNumber: TelecomServiceDefinition.methods.purchaseNumber,
    watchProviderHealth: TelecomServiceDefinition.methods.watchProviderHealth,
    setProviderEnabled: TelecomServiceDefinition.methods.setProviderEnabled,
  },
} as const;

let search = SearchNumbersResponse.create();
let purchase = PurchaseNumberResponse.create();
let watchSnapshot = WatchProviderHealthResponse.create();
let watchChange = WatchProviderHealthResponse.create();
let setEnabled = SetProviderEnabledResponse.create();

interface Watcher {
  readonly queue: WatchProviderHealthResponse[];
  wake: (() => void) | undefined;
}
const watchers = new Set<Watcher>();

async function* watch(signal: AbortSignal): AsyncGenerator<WatchProviderHealthResponse> {
  const watcher: Watcher = { queue: [], wake: undefined };
  watchers.add(watcher);
  const onAbort = () => watcher.wake?.();
  signal.addEventListener("abort", onAbort);
  try {
    yield watchSnapshot;
    while (!signal.aborted) {
      const next = watcher.queue.shift();
      if (next) {
        yield next;
        continue;
      }
      await new Promise<void>((resolve) => (watcher.wake = resolve));
      watcher.wake = undefined;
    }
  } finally {
    watchers.delete(watcher);
    signal.removeEventListener("abort", onAbort);
  }
}

const server = createServer();
server.add(EchoDefinition, {
  searchNumbers: async () => search,
  purchaseNumber: async () => purchase,
  watchProviderHealth: (_request, context) => watch(context.signal),
  setProviderEnabled: async () => {
    for (const watcher of watchers) {
      watcher.queue.push(watchChange);
      watcher.wake?.();
    }
    return setEnabled;
  },
});
const port = await server.listen("127.0.0.1:0");

function handle(command: Command): number {
  if (command.cmd === "cpu") return cpuMicros();
  if (command.cmd === "rss") return process.memoryUsage().rss;
  if (command.cmd !== "setResponses") throw new Error(`echo server: ${command.cmd} not supported`);
  const { searchNumbers, purchaseNumber, watchSnapshot: snapshot, watchChange: change, setProviderEnabled } = command.responses;
  if (searchNumbers !== undefined) search = SearchNumbersResponse.decode(Buffer.from(searchNumbers, "base64"));
  if (purchaseNumber !== undefined) purchase = PurchaseNumberResponse.decode(Buffer.from(purchaseNumber, "base64"));
  if (snapshot !== undefined) watchSnapshot = WatchProviderHealthResponse.decode(Buffer.from(snapshot, "base64"));
  if (change !== undefined) watchChange = WatchProviderHealthResponse.decode(Buffer.from(change, "base64"));
  if (setProviderEnabled !== undefined) setEnabled = SetProviderEnabledResponse.decode(Buffer.from(setProviderEnabled, "base64"));
  return 0;
}

serveCommands(handle);
process.once("SIGTERM", () => void server.shutdown().then(() => process.exit(0)));
process.send?.({ type: "ready", address: `127.0.0.1:${port}`, environment: {} } satisfies ReadyMessage);
