import { connect, type ClientHttp2Session, type IncomingHttpHeaders } from "node:http2";
import { decodeDetails, type DecodedErrorDetails } from "../support/harness.js";

/** What the server answered, read off the wire: no client library in between to fill in its own status. */
export interface RawAnswer {
  readonly code: number;
  readonly message: string;
  readonly rich: DecodedErrorDetails | undefined;
}

/**
 * A gRPC client at the HTTP/2 level, for what real clients cannot send or hide: arbitrary request bytes, and a
 * grpc-timeout header without a local deadline timer (so the status seen is the server's, not the client's).
 */
export class RawGrpcClient {
  readonly #session: ClientHttp2Session;

  constructor(address: string) {
    this.#session = connect(`http://${address}`);
    this.#session.on("error", () => undefined);
  }

  call(path: string, body: Uint8Array, headers: Record<string, string> = {}): Promise<RawAnswer> {
    return new Promise((resolve, reject) => {
      const stream = this.#session.request({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers", ...headers });
      let statusHeaders: IncomingHttpHeaders | undefined;
      stream.on("response", (received) => {
        if (received["grpc-status"] !== undefined) statusHeaders = received;
      });
      stream.on("trailers", (received) => (statusHeaders = received));
      stream.on("data", () => undefined);
      stream.on("error", reject);
      stream.on("close", () => {
        if (!statusHeaders) return reject(new Error(`no grpc-status from ${path}`));
        resolve(readStatus(statusHeaders));
      });
      stream.end(frame(body));
    });
  }

  close(): void {
    this.#session.close();
  }
}

/** One gRPC length-prefixed message: a compression flag, the length, the bytes. */
function frame(body: Uint8Array): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(body.length, 1);
  return Buffer.concat([prefix, body]);
}

function readStatus(headers: IncomingHttpHeaders): RawAnswer {
  const details = headers["grpc-status-details-bin"];
  const rich = typeof details === "string" ? decodeDetails(Buffer.from(details, "base64")) : undefined;
  return { code: Number(headers["grpc-status"]), message: decodeURIComponent(String(headers["grpc-message"] ?? "")), rich };
}
