import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { json, send, type EmulatorRequest, type EmulatorResponse, type EmulatorRoute } from "./emulator-http.js";
import { FaultPlan, parseFaultRule, type FaultRule } from "./faults.js";
import { EmulatorStateError, EmulatorStateFile } from "./state-file.js";

export { hasBasicCredentials, json, xml, type EmulatorRequest, type EmulatorResponse, type EmulatorRoute } from "./emulator-http.js";

const CONTROL_PREFIX = "/__emulator";
const MAX_RECORDED_REQUESTS = 2000;

/**
 * An emulator of a carrier with port-ins: it posts porting status notifications to this URL from now on
 * (undefined: stops), signed or authenticated as the carrier does, as an operator's setup in the carrier's
 * console would.
 */
export interface PortingNotifier {
  deliverPortingNotificationsTo(url: string | undefined): void;
}

export function isPortingNotifier(emulator: CarrierEmulator): emulator is CarrierEmulator & PortingNotifier {
  return typeof (emulator as Partial<PortingNotifier>).deliverPortingNotificationsTo === "function";
}

/**
 * The loopback HTTP server under every carrier emulator: routing, the carrier's auth check, request
 * recording, injected faults, optional persistence of the carrier-side state, and a control interface
 * (in-process methods, or HTTP under /__emulator, below the origin and below the base URL alike).
 */
export abstract class CarrierEmulator {
  readonly faults = new FaultPlan();
  readonly requests: EmulatorRequest[] = [];
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  /** Requests waiting on a hold fault; each resolver says whether to go on (released) or give up (stopped). */
  readonly #held = new Set<(proceed: boolean) => void>();
  #stateFile: EmulatorStateFile | undefined;
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
  /**
   * Where the carrier's API starts below the origin ("/api" for Bandwidth, like https://dashboard.bandwidth.com/api):
   * what a client is given as the base URL, and where the control interface is found too.
   */
  protected readonly basePath: string = "";
  /** Whether the Authorization header carries this emulator's credentials. */
  protected abstract isAuthorized(request: EmulatorRequest): boolean;
  /** The carrier's own error answer for an HTTP status (401, 404, 429, 500, ...). */
  protected abstract errorResponse(status: number, retryAfterSeconds?: number): EmulatorResponse;
  /** The carrier's answer to a well-formed request the emulator cannot parse the body of. */
  protected abstract malformedBody(): EmulatorResponse;
  /** The emulator's carrier-side state (owned numbers, purchases), for GET /__emulator/state. */
  abstract describeState(): unknown;
  /**
   * Every number the carrier sold through its API, in E.164, once per sale (a number sold twice is listed twice):
   * the carrier's own record, which tests hold numbergate's against.
   */
  abstract numbersSold(): readonly string[];
  /** Everything the carrier would remember across a restart (owned numbers, orders, reservations, ids), as JSON. */
  protected abstract saveState(): unknown;
  /** Puts back what saveState produced; throws on anything else. */
  protected abstract restoreState(saved: unknown): void;

  /**
   * Keeps the carrier-side state in a JSON file: loaded now when the file exists, written after every request
   * that changed it. Without this the emulator forgets everything when it stops, like a fresh sandbox account.
   */
  persistStateIn(path: string): void {
    const file = new EmulatorStateFile(path);
    const saved = file.load();
    if (saved !== undefined) {
      try {
        this.restoreState(saved);
      } catch (error) {
        throw new EmulatorStateError(path, `does not hold this emulator's state (${error instanceof Error ? error.message : String(error)})`);
      }
    }
    this.#stateFile = file;
    file.writeIfChanged(this.saveState());
  }

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

  /** The URL an adapter (or a person with curl) is given: the origin plus the carrier's base path. */
  get baseUrl(): string {
    return `${this.origin}${this.basePath}`;
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

  /** Requests waiting on a hold fault. */
  get heldRequests(): number {
    return this.#held.size;
  }

  /** Lets every held request go on to its normal answer; returns how many there were. */
  releaseHeld(): number {
    const released = this.#held.size;
    for (const resolve of [...this.#held]) resolve(true);
    return released;
  }

  /** Number of requests to the carrier API (control calls excluded) matching a predicate. */
  countRequests(predicate: (request: EmulatorRequest) => boolean = () => true): number {
    return this.requests.filter(predicate).length;
  }

  async stop(): Promise<void> {
    for (const resolve of [...this.#held]) resolve(false);
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
    const controlAction = this.#controlAction(request.path);
    if (controlAction !== undefined) {
      send(outgoing, this.#control(request.method, controlAction, request.body));
      return;
    }
    // Carrier requests only: a control call asking how many requests are open does not count itself.
    this.#openRequests += 1;
    outgoing.once("close", () => (this.#openRequests -= 1));
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

  /** Handles a carrier request, then saves the state if it changed (before the answer leaves, as a carrier commits first). */
  #route(request: EmulatorRequest): EmulatorResponse {
    const response = this.#routeToHandler(request);
    this.#stateFile?.writeIfChanged(this.saveState());
    return response;
  }

  #routeToHandler(request: EmulatorRequest): EmulatorResponse {
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
      case "hold": {
        const proceed = await new Promise<boolean>((resolve) => {
          const release = (go: boolean) => {
            this.#held.delete(release);
            resolve(go);
          };
          this.#held.add(release);
          // A client that gives up stops being held.
          outgoing.once("close", () => release(false));
        });
        return !proceed;
      }
    }
  }

  /** The control action a path names (/__emulator/faults → "/faults"), below the origin or the base path; else undefined. */
  #controlAction(path: string): string | undefined {
    for (const prefix of new Set([CONTROL_PREFIX, `${this.basePath}${CONTROL_PREFIX}`])) {
      if (path === prefix || path.startsWith(`${prefix}/`)) return path.slice(prefix.length);
    }
    return undefined;
  }

  #control(method: string, path: string, body: string): EmulatorResponse {
    const action = `${method} ${path}`;
    try {
      switch (action) {
        case "POST /faults":
          this.faults.inject(parseFaultRule(JSON.parse(body)));
          return json(200, { faults: this.faults.active });
        case "GET /faults":
          return json(200, { faults: this.faults.active });
        case "DELETE /faults":
          this.faults.clear();
          return json(200, { faults: [] });
        case "GET /state":
          return json(200, this.describeState());
        case "POST /release":
          return json(200, { released: this.releaseHeld() });
        case "GET /requests":
          return json(200, {
            count: this.requests.length,
            open: this.#openRequests,
            held: this.#held.size,
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
