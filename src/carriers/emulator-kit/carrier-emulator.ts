import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { FaultPlan, parseFaultRule, type FaultRule } from "./faults.js";

export interface EmulatorRequest {
  readonly method: string;
  /** Path without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
}

export interface EmulatorResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface EmulatorRoute {
  readonly method: string;
  readonly pattern: RegExp;
  handle(request: EmulatorRequest, match: RegExpExecArray): EmulatorResponse;
}

const CONTROL_PREFIX = "/__emulator";
const MAX_RECORDED_REQUESTS = 2000;

/**
 * The loopback HTTP server under every carrier emulator: routing, the carrier's auth check, request
 * recording, injected faults, and a control interface (in-process methods, or HTTP under /__emulator).
 */
export abstract class CarrierEmulator {
  readonly faults = new FaultPlan();
  readonly requests: EmulatorRequest[] = [];
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #openRequests = 0;
  #port = 0;
  #host = "127.0.0.1";

  constructor() {
    this.#server = createServer((request, response) => {
      void this.#serve(request, response);
    });
    this.#server.on("connection", (socket) => {
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
    });
  }

  /** The carrier's routes, below the emulator's origin. */
  protected abstract readonly routes: readonly EmulatorRoute[];
  /** Whether the Authorization header carries this emulator's credentials. */
  protected abstract isAuthorized(request: EmulatorRequest): boolean;
  /** The carrier's own error answer for an HTTP status (401, 404, 429, 500, ...). */
  protected abstract errorResponse(status: number, retryAfterSeconds?: number): EmulatorResponse;
  /** The carrier's answer to a well-formed request the emulator cannot parse the body of. */
  protected abstract malformedBody(): EmulatorResponse;
  /** The emulator's carrier-side state (owned numbers, purchases), for GET /__emulator/state. */
  abstract describeState(): unknown;

  async start(port = 0, host = "127.0.0.1"): Promise<string> {
    this.#host = host;
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, host, () => {
        this.#server.off("error", reject);
        resolve();
      });
    });
    const address = this.#server.address();
    if (address === null || typeof address === "string") throw new Error("emulator has no TCP address");
    this.#port = address.port;
    return this.origin;
  }

  get origin(): string {
    return `http://${this.#host}:${this.#port}`;
  }

  /** Stops listening and drops every connection: callers see ECONNREFUSED until acceptConnections. */
  async refuseConnections(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#destroySockets();
    await closed;
  }

  async acceptConnections(): Promise<void> {
    await this.start(this.#port, this.#host);
  }

  /** Requests received and not yet answered or abandoned (a hung request counts until its client lets go). */
  get openRequests(): number {
    return this.#openRequests;
  }

  /** Number of requests to the carrier API (control calls excluded) matching a predicate. */
  countRequests(predicate: (request: EmulatorRequest) => boolean = () => true): number {
    return this.requests.filter(predicate).length;
  }

  async stop(): Promise<void> {
    if (!this.#server.listening) {
      this.#destroySockets();
      return;
    }
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#destroySockets();
    await closed;
  }

  #destroySockets(): void {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }

  async #serve(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    this.#openRequests += 1;
    outgoing.once("close", () => (this.#openRequests -= 1));
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const url = new URL(incoming.url ?? "/", "http://emulator");
    const request: EmulatorRequest = {
      method: incoming.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      headers: incoming.headers,
      body: Buffer.concat(chunks).toString("utf8"),
    };
    if (request.path.startsWith(CONTROL_PREFIX)) {
      send(outgoing, this.#control(request));
      return;
    }
    this.requests.push(request);
    if (this.requests.length > MAX_RECORDED_REQUESTS) this.requests.shift();

    const fault = this.faults.take(request.method, request.path);
    if (fault?.afterHandling && (fault.kind === "hang" || fault.kind === "reset")) {
      this.#route(request);
      await this.#applyFault(fault, outgoing);
      return;
    }
    if (fault) {
      const handled = await this.#applyFault(fault, outgoing);
      if (handled) return;
    }
    send(outgoing, this.#route(request));
  }

  #route(request: EmulatorRequest): EmulatorResponse {
    if (!this.isAuthorized(request)) return this.errorResponse(401);
    for (const route of this.routes) {
      if (route.method !== request.method) continue;
      const match = route.pattern.exec(request.path);
      if (match) return route.handle(request, match);
    }
    return this.errorResponse(404);
  }

  /** Applies a fault; false means "then answer normally" (latency). */
  async #applyFault(fault: FaultRule, outgoing: ServerResponse): Promise<boolean> {
    switch (fault.kind) {
      case "status":
        send(outgoing, this.errorResponse(fault.status ?? 503));
        return true;
      case "rate_limit":
        send(outgoing, this.errorResponse(429, fault.retryAfterSeconds));
        return true;
      case "malformed":
        send(outgoing, this.malformedBody());
        return true;
      case "reset":
        outgoing.socket?.destroy();
        return true;
      case "hang":
        // Leave the response open; stop() or the client's timeout ends it.
        return true;
      case "latency":
        await new Promise((resolve) => setTimeout(resolve, fault.latencyMs ?? 0));
        return false;
    }
  }

  #control(request: EmulatorRequest): EmulatorResponse {
    const action = `${request.method} ${request.path.slice(CONTROL_PREFIX.length)}`;
    try {
      switch (action) {
        case "POST /faults":
          this.faults.inject(parseFaultRule(JSON.parse(request.body)));
          return json(200, { faults: this.faults.active });
        case "GET /faults":
          return json(200, { faults: this.faults.active });
        case "DELETE /faults":
          this.faults.clear();
          return json(200, { faults: [] });
        case "GET /state":
          return json(200, this.describeState());
        case "GET /requests":
          return json(200, {
            count: this.requests.length,
            requests: this.requests.slice(-100).map(({ method, path, query }) => ({ method, path, query: query.toString() })),
          });
        default:
          return json(404, { error: `unknown control action ${action}` });
      }
    } catch (error) {
      return json(400, { error: error instanceof Error ? error.message : String(error) });
    }
  }
}

function send(outgoing: ServerResponse, response: EmulatorResponse): void {
  outgoing.writeHead(response.status, response.headers);
  outgoing.end(response.body ?? "");
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): EmulatorResponse {
  return { status, headers: { "content-type": "application/json; charset=utf-8", ...headers }, body: JSON.stringify(body) };
}

export function xml(status: number, body: string, headers: Record<string, string> = {}): EmulatorResponse {
  return { status, headers: { "content-type": "application/xml; charset=utf-8", ...headers }, body };
}

/** Whether a request's Basic credentials are exactly these. */
export function hasBasicCredentials(request: EmulatorRequest, username: string, password: string): boolean {
  const header = request.headers.authorization;
  if (!header?.startsWith("Basic ")) return false;
  return Buffer.from(header.slice(6), "base64").toString("utf8") === `${username}:${password}`;
}
