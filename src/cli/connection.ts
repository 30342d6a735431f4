import { Client, connectivityState, credentials, Metadata, type ChannelCredentials, type ChannelOptions, type ClientReadableStream, type ServiceError } from "@grpc/grpc-js";
import type { Contract } from "./contract.js";
import type { RichStatus } from "./error-details.js";
import { RpcFailure } from "./rpc-failure.js";

/** Where and how to reach numbergate, from the global options. */
export interface ConnectionSettings {
  readonly address: string;
  /** Sent as `authorization: Bearer <token>`; never printed. */
  readonly token: string | undefined;
  readonly tls: TlsSettings | undefined;
  /** Deadline of each unary call; undefined for none. Streams never have one. */
  readonly timeoutSeconds: number | undefined;
}

export interface TlsSettings {
  /** PEM roots; undefined for the system's. */
  readonly ca: Buffer | undefined;
  /** Client certificate and key for mTLS. */
  readonly cert: Buffer | undefined;
  readonly key: Buffer | undefined;
  /** The name to check the server's certificate against, when it differs from the address's host. */
  readonly serverName: string | undefined;
}

/** The calls the commands make, by the contract's method names ("SearchNumbers"). */
export interface Rpc {
  /** Rejects with RpcFailure; cancelled (CANCELLED) when the connection's signal aborts. */
  unary<Response>(method: string, request: object): Promise<Response>;
  /** A server stream; ends quietly when the connection's signal aborts (Ctrl-C), throws RpcFailure when the call fails. */
  stream<Response>(method: string, request: object): AsyncGenerator<Response, void, undefined>;
  close(): void;
}

/** Names the CLI in numbergate's audit log (the actor), as the server reads x-numbergate-client. */
const CLIENT_NAME = "numbergate-cli";

export function connect(settings: ConnectionSettings, contract: Contract, decodeStatus: (bytes: Uint8Array) => RichStatus, signal: AbortSignal): Rpc {
  const options: ChannelOptions = {};
  if (settings.tls?.serverName !== undefined) {
    options["grpc.ssl_target_name_override"] = settings.tls.serverName;
    options["grpc.default_authority"] = settings.tls.serverName;
  }
  const client = new Client(settings.address, channelCredentials(settings.tls), options);

  // A call that failed on a live connection was answered by something (the server, or a proxy in front of it),
  // even if no header came back: its deadline ran out at the server, not while connecting.
  const connected = (): boolean => client.getChannel().getConnectivityState(false) === connectivityState.READY;

  const metadata = (): Metadata => {
    const headers = new Metadata();
    headers.set("x-numbergate-client", CLIENT_NAME);
    if (settings.token !== undefined) headers.set("authorization", `Bearer ${settings.token}`);
    return headers;
  };

  return {
    unary<Response>(name: string, request: object) {
      const method = contract.method(name);
      const deadline = settings.timeoutSeconds === undefined ? Infinity : Date.now() + settings.timeoutSeconds * 1000;
      return new Promise<Response>((resolve, reject) => {
        let answered = false;
        const call = client.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize, request, metadata(), { deadline }, (error, response) => {
          if (error) reject(RpcFailure.from(error, answered || connected(), decodeStatus));
          else resolve(response as Response);
        });
        call.on("metadata", () => (answered = true));
        const cancel = () => call.cancel();
        signal.addEventListener("abort", cancel, { once: true });
        call.on("status", () => signal.removeEventListener("abort", cancel));
      });
    },

    async *stream<Response>(name: string, request: object) {
      const method = contract.method(name);
      if (signal.aborted) return;
      const call: ClientReadableStream<object> = client.makeServerStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, request, metadata(), {});
      let answered = false;
      call.on("metadata", () => (answered = true));
      const cancel = () => call.cancel();
      signal.addEventListener("abort", cancel, { once: true });
      try {
        for await (const message of call) {
          answered = true;
          yield message as Response;
        }
      } catch (error) {
        // Our own cancel on Ctrl-C is how a watch ends, not a failure.
        if (signal.aborted) return;
        throw isServiceError(error) ? RpcFailure.from(error, answered || connected(), decodeStatus) : error;
      } finally {
        signal.removeEventListener("abort", cancel);
        call.cancel();
      }
    },

    close: () => client.close(),
  };
}

function channelCredentials(tls: TlsSettings | undefined): ChannelCredentials {
  if (tls === undefined) return credentials.createInsecure();
  return credentials.createSsl(tls.ca ?? null, tls.key ?? null, tls.cert ?? null);
}

function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as Partial<ServiceError>).code === "number" && "metadata" in error;
}
